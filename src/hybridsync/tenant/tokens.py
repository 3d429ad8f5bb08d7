"""API tokens for the tenant's HTTP service.

A token is ``hst_<id>_<secret>``. Only a SHA-256 hash of the secret is stored, so the
secret is shown once, when the token is created; a lost token is revoked and replaced.
The secret has 256 bits of entropy, which is why a plain hash (no slow KDF) is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.errors import InputError, NotFound
from hybridsync.store.tenant_schema import api_tokens
from hybridsync.tenant.records import utc

TokenScope = Literal["read", "write", "sync"]
SCOPES: tuple[str, ...] = get_args(TokenScope)
PREFIX = "hst_"


class InvalidToken(NotFound):
    """The presented token is unknown, malformed or revoked."""

    code = "InvalidToken"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known about a token after it was issued (never its secret)."""

    id: str
    scope: TokenScope
    created_date_time: datetime
    revoked_date_time: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope": self.scope,
            "createdDateTime": self.created_date_time,
            "revokedDateTime": self.revoked_date_time,
        }


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token: the only moment its secret is available."""

    info: TokenInfo
    token: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.info.id, "scope": self.info.scope, "token": self.token}


def check_scope(scope: str) -> TokenScope:
    if scope not in SCOPES:
        raise InputError(f"unknown token scope {scope!r}", hint="use read, write or sync")
    return cast(TokenScope, scope)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenRepository:
    """Queries of the ``api_tokens`` table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def create(self, scope: str, now: datetime) -> IssuedToken:
        checked = check_scope(scope)
        token_id = uuid.uuid4().hex
        secret = secrets.token_urlsafe(32)
        self.conn.execute(
            sa.insert(api_tokens).values(
                id=token_id, scope=checked, secret_hash=_hash(secret), created_date_time=now
            )
        )
        return IssuedToken(TokenInfo(token_id, checked, now), f"{PREFIX}{token_id}_{secret}")

    def list(self) -> list[TokenInfo]:
        rows = self.conn.execute(sa.select(api_tokens).order_by(api_tokens.c.created_date_time))
        return [_info(r._mapping) for r in rows]

    def revoke(self, token_id: str, now: datetime) -> TokenInfo:
        info = self._get(token_id)
        if info.revoked_date_time is None:
            self.conn.execute(
                sa.update(api_tokens)
                .where(api_tokens.c.id == info.id)
                .values(revoked_date_time=now)
            )
        return self._get(token_id)

    def verify(self, token: str) -> TokenInfo:
        body = token.strip().removeprefix(PREFIX)
        token_id, _, secret = body.partition("_")
        row = self.conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).first()
        if (
            not token.strip().startswith(PREFIX)
            or row is None
            or row.revoked_date_time is not None
            or not hmac.compare_digest(row.secret_hash, _hash(secret))
        ):
            raise InvalidToken(
                "the API token is not valid", hint="create a new one with `tenant token create`"
            )
        return _info(row._mapping)

    def _get(self, token_id: str) -> TokenInfo:
        row = self.conn.execute(
            sa.select(api_tokens).where(api_tokens.c.id == token_id.strip())
        ).first()
        if row is None:
            raise NotFound(f"there is no API token {token_id!r}", hint="see `tenant token list`")
        return _info(row._mapping)


def _info(row: Any) -> TokenInfo:
    created = utc(row["created_date_time"])
    assert created is not None
    return TokenInfo(row["id"], row["scope"], created, utc(row["revoked_date_time"]))
