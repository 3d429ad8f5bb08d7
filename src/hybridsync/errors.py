"""One exception tree for the whole project.

Every error says what went wrong and what to do about it (``hint``). Errors that
correspond to a documented sync or service error carry that name in ``code`` so
an administrator can look it up::

    HybridSyncError
    ├── InputError                 bad value supplied by a user or a file
    │   ├── InvalidIdentifier      malformed GUID, immutableId, SID, DN …
    │   ├── ValidationFailed       value breaks a directory rule (UPN chars, lengths)
    │   └── ConfigError            hybridsync.toml problem (names the key)
    ├── NotFound                   an id, UPN or anchor that does not exist
    ├── Conflict                   the request clashes with existing state
    │   ├── AttributeValueMustBeUnique
    │   ├── InvalidSoftMatch, InvalidHardMatch, ObjectTypeMismatch,
    │   │   ExistingAdminRoleConflict   (export-time matching errors)
    │   └── ReadOnlyAttribute      synced attribute edited in the cloud
    ├── StoreError                 the database could not be reached or migrated
    ├── ConnectorError             a source directory could not be read or written
    └── EngineBusy                 another sync engine holds the tenant lock

Library exceptions are translated where the adapter calls the library
(``raise … from exc``) so callers only ever catch this tree.
"""

from __future__ import annotations


class HybridSyncError(Exception):
    """Root of every error hybridsync raises on purpose."""

    code: str = "Error"
    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} — {self.hint}"
        return self.message

    def to_dict(self) -> dict[str, str | None]:
        """Machine-readable form used by ``--json`` output and the HTTP API."""
        return {"code": self.code, "message": self.message, "hint": self.hint}


class InputError(HybridSyncError):
    """A value supplied by a user, a file or a request is not acceptable."""

    code = "InvalidInput"
    exit_code = 2


class InvalidIdentifier(InputError):
    """A GUID, immutableId, SID, DN or similar identifier cannot be parsed."""

    code = "InvalidIdentifier"


class ValidationFailed(InputError):
    """A value breaks a directory rule (Graph/IdFix): characters, length, format."""

    code = "IdentityDataValidationFailed"


class ConfigError(InputError):
    """``hybridsync.toml`` is missing, unreadable or has a bad or unknown key."""

    code = "ConfigError"


class NotFound(HybridSyncError):
    """The object named does not exist (or no longer exists)."""

    code = "NotFound"
    exit_code = 3


class Conflict(HybridSyncError):
    """The request clashes with the state of the directory."""

    code = "Conflict"
    exit_code = 4


class AttributeValueMustBeUnique(Conflict):
    """A UPN, proxy address or mail value is already held by another object."""

    code = "AttributeValueMustBeUnique"


class InvalidSoftMatch(Conflict):
    """Soft-match candidate is already bound to another on-premises object (B3.4)."""

    code = "InvalidSoftMatch"


class InvalidHardMatch(Conflict):
    """Hard-match takeover of a cloud-managed object is blocked (B3.10)."""

    code = "InvalidHardMatch"


class ObjectTypeMismatch(Conflict):
    """Soft-match values collide with an object of another type (B3.13)."""

    code = "ObjectTypeMismatch"


class ExistingAdminRoleConflict(Conflict):
    """Soft-match candidate holds an administrative role (B3.7)."""

    code = "ExistingAdminRoleConflict"


class ReadOnlyAttribute(Conflict):
    """A synced attribute was edited in the cloud; on-premises is its source of authority."""

    code = "ReadOnlyAttribute"


class StoreError(HybridSyncError):
    """The state database cannot be opened, migrated or written."""

    code = "StoreError"
    exit_code = 5


class ConnectorError(HybridSyncError):
    """A source directory (LDIF file, LDAP server) cannot be read or written."""

    code = "ConnectorError"
    exit_code = 6


class EngineBusy(HybridSyncError):
    """Another sync engine is running against the same store (one active engine, B6.12)."""

    code = "EngineBusy"
    exit_code = 7
