"""The fleet example (docs/examples/fleet): one desired-state file applied to many account/region pairs.

Each inventory host is one pair (connection: local). The example must converge in two regions of the emulator,
run the pairs in parallel with forks, and split cleanly into slices the way AWX job slicing runs them: every
slice touches only its own hosts' regions, and together the slices leave the same state as one run.
"""

from __future__ import annotations

import subprocess

import boto3
import pytest
from conftest import ACCESS_KEY
from conftest import REPO_ROOT
from conftest import SECRET_KEY
from conftest import ansible_bin
from conftest import settings_of

from ansible_collections.cloudops.aws_lambda.tests.integration.targets.setup_lambda_fixtures.files import (
    lambda_fixtures as fixtures,
)

FLEET = REPO_ROOT / "docs" / "examples" / "fleet"
HOSTS = {"production-us-east-1": "us-east-1", "production-eu-west-1": "eu-west-1"}
UNSET = {"on_success": None, "on_failure": None}
# What docs/examples/fleet/desired_state.yml asks for, per region: (function, qualifier) -> settings.
DESIRED = {
    "us-east-1": {
        ("orders", "live"): {"maximum_retry_attempts": 1, "maximum_event_age_in_seconds": 3600, **UNSET},
        ("orders", "$LATEST"): {"maximum_retry_attempts": 0, "maximum_event_age_in_seconds": None, **UNSET},
    },
    "eu-west-1": {
        ("orders", "live"): {"maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 600, **UNSET},
    },
}


def lambda_client(endpoint: str, region: str):
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def fleet(emulator, ansible):
    """The `orders` function (version 1, alias live) in both regions, with no config yet (`emulator` reset them)."""
    for region in HOSTS.values():
        fixtures.create_function(fixtures.Clients(emulator.endpoint, region), "orders", emulator.world["role"]["arn"])
    return ansible


def apply_command(endpoint: str, *flags: str) -> list[str]:
    return [
        ansible_bin("ansible-playbook"),
        "-i",
        str(FLEET / "inventory.yml"),
        str(FLEET / "apply.yml"),
        "-e",
        f"aws_endpoint_url={endpoint}",
        *flags,
    ]


def configs_in(endpoint: str, region: str) -> dict:
    client = lambda_client(endpoint, region)
    listed = client.list_function_event_invoke_configs(FunctionName="orders")["FunctionEventInvokeConfigs"]
    return {("orders", item["FunctionArn"].rsplit(":", 1)[1]): settings_of(item) for item in listed}


def test_the_fleet_converges_in_every_region_with_forks(emulator, fleet):
    first = fleet.run(apply_command(emulator.endpoint, "--forks", "2"))
    assert first.rc == 0, first.transcript
    recap = first.recap()
    assert set(recap) == set(HOSTS), first.transcript
    assert recap["production-us-east-1"]["changed"] == 1 and recap["production-eu-west-1"]["changed"] == 1
    for region, desired in DESIRED.items():
        assert configs_in(emulator.endpoint, region) == desired, region
    again = fleet.run(apply_command(emulator.endpoint, "--forks", "2"))
    assert again.rc == 0 and all(counts["changed"] == 0 for counts in again.recap().values()), again.transcript


def test_slices_run_side_by_side_touch_only_their_hosts_and_add_up_to_the_whole(emulator, fleet):
    """AWX job slicing runs one job per slice of the inventory; here two slices run at the same time."""
    slices = ["lambda_fleet[0]", "lambda_fleet[1]"]
    # Both slices must run at once, so Popen rather than run(); communicate() below waits for each.
    processes = [
        subprocess.Popen(  # pylint: disable=consider-using-with
            apply_command(emulator.endpoint, "--limit", pattern),
            env=fleet.environment(),
            cwd=fleet.home,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for pattern in slices
    ]
    outputs = [process.communicate(timeout=240)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    touched = [{host for host in HOSTS if f"{host}  " in output.split("PLAY RECAP")[-1]} for output in outputs]
    assert all(len(hosts) == 1 for hosts in touched), outputs
    assert touched[0] | touched[1] == set(HOSTS) and not touched[0] & touched[1], outputs
    for region, desired in DESIRED.items():
        assert configs_in(emulator.endpoint, region) == desired, region
