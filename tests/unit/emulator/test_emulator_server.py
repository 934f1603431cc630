"""The emulator as a separate process: the ctl launcher (start/stop by PID), TLS, and the server entry point."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import SSLError

from ansible_collections.cloudops.aws_lambda.tests.emulator import ctl

SERVER = "ansible_collections.cloudops.aws_lambda.tests.emulator"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def run_ctl(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", f"{SERVER}.ctl", *args],
        env=ctl.server_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def lambda_client(endpoint: str, verify: object = None) -> object:
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        verify=verify,
        config=NO_RETRIES,
    )


def process_gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not ctl.is_running(pid):
            return True
        time.sleep(0.05)
    return False


def test_ctl_starts_and_stops_the_server_by_pid(tmp_path: Path) -> None:
    state = tmp_path / "state"
    started = run_ctl(
        "start",
        "--state-dir",
        str(state),
        "--conflict-rate",
        "1.0",
        "--seed",
        "5",
        "--denied-actions",
        "lambda:GetPolicy,sns:*",
        "--permission-propagation-failures",
        "3",
    )
    endpoint, pid = started["endpoint"], started["pid"]
    assert endpoint.startswith("http://127.0.0.1:")
    assert (state / "endpoint").read_text().strip() == endpoint
    assert int((state / "pid").read_text()) == pid

    client = lambda_client(endpoint)
    assert client.list_functions()["Functions"] == []
    with pytest.raises(client.exceptions.ResourceNotFoundException):  # conflicts never hit reads
        client.get_function_event_invoke_config(FunctionName="nope")
    with urllib.request.urlopen(f"{endpoint}/_emulator/faults", timeout=5) as response:
        faults = json.loads(response.read())
    assert (faults["conflict_rate"], faults["seed"]) == (1.0, 5)
    assert faults["denied_actions"] == ["lambda:GetPolicy", "sns:*"]
    assert faults["permission_propagation_failures"] == 3
    with pytest.raises(client.exceptions.ClientError) as denied:
        client.get_policy(FunctionName="nope")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"

    assert run_ctl("stop", "--state-dir", str(state)) == {"stopped": True}
    assert process_gone(pid)
    assert not (state / "pid").exists()
    assert not (state / "endpoint").exists()
    assert run_ctl("stop", "--state-dir", str(state)) == {"stopped": False}


def test_ctl_serves_https_with_a_self_signed_ca(tmp_path: Path) -> None:
    state = tmp_path / "state"
    started = run_ctl("start", "--state-dir", str(state), "--tls")
    try:
        assert started["endpoint"].startswith("https://127.0.0.1:")
        assert started["ca_bundle"] == str(state / "tls" / "ca.pem")
        trusted = lambda_client(started["endpoint"], verify=started["ca_bundle"])
        assert trusted.list_functions()["ResponseMetadata"]["HTTPStatusCode"] == 200
        untrusted = lambda_client(started["endpoint"], verify=True)
        with pytest.raises(SSLError):
            untrusted.list_functions()
    finally:
        run_ctl("stop", "--state-dir", str(state))
    assert process_gone(started["pid"])


def test_server_writes_port_file_prints_endpoint_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    port_file, pid_file = tmp_path / "port", tmp_path / "pid"
    process = subprocess.Popen(
        [sys.executable, "-m", SERVER, "--port", "0", "--port-file", str(port_file), "--pid-file", str(pid_file)],
        env=ctl.server_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        port = port_file.read_text().strip()
        assert line == f"endpoint=http://127.0.0.1:{port}"
        assert int(pid_file.read_text()) == process.pid
        assert lambda_client(line.split("=", 1)[1]).list_functions()["Functions"] == []
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
    assert not port_file.exists()
    assert not pid_file.exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--throttle-rate", "2"], "throttle_rate must be between 0 and 1"),
        (["--denied-actions", "sqs:GetQueueUrl,GetQueueUrl"], "'GetQueueUrl' is not an IAM action name"),
    ],
    ids=["rate-above-one", "denied-action-without-service"],
)
def test_server_refuses_invalid_fault_flags(flags: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", SERVER, *flags],
        env=ctl.server_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr


def test_get_function_accepts_a_partial_arn_c10(world):
    """C10: FunctionName takes ACCOUNT:function:NAME[:QUALIFIER] (DOCUMENTED); moto alone answers 500 to it."""
    partial = f"123456789012:function:{world.fn}"
    function = world.strict.get_function(FunctionName=partial)
    assert function["Configuration"]["FunctionName"] == world.fn
    aliased = world.strict.get_function(FunctionName=f"{partial}:{world.alias}")
    assert aliased["Configuration"]["FunctionArn"].endswith(f":{world.fn}:{world.version}")
