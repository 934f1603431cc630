"""End to end, drift repaired as it happens (issue 23): the emulator sends the CloudTrail event of every config write to
an SQS queue, ansible-rulebook runs the shipped rulebook with the shipped event source and repair playbook from the
installed collection, and out-of-band changes made with another identity are put back.

Run by `nox -s eda` (after `build`), which passes EDA_VENV (tools/bootstrap.py's .venv-eda: ansible-rulebook, Java 17
from the machine) and COLLECTION_INSTALL_PATH (the installed tarball). One repair run reads each function it repairs
with exactly one ListFunctionEventInvokeConfigs (the desired-state module's one read per function), so the request
log counts runs per function.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.config import Config

from ansible_collections.cloudops.aws_lambda.tests.emulator import ctl
from ansible_collections.cloudops.aws_lambda.tests.support import rulebook
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

REGION, QUEUE = "us-east-1", "lambda-config-changes"
REPAIRED_WITHIN = 10  # seconds from the event's arrival (the emulator sends it as it answers the change)
# After the queue is drained: long enough for a second run to have read its functions, had one been triggered (a
# throttle window, then ansible-playbook's start, which takes a few seconds more on a loaded 2-core machine)
QUIET = rulebook.WINDOW + 8
LIST = "ListFunctionEventInvokeConfigs"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def settings(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """A config as GetFunctionEventInvokeConfig answers it, reduced to its four settings (None: no config)."""
    if item is None:
        return None
    destinations = item.get("DestinationConfig") or {}
    return {
        "retries": item.get("MaximumRetryAttempts"),
        "age": item.get("MaximumEventAgeInSeconds"),
        "on_success": (destinations.get("OnSuccess") or {}).get("Destination"),
        "on_failure": (destinations.get("OnFailure") or {}).get("Destination"),
    }


@dataclass
class Stack:
    endpoint: str
    functions: list[str]
    queue_arn: str
    topic_arn: str
    console: Any  # Lambda client of another identity: the out-of-band changes
    admin: Any  # Lambda client of the default test identity: reads
    desired: dict[tuple[str, str], dict[str, Any] | None]
    rulebook: rulebook.Rulebook
    sqs: Any
    changes_url: str

    def current(self, function: str, qualifier: str = "$LATEST") -> dict[str, Any] | None:
        try:
            return settings(self.admin.get_function_event_invoke_config(FunctionName=function, Qualifier=qualifier))
        except self.admin.exceptions.ResourceNotFoundException:
            return None

    def runs(self, function: str) -> int:
        """Repair runs that read this function so far (the out-of-band changes never List)."""
        query = f"operation={LIST}&function_name={function}"
        with urllib.request.urlopen(f"{self.endpoint}/_emulator/requests?{query}", timeout=5) as response:
            return int(json.loads(response.read())["count"])

    def quiet(self) -> None:
        """Wait until the rulebook has taken every event from the queue (the repair's own included), then QUIET."""
        deadline = time.monotonic() + 30
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        while any(
            self.sqs.get_queue_attributes(QueueUrl=self.changes_url, AttributeNames=names)["Attributes"][n] != "0"
            for n in names
        ):
            assert time.monotonic() < deadline, f"events left in the queue:\n{self.rulebook.tail()}"
            time.sleep(0.1)
        time.sleep(QUIET)

    def cloudtrail(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.endpoint}/_emulator/cloudtrail", timeout=5) as response:
            return dict(json.loads(response.read()))

    def wait_repaired(self, targets: list[tuple[str, str]], since: float) -> dict[tuple[str, str], float]:
        """Seconds from `since` until each config is back to its desired state; fails after REPAIRED_WITHIN + 5 s."""
        done: dict[tuple[str, str], float] = {}
        while len(done) < len(targets) and time.monotonic() - since < REPAIRED_WITHIN + 5:
            for target in targets:
                if target not in done and self.current(*target) == self.desired[target]:
                    done[target] = time.monotonic() - since
            time.sleep(0.1)
        missing = {t: self.current(*t) for t in targets if t not in done}
        assert not missing, f"not repaired: {missing}; rulebook output:\n{self.rulebook.tail()}"
        return done


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("eda")
    state = tmp / "emulator"
    running_emulator = ctl.start(state, extra_args=["--cloudtrail-queue", QUEUE])
    running = None
    try:
        endpoint = running_emulator.endpoint
        clients = fixtures.Clients(endpoint, REGION)
        world = fixtures.create("eda", endpoint, REGION, functions=4, clients=clients)
        functions = [f["name"] for f in world["functions"]]
        queue_arn = world["queue"]["arn"]
        changes_url = clients.sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        repair_keys, repair_arn = rulebook.identity(clients.iam, endpoint, REGION, "eda-repair")
        console_keys, console_arn = rulebook.identity(clients.iam, endpoint, REGION, "console-user")
        assert repair_arn != console_arn
        # The desired state, as a user keeps it: one glob entry for every function ($LATEST), then particulars
        desired_config: list[dict[str, Any]] = [
            {"function_name": "eda-fn-*", "maximum_event_age_in_seconds": 3600},
            {"function_name": functions[0], "maximum_retry_attempts": 1, "on_failure": queue_arn},
            {"function_name": f"{functions[0]}:live", "maximum_retry_attempts": 0},
            {"function_name": functions[1], "maximum_retry_attempts": 2},
            {"function_name": functions[2], "maximum_retry_attempts": 0, "on_failure": queue_arn},
            {"function_arn": f"{world['functions'][3]['arn']}:$LATEST", "maximum_retry_attempts": 1},
        ]
        desired_file = tmp / "event-invoke-configs.yml"
        desired_file.write_text(yaml.safe_dump({"config": desired_config}))
        desired: dict[tuple[str, str], dict[str, Any] | None] = {
            (functions[0], "$LATEST"): {"retries": 1, "age": 3600, "on_success": None, "on_failure": queue_arn},
            (functions[0], "live"): {"retries": 0, "age": None, "on_success": None, "on_failure": None},  # no glob
            (functions[1], "$LATEST"): {"retries": 2, "age": 3600, "on_success": None, "on_failure": None},
            (functions[2], "$LATEST"): {"retries": 0, "age": 3600, "on_success": None, "on_failure": queue_arn},
            (functions[3], "$LATEST"): {"retries": 1, "age": 3600, "on_success": None, "on_failure": None},
        }
        admin = clients.awslambda
        for (function, qualifier), want in desired.items():  # in place before the rulebook starts
            assert want is not None
            destination = {"OnFailure": {"Destination": want["on_failure"]}} if want["on_failure"] else {}
            age = {"MaximumEventAgeInSeconds": want["age"]} if want["age"] else {}
            admin.put_function_event_invoke_config(
                FunctionName=function,
                Qualifier=qualifier,
                MaximumRetryAttempts=want["retries"],
                DestinationConfig=destination,
                **age,
            )
        clients.sqs.purge_queue(QueueUrl=changes_url)
        console = boto3.client("lambda", region_name=REGION, endpoint_url=endpoint, config=NO_RETRIES, **console_keys)
        rulebook_vars = {
            "config_changes_queue": QUEUE,
            "repairing_identities": [repair_arn],
            "desired_state_file": str(desired_file),
        }
        collections = os.environ["COLLECTION_INSTALL_PATH"]
        eda_venv = Path(os.environ["EDA_VENV"])
        running = rulebook.start(tmp, eda_venv, collections, endpoint, REGION, repair_keys, rulebook_vars)
        topic_arn = world["topic"]["arn"]
        yield Stack(
            endpoint, functions, queue_arn, topic_arn, console, admin, desired, running, clients.sqs, changes_url
        )
    finally:
        if running is not None:
            running.stop()
            sys.stderr.write(f"\nansible-rulebook's output: {tmp / 'rulebook.log'}\n")
        ctl.stop(state)


def test_out_of_band_put_update_and_delete_are_each_repaired(stack: Stack) -> None:
    fn = stack.functions
    changed_at = time.monotonic()
    # another identity changes retries, max age, a destination, and deletes a config
    stack.console.put_function_event_invoke_config(FunctionName=fn[0], MaximumRetryAttempts=2)  # drops age, on_failure
    stack.console.update_function_event_invoke_config(FunctionName=fn[1], MaximumEventAgeInSeconds=60)
    stack.console.update_function_event_invoke_config(  # on_failure: the world's queue -> the topic
        FunctionName=fn[2], DestinationConfig={"OnFailure": {"Destination": stack.topic_arn}}
    )
    stack.console.delete_function_event_invoke_config(FunctionName=fn[3])
    assert [stack.current(f) for f in fn] != [stack.desired[(f, "$LATEST")] for f in fn]
    targets = [(f, "$LATEST") for f in fn]
    repaired = stack.wait_repaired(targets, changed_at)
    assert max(repaired.values()) < REPAIRED_WITHIN, repaired
    assert stack.current(fn[0], "live") == stack.desired[(fn[0], "live")]  # overridden kept the other qualifier
    sys.stderr.write(f"repaired after {sorted(round(s, 1) for s in repaired.values())} s\n")


def test_the_repairs_own_writes_cause_no_second_run(stack: Stack) -> None:
    runs = {f: stack.runs(f) for f in stack.functions}
    assert all(count == 1 for count in runs.values()), runs  # each change repaired by one run
    sent = stack.cloudtrail()["sent"]
    assert sent >= 4 + 4  # the four changes and the repair's own writes: all of them reached the queue
    stack.quiet()
    assert {f: stack.runs(f) for f in stack.functions} == runs, stack.rulebook.tail()
    assert all(stack.current(f) == stack.desired[(f, "$LATEST")] for f in stack.functions)


def test_a_burst_of_three_changes_is_one_run_and_ends_repaired(stack: Stack) -> None:
    fn = stack.functions[0]
    before = stack.runs(fn)
    changed_at = time.monotonic()
    stack.console.put_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=0)
    stack.console.update_function_event_invoke_config(FunctionName=fn, MaximumEventAgeInSeconds=120)
    stack.console.update_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=2)
    assert stack.current(fn) == {"retries": 2, "age": 120, "on_success": None, "on_failure": None}
    repaired = stack.wait_repaired([(fn, "$LATEST")], changed_at)
    assert max(repaired.values()) < REPAIRED_WITHIN, repaired
    stack.quiet()
    assert stack.runs(fn) == before + 1, stack.rulebook.tail()
    assert stack.current(fn) == stack.desired[(fn, "$LATEST")]


