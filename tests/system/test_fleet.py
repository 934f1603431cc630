"""The fleet example (docs/examples/fleet), run as AWX runs it and with plain ansible-playbook.

One inventory host per account/region pair; each host applies its whole desired state with one
lambda_event_invoke_configs task (state=overridden, a scope per host). Two regions of the emulator stand for two
pairs. In each, before the run:

    orders-api, orders-worker   in scope (orders-*), each with version 1 and alias live
    billing-report              outside scope, with a config of its own that nothing may read for deletion or delete
    orders-worker:$LATEST       a config in scope that the desired state does not name: the run must delete it

The AWX test runs the example as two job slices at the same time, each an `ansible_runner.run` of its own over a
private data dir of its own (awx_job.py): the slice's inventory, the job template's extra variables (the endpoint),
and the credential's environment variables, with the session token only as AWS_SECURITY_TOKEN as older AWX injects
it. Nothing else tells the modules where to go: no AWS_REGION, no AWS_URL.

Which slice made a request: each slice ran only its own host (its stats and events); every config its task reports
carries an ARN of that host's region (AWS builds it from the region the request was signed for); and the emulator
logs the signing region of every request. So "slice k touched only its host's region" is: each region's log holds
exactly one host's calls (a slice that strayed would add calls to the other's region), and no other region was
called.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from awx_job import events
from awx_job import prepare
from awx_job import run_arguments
from awx_job import script_data
from awx_job import slice_hosts
from conftest import ACCESS_KEY
from conftest import COMMAND_TIMEOUT
from conftest import DELETE
from conftest import LIST
from conftest import PUT
from conftest import REPO_ROOT
from conftest import SECRET_KEY
from conftest import SESSION_TOKEN
from conftest import ansible_bin
from conftest import settings_of

from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

FLEET = REPO_ROOT / "docs" / "examples" / "fleet"
AWX_JOB = Path(os.path.abspath(__file__)).parent / "awx_job.py"
HOSTS = {"production-us-east-1": "us-east-1", "production-eu-west-1": "eu-west-1"}
FUNCTIONS = ("orders-api", "orders-worker", "billing-report")
APPLY_TASK = "Apply the pair's desired state; configs in its scope that it does not name are deleted"
SUMMARY_TASK = 'Summarise the changes, one "action function:qualifier" per config'


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
    ListFunctionEventInvokeConfigs per function in scope (never billing-report), then one write per change, each
    create on an alias after a GetFunction of it (one that does not exist costs no refused write)."""
    reads = [("ListFunctions", "", ""), (LIST, "orders-api", ""), (LIST, "orders-worker", "")]
    return {
        HOSTS[host]: sorted(
            reads
            + [(WRITE_OPERATION[action], name, qualifier) for action, name, qualifier in CHANGES[host] if changed]
            + [
                ("GetFunction", name, qualifier)
                for action, name, qualifier in CHANGES[host]
                if changed and action == "created" and qualifier != "$LATEST"
            ]
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


# ---------------------------------------------------------------------------------------------- AWX


class SliceJob:
    """One slice job of AWX: its hosts, its private data dir, its ansible-runner process and what that returned."""

    def __init__(self, hosts: list[str], directory: Path, ident: str, process: subprocess.Popen) -> None:
        self.hosts = hosts
        self.directory = directory
        self.ident = ident
        self.process = process
        self.result: dict[str, Any] = {}
        self.output = ""

    def wait(self) -> None:
        stdout, stderr = self.process.communicate(timeout=COMMAND_TIMEOUT)
        self.output = f"{stdout}\n{stderr}"
        self.result = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}

    @property
    def transcript(self) -> str:
        """For assertion messages: the runner's answer and the job's stdout."""
        stdout = self.directory / "artifacts" / self.ident / "stdout"
        return f"slice {self.hosts}: {self.output}\n{stdout.read_text() if stdout.is_file() else '(no stdout)'}"

    def events(self) -> list[dict[str, Any]]:
        return events(self.directory, self.ident)

    def task_results(self, task: str) -> dict[str, dict[str, Any]]:
        """The result of `task` for each host it ran on."""
        return {
            event["event_data"]["host"]: event["event_data"]["res"]
            for event in self.events()
            if event["event"] in ("runner_on_ok", "runner_on_failed") and event["event_data"]["task"] == task
        }


def run_slices(fleet, emulator, base: Path, count: int = 2) -> list[SliceJob]:
    """The example as a job sliced `count` ways: every slice prepared, all started, then all waited for."""
    inventory = yaml.safe_load((FLEET / "inventory.yml").read_text())
    hosts = [host for group in inventory.values() for host in group["hosts"]]
    credential = {  # an "Amazon Web Services" credential with an STS token, as older AWX injects it
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SECURITY_TOKEN": SESSION_TOKEN,
    }
    envvars = {
        **credential,
        # The installed collection only (the execution environment's), never one found on sys.path.
        "ANSIBLE_COLLECTIONS_PATH": fleet.collections,
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
    }
    # The process that runs runner: the suite's clean environment, without anything AWS or collection related that
    # the job itself must bring (runner adds `envvars` on top of it).
    environment = fleet.environment(
        {
            "AWS_ACCESS_KEY_ID": None,
            "AWS_SECRET_ACCESS_KEY": None,
            "AWS_REGION": None,
            "AWS_URL": None,
            "ANSIBLE_COLLECTIONS_PATH": None,
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": None,
            "ANSIBLE_PYTHON_INTERPRETER": None,
        }
    )
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    assert not {"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_URL"} & {*environment, *envvars}
    jobs = []
    for number in range(1, count + 1):
        mine = slice_hosts(hosts, number, count)
        directory = prepare(
            base / f"slice-{number}",
            project=[FLEET / "apply.yml", FLEET / "desired_state.yml"],
            inventory=script_data(inventory, mine),
            extravars={"aws_endpoint_url": emulator.endpoint},
        )
        ident = f"fleet-slice-{number}"
        # Not run(): the slices must run at the same time. SliceJob.wait waits for each.
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, str(AWX_JOB)],
            env=environment,
            cwd=fleet.home,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdin is not None
        process.stdin.write(json.dumps(run_arguments(directory, "apply.yml", envvars, forks=2, ident=ident)))
        process.stdin.close()  # runner starts now; the next slice's starts without waiting for this one
        process.stdin = None  # so that communicate() in SliceJob.wait does not flush the closed pipe
        jobs.append(SliceJob(mine, directory, ident, process))
    for job in jobs:
        job.wait()
    return jobs


