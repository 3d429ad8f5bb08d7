"""Write a new Alembic revision for one area by comparing its tables with the migrated schema.

.venv/bin/python scripts/new_migration.py tenant "add licences"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from hybridsync.store.database import MIGRATIONS, create_sql_engine, upgrade


def main() -> None:
    area, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_sql_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        upgrade(engine, area)  # type: ignore[arg-type]
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS / area))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
