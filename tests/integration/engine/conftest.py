"""Fixtures of the engine integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engine_forests import Harness, open_harness
from preview_forest import staged  # noqa: F401  (a fixture shared by the preview and plan tests)

from hybridsync.clock import FixedClock


@pytest.fixture
def harness(database_urls: dict[str, str], clock: FixedClock) -> Iterator[Harness]:
    """Engine and tenant databases of one backend, the tenant initialized."""
    built = open_harness(database_urls, clock)
    yield built
    built.engine.dispose()
    built.tenant_db.dispose()
