"""Fixtures for the emulator's own tests.

Creating IAM/Lambda/SQS/... resources costs a few hundred milliseconds, so one set (the "world") is created per
session and reused. Before each test the event invoke configs, faults and request log are cleared; if a test
damaged the world (deleted a function, an alias, ...) it is rebuilt. Tests that delete or publish things use
their own functions (``world.new_function``), not the shared ones.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.aws_lambda.tests.emulator import pytest_plugin
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import NO_RETRIES
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import REGION
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World

# The plugin's fixtures, made visible to every test here (pytest looks fixtures up by name in conftest modules).
emulator = pytest_plugin.emulator
fresh_emulator = pytest_plugin.fresh_emulator


@pytest.fixture(scope="session")
def _world_cache() -> dict[str, World]:
    return {}


@pytest.fixture
def world(emulator: Emulator, _world_cache: dict[str, World]) -> World:
    cached = _world_cache.get("world")
    if cached is not None and cached.intact():
        emulator.reset(keep_moto=True)
        return cached
    emulator.reset()
    if cached is None:
        cached = World(
            emulator=emulator,
            lam=emulator.client("lambda", parameter_validation=False, retries=NO_RETRIES),
            strict=emulator.client("lambda", retries=NO_RETRIES),
            clients=fixtures.Clients(emulator.endpoint_url, REGION),
            created={},
        )
    cached.created = fixtures.create("w", emulator.endpoint_url, REGION, functions=2, clients=cached.clients)
    emulator.clear_requests()
    _world_cache["world"] = cached
    return cached
