"""Run the modules end to end in-process: real argument parsing, a real botocore client, the emulator as AWS.

Each test gets the shared "world" (a function with version 1 and alias live, a second function, an SQS queue,
an SNS topic, an EventBridge bus and an S3 bucket), created once per session; event invoke configs, faults and
the request log are cleared before every test, so the log holds exactly the calls the test's module runs made.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any
from unittest import mock

import pytest
from ansible.module_utils import basic

from ansible_collections.cloudops.aws_lambda.tests.emulator import pytest_plugin
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.support import request_log
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19 has no helper; setting _ANSIBLE_ARGS is all it needs

    @contextlib.contextmanager
    def patch_module_args(args: dict[str, Any]):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()):
            yield


emulator = pytest_plugin.emulator  # the session's in-process emulator, found by pytest under this name

REGION = "us-east-1"


class ModuleExit(Exception):
    def __init__(self, result: dict[str, Any], failed: bool) -> None:
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


class Runner:
    """Runs a module's main() with the emulator's endpoint and test credentials, and reads its request log."""

    def __init__(self, server: Emulator, world: dict[str, Any]) -> None:
        self.emulator = server
        self.world = world

    def __call__(self, module: Any, check: bool = False, diff: bool = False, **params: Any) -> dict[str, Any]:
        args = {
            "endpoint_url": self.emulator.endpoint_url,
            "access_key": "testing",
            "secret_key": "testing",
            "region": REGION,
            "_ansible_check_mode": check,
            "_ansible_diff": diff,
            **params,
        }
        args = {key: value for key, value in args.items() if value is not None}

        def leave(failed: bool):
            def _exit(self_: Any, **result: Any) -> None:
                raise ModuleExit(result, failed)

            return _exit

        warnings: list[str] = []
        with patch_module_args(args), mock.patch.multiple(
            basic.AnsibleModule,
            exit_json=leave(False),
            fail_json=leave(True),
            warn=lambda self_, text: warnings.append(text),
        ), pytest.raises(ModuleExit) as exited:
            module.main()
        return {**exited.value.result, "failed": exited.value.failed, "warnings": warnings}

    def calls(self) -> list[str]:
        """The Lambda operations made since the last clear, in order."""
        return request_log.lambda_calls(self.emulator.requests())

    def clear(self) -> None:
        self.emulator.clear_requests()

    def writes(self) -> list[str]:
        return request_log.writes(self.emulator.requests())

    def reads_elsewhere(self) -> list[str]:
        """The calls to other services than Lambda (the destination preflight's), as service:Operation."""
        return request_log.calls_elsewhere(self.emulator.requests())


@pytest.fixture(scope="session")
def world_cache() -> dict[str, Any]:
    return {}


@pytest.fixture
def run(emulator: Emulator, world_cache: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Runner:
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_URL", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(variable, raising=False)
    if "world" not in world_cache:
        emulator.reset()
        world_cache["world"] = fixtures.create("m", emulator.endpoint_url, REGION, functions=2)
    emulator.reset(keep_moto=True)
    return Runner(emulator, world_cache["world"])