def secrets_in(job: SliceJob) -> list[str]:
    """Which of what AWX keeps and shows of a job, its events and its stdout, holds the secret key or the token.
    (Runner's own `command` file records the whole environment; AWX deletes the private data dir after the job.)"""
    artifacts = job.directory / "artifacts" / job.ident
    shown = [*artifacts.glob("job_events/*.json"), artifacts / "stdout", artifacts / "stderr"]
    return [
        str(path)
        for path in shown
        if path.is_file() and any(secret.encode() in path.read_bytes() for secret in (SECRET_KEY, SESSION_TOKEN))
    ]


def test_awx_job_slices_run_side_by_side_stay_in_their_regions_and_converge_the_fleet(emulator, fleet, tmp_path):
    jobs = run_slices(fleet, emulator, tmp_path / "first")

    assert [job.hosts for job in jobs] == [["production-eu-west-1"], ["production-us-east-1"]]
    for job in jobs:
        assert (job.result.get("status"), job.result.get("rc")) == ("successful", 0), job.transcript
        stats = job.result["stats"]
        assert set(stats["processed"]) == set(job.hosts), job.transcript  # the slice's inventory held only its hosts
        assert stats["changed"] == dict.fromkeys(job.hosts, 1) and not stats["failures"], job.transcript
        applied = job.task_results(APPLY_TASK)
        assert set(applied) == set(job.hosts), job.transcript
        for host, result in applied.items():
            # AWS (the emulator) answered each of this slice's writes with an ARN of this slice's region.
            configs = [change[side] for change in result["changes"] for side in ("before", "after") if change[side]]
            assert {config["function_arn"].split(":")[3] for config in configs} == {HOSTS[host]}, result["changes"]
            reported = [
                (change["action"], change["function_name"], change["qualifier"]) for change in result["changes"]
            ]
            assert reported == CHANGES[host], job.transcript
            assert result["failed_configs"] == [], job.transcript
        summaries = {host: result["msg"] for host, result in job.task_results(SUMMARY_TASK).items()}
        assert summaries == {host: [f"{a} {n}:{q}" for a, n, q in CHANGES[host]] for host in job.hosts}
        assert secrets_in(job) == []

    entries = lambda_requests(emulator)
    # Each region got exactly one host's calls, those of the slice that ran the host of that region, and no other
    # region was called: a slice that strayed would show as extra calls in the other slice's region.
    assert calls_by_region(entries) == expected_calls(list(HOSTS)), entries
    # AWS_SECURITY_TOKEN alone reached AWS: every Lambda call was signed with the session token.
    assert [entry for entry in entries if entry["session_token"] is not True] == []
    for region, after in AFTER.items():
        assert configs_in(emulator.endpoint, region) == after, region
    assert_outside_scope_untouched(emulator, entries)

    # A second run of both slices, each again a new job with a new private data dir, changes nothing.
    emulator.clear_requests()
    again = run_slices(fleet, emulator, tmp_path / "again")
    for job in again:
        assert (job.result.get("status"), job.result.get("rc")) == ("successful", 0), job.transcript
        assert set(job.result["stats"]["processed"]) == set(job.hosts), job.transcript
        assert not any(job.result["stats"]["changed"].values()), job.transcript
        assert {host: result["changed"] for host, result in job.task_results(APPLY_TASK).items()} == dict.fromkeys(
            job.hosts, False
        )
    entries = lambda_requests(emulator)
    assert calls_by_region(entries) == expected_calls(list(HOSTS), changed=False), entries
    assert [entry for entry in entries if entry["session_token"] is not True] == []
    for region, after in AFTER.items():
        assert configs_in(emulator.endpoint, region) == after, region