def test_the_controller_rulebook_is_valid_and_guards_as_the_other_does() -> None:
    """Not run here (it needs an EDA controller): ansible-rulebook's own schema and parser accept it, and it differs
    from the tested rulebook only in its action, run_job_template."""
    eda_python = Path(os.environ["EDA_VENV"]) / "bin" / "python"
    rulebooks = Path(os.environ["COLLECTION_INSTALL_PATH"]) / "ansible_collections/cloudops/aws_lambda/extensions/eda"
    check = (
        "import json, sys, yaml\n"
        "from ansible_rulebook.rules_parser import parse_rule_sets\n"
        "from ansible_rulebook.validators import Validate\n"
        "for path in sys.argv[1:]:\n"
        "    data = yaml.safe_load(open(path))\n"
        "    Validate.rulebook(data)\n"
        "    parse_rule_sets(data)\n"
        "    print(json.dumps(data))\n"
    )
    paths = [rulebooks / "rulebooks" / f"repair_event_invoke_config{suffix}.yml" for suffix in ("", "_controller")]
    completed = subprocess.run([eda_python, "-c", check, *map(str, paths)], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    (tested,), (controller,) = (json.loads(line) for line in completed.stdout.splitlines())
    assert controller["sources"] == tested["sources"]
    (tested_rule,), (controller_rule,) = tested["rules"], controller["rules"]
    assert {k: v for k, v in controller_rule.items() if k != "action"} == {
        k: v for k, v in tested_rule.items() if k != "action"
    }
    assert list(tested_rule["action"]) == ["run_playbook"]
    assert controller_rule["action"] == {
        "run_job_template": {"name": "{{ repair_job_template }}", "organization": "{{ repair_organization }}"}
    }
