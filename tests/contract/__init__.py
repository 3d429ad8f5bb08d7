"""Contract test suites that every implementation of a port must pass."""

import pytest

pytest.register_assert_rewrite("contract.connector_contract")
