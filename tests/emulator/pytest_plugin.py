"""pytest fixtures for tests that talk to the emulator.

Expose them in a conftest.py (pytest finds fixtures by name in conftest modules; ``pytest_plugins`` is only
allowed in the root conftest)::

    from ansible_collections.cloudops.aws_lambda.tests.emulator import pytest_plugin

    emulator = pytest_plugin.emulator
    fresh_emulator = pytest_plugin.fresh_emulator
    emulator_env = pytest_plugin.emulator_env  # if wanted

``emulator`` is one in-process server for the whole session; ``fresh_emulator`` is the same server, reset (moto
state, event invoke configs, faults, request log) before the test that asks for it. ``emulator_env`` points the
standard AWS environment variables at it, for code that builds its own clients.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import DEFAULT_REGION
from .server import TEST_CREDENTIALS
from .server import Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def fresh_emulator(emulator: Emulator) -> Emulator:
    emulator.reset()
    return emulator


@pytest.fixture
def emulator_env(fresh_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setenv("AWS_ENDPOINT_URL", fresh_emulator.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", DEFAULT_REGION)
    monkeypatch.setenv("AWS_REGION", DEFAULT_REGION)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return fresh_emulator
