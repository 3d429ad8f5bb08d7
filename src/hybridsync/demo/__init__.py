"""The embedded demo: two example forests synced into the built-in tenant, end to end.

``python -m hybridsync.demo`` (what ``scripts/demo.sh`` runs) copies ``examples/contoso`` into
a fresh folder, seeds the cloud tenant with the history in ``cloud.toml``, previews the first
sync, runs it, and reports what happened to each object — hard match, soft-match takeover,
duplicate-UPN quarantine, multi-forest join, contact, group, filtered and unexported objects —
read back from the engine and the tenant after the run.
"""
