"""Adapters to directories: one module per kind (LDIF, LDAP, the tenant)."""
