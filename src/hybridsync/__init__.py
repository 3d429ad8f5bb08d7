"""hybridsync: keep a cloud directory in step with on-premises AD/LDAP forests."""

__version__ = "0.1.0"
