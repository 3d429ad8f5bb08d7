"""``hybridsync anchor VALUE``: every spelling of one sourceAnchor / immutableId."""

from __future__ import annotations

from typing import Annotated

import typer

from hybridsync.cli.output import emit_json, record
from hybridsync.identity.anchor_forms import describe_anchor


def register(app: typer.Typer) -> None:
    """Attach ``anchor`` to the root application."""

    @app.command("anchor")
    def anchor(
        value: Annotated[
            str,
            typer.Argument(
                help="A GUID, an immutableId, an octet-string hex (32 digits), "
                "an LDAP filter value (\\xx…) or a CN={…} connector-space DN.",
                show_default=False,
            ),
        ],
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON document on stdout.")
        ] = False,
    ) -> None:
        """Show the GUID, immutableId, hex, LDAP filter and connector-space DN of an anchor."""
        forms = describe_anchor(value)
        if as_json:
            emit_json(forms)
        else:
            record(forms)
