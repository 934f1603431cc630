"""The fleet example (docs/examples/fleet), run with plain ansible-playbook over the whole inventory.

One inventory host per account/region pair; each host applies its whole desired state with one
lambda_event_invoke_configs task (state=overridden, a scope per host). Two regions of the emulator stand for two
pairs. In each, before the run:

    orders-api, orders-worker   in scope (orders-*), each with version 1 and alias live
    billing-report              outside scope, with a config of its own that nothing may read for deletion or delete
    orders-worker:$LATEST       a config in scope that the desired state does not name: the run must delete it
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from conftest import ACCESS_KEY
from conftest import DELETE
from conftest import LIST
from conftest import PUT
from conftest import REPO_ROOT
from conftest import SECRET_KEY
from conftest import ansible_bin
from conftest import settings_of

from ansible_collections.cloudops.aws_lambda.tests.integration.targets.setup_lambda_fixtures.files import (
    lambda_fixtures as fixtures,
)

FLEET = REPO_ROOT / "docs" / "examples" / "fleet"
HOSTS = {"production-us-east-1": "us-east-1", "production-eu-west-1": "eu-west-1"}
FUNCTIONS = ("orders-api", "orders-worker", "billing-report")


def settings(retries: int | None, age: int | None) -> dict[str, Any]:
    return {
        "maximum_retry_attempts": retries,
        "maximum_event_age_in_seconds": age,
        "on_success": None,
        "on_failure": None,
    }


STRAY = ("orders-worker", "$LATEST")  # in scope, not in the desired state: deleted
OUTSIDE = ("billing-report", "$LATEST")  # outside scope: never read for deletion, never deleted
BEFORE = {
    "us-east-1": {STRAY: settings(1, None), OUTSIDE: settings(0, None)},
    "eu-west-1": {STRAY: settings(1, None), OUTSIDE: settings(0, None), ("orders-api", "live"): settings(0, 60)},
}
# What docs/examples/fleet/desired_state.yml asks for, per region: the glob entry, with orders-api's override laid
# over it in us-east-1; settings no entry names are unset (state=overridden replaces whole configs).
DESIRED = {
    "us-east-1": {("orders-api", "live"): settings(0, 3600), ("orders-worker", "live"): settings(1, 3600)},
    "eu-west-1": {("orders-api", "live"): settings(2, 600), ("orders-worker", "live"): settings(2, 600)},
}
AFTER = {region: {**desired, OUTSIDE: BEFORE[region][OUTSIDE]} for region, desired in DESIRED.items()}
# What each host's task reports, in the module's order (function, then qualifier).
CHANGES = {
    "production-us-east-1": [
        ("created", "orders-api", "live"),
        ("deleted", "orders-worker", "$LATEST"),
        ("created", "orders-worker", "live"),
    ],
    "production-eu-west-1": [
        ("updated", "orders-api", "live"),
        ("deleted", "orders-worker", "$LATEST"),
        ("created", "orders-worker", "live"),
    ],
}
WRITE_OPERATION = {"created": PUT, "updated": PUT, "deleted": DELETE}


def lambda_client(endpoint: str, region: str) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def boto3_settings(wanted: dict[str, Any]) -> dict[str, Any]:
    names = {
        "maximum_retry_attempts": "MaximumRetryAttempts",
        "maximum_event_age_in_seconds": "MaximumEventAgeInSeconds",
    }
    return {names[key]: value for key, value in wanted.items() if key in names and value is not None}


@pytest.fixture
def fleet(emulator, ansible):
    """The functions in both regions with the configs of BEFORE (`emulator` deleted every other config), and a
    request log that starts after this setup."""
    for region, configs in BEFORE.items():
        clients = fixtures.Clients(emulator.endpoint, region)
        for name in FUNCTIONS:
            fixtures.create_function(clients, name, emulator.world["role"]["arn"])
        for (name, qualifier), wanted in configs.items():
            clients.awslambda.put_function_event_invoke_config(
                FunctionName=name, Qualifier=qualifier, **boto3_settings(wanted)
            )
    for region in BEFORE:
        assert configs_in(emulator.endpoint, region) == BEFORE[region], region
    emulator.clear_requests()
    return ansible


def configs_in(endpoint: str, region: str) -> dict[tuple[str, str], dict[str, Any]]:
    client = lambda_client(endpoint, region)
    found = {}
    for name in FUNCTIONS:
        for item in client.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]:
            found[(name, item["FunctionArn"].rsplit(":", 1)[1])] = settings_of(item)
    return found


def lambda_requests(emulator) -> list[dict[str, Any]]:
    return [entry for entry in emulator.requests() if entry["service"] == "lambda"]


def calls_by_region(entries: list[dict[str, Any]]) -> dict[str, list[tuple[str, str, str]]]:
    """The Lambda calls the log holds, per region the request was signed for: (operation, function, qualifier)."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for entry in entries:
        call = (entry["operation"], entry["function_name"] or "", entry["qualifier"] or "")
        found.setdefault(entry["region"], []).append(call)
    return {region: sorted(calls) for region, calls in found.items()}


def expected_calls(hosts: list[str], changed: bool = True) -> dict[str, list[tuple[str, str, str]]]:
    """What one host's task calls in its region, documented by the module: ListFunctions once (the globs), one
    ListFunctionEventInvokeConfigs per function in scope (never billing-report), then one write per change."""
    reads = [("ListFunctions", "", ""), (LIST, "orders-api", ""), (LIST, "orders-worker", "")]
    return {
        HOSTS[host]: sorted(
            reads + [(WRITE_OPERATION[action], name, qualifier) for action, name, qualifier in CHANGES[host] if changed]
        )
        for host in hosts
    }


def assert_outside_scope_untouched(emulator, entries: list[dict[str, Any]]) -> None:
    outside = [entry for entry in entries if entry["function_name"] == OUTSIDE[0]]
    assert outside == [], "billing-report is outside every scope, yet was called"
    for region in HOSTS.values():
        assert configs_in(emulator.endpoint, region)[OUTSIDE] == BEFORE[region][OUTSIDE], region


# ---------------------------------------------------------------------------------------------- ansible-playbook


def test_the_example_converges_with_ansible_playbook_and_forks(emulator, fleet):
    """The non-AWX path: the whole inventory, two forks, the endpoint as an extra variable."""
    command = [
        ansible_bin("ansible-playbook"),
        "-i",
        str(FLEET / "inventory.yml"),
        str(FLEET / "apply.yml"),
        "-e",
        f"aws_endpoint_url={emulator.endpoint}",
        "--forks",
        "2",
    ]
    only_the_inventory = {"AWS_REGION": None, "AWS_URL": None}  # region from the inventory, endpoint from -e

    first = fleet.run(command, env=only_the_inventory)
    assert first.rc == 0, first.transcript
    assert {host: (counts["changed"], counts["failed"]) for host, counts in first.recap().items()} == dict.fromkeys(
        HOSTS, (1, 0)
    ), first.transcript
    entries = lambda_requests(emulator)  # before the direct reads below, which the log would record too
    for region, after in AFTER.items():
        assert configs_in(emulator.endpoint, region) == after, region
    assert calls_by_region(entries) == expected_calls(list(HOSTS)), entries
    assert_outside_scope_untouched(emulator, entries)

    emulator.clear_requests()
    again = fleet.run(command, env=only_the_inventory)
    assert again.rc == 0, again.transcript
    assert {host: counts["changed"] for host, counts in again.recap().items()} == dict.fromkeys(HOSTS, 0)
    assert calls_by_region(lambda_requests(emulator)) == expected_calls(list(HOSTS), changed=False)
