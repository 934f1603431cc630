"""tools/emulator.py (make emulator): the exports it prints, and writes to build/local-emulator/env, point the
modules, boto3 scripts and the AWS CLI at the emulator."""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path
from types import ModuleType

import botocore.session
import pytest

TOOLS = Path(__file__).resolve().parents[3] / "tools"
ENDPOINT = "http://127.0.0.1:4566"


@pytest.fixture
def tool(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(TOOLS))  # it imports its neighbour demo.py
    spec = importlib.util.spec_from_file_location("make_emulator", TOOLS / "emulator.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exported(tool: ModuleType) -> dict[str, str]:
    lines = tool.exports(ENDPOINT)
    assert all(line.startswith("export ") for line in lines)
    return dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in lines)


def test_exports_name_the_region_for_the_modules_and_for_boto3(tool):
    """boto3 and the AWS CLI read AWS_DEFAULT_REGION, not AWS_REGION (which the modules read first)."""
    variables = exported(tool)
    assert variables["AWS_REGION"] == variables["AWS_DEFAULT_REGION"] == "us-east-1"
    assert variables["AWS_URL"] == variables["AWS_ENDPOINT_URL"] == ENDPOINT


def test_a_boto3_script_in_a_shell_with_the_exports_finds_its_region(tool, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))  # no region from a profile
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(variable, raising=False)
    for name, value in exported(tool).items():
        monkeypatch.setenv(name, value)
    assert botocore.session.Session().get_config_variable("region") == "us-east-1"
