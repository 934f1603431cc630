"""A function whose execution role was deleted (C25), end to end against the emulator: the audit, check mode and the
real runs of both writing modules give that function's configs one verdict (the role is missing), and every other
config goes on as if nothing were wrong. Issue 21: one deleted role used to fail the whole task.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config as single
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config_info as info
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_configs as plural
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

REGION = "us-east-1"
PUT = "PutFunctionEventInvokeConfig"


class Orphan:
    """A function of its own whose role may send to any queue, then deleted the way IAM requires."""

    def __init__(self, emulator) -> None:
        self.prefix = f"orphan-{uuid.uuid4().hex[:8]}"
        self.clients = fixtures.Clients(emulator.endpoint_url, REGION)
        self.role_name = f"{self.prefix}-role"
        iam = self.clients.iam
        self.role = iam.create_role(
            RoleName=self.role_name, AssumeRolePolicyDocument=json.dumps(fixtures.TRUST_POLICY)
        )["Role"]["Arn"]
        statement = {"Effect": "Allow", "Action": ["sqs:SendMessage", "sns:Publish"], "Resource": "*"}
        iam.put_role_policy(
            RoleName=self.role_name,
            PolicyName="destinations",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
        self.names = [
            fixtures.create_function(self.clients, f"{self.prefix}-fn-{i}", self.role)["name"] for i in (1, 2)
        ]

    def delete_role(self) -> None:
        assert fixtures.delete_role(self.clients, self.role_name)

    def close(self) -> None:
        for name in self.names:
            self.clients.awslambda.delete_function(FunctionName=name)
        fixtures.delete_role(self.clients, self.role_name)


@pytest.fixture
def orphan(run):
    made = Orphan(run.emulator)
    yield made
    made.close()


def test_the_audit_reports_a_deleted_role_once_per_config_and_checks_every_other_config(run, orphan):
    queue = run.world["queue"]["arn"]
    healthy = run.world["functions"][0]["name"]
    lam = run.emulator.client("lambda")
    for name in (*orphan.names, healthy):
        lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnFailure": {"Destination": queue}})
    orphan.delete_role()
    run.clear()
    result = run(info, check_destinations=True)
    assert result["failed"] is False, result
    mine = [f for f in result["findings"] if f["function_name"] in orphan.names]
    assert [(f["function_name"], f["about"], f["outcome"], f["destination"]) for f in mine] == [
        (name, "function", "missing", None) for name in orphan.names
    ]
    for finding in mine:
        assert finding["message"].startswith(f"{finding['function_name']}:$LATEST: The function's execution role ")
        assert orphan.role in finding["message"] and "does not exist" in finding["message"]
    assert not [f for f in result["findings"] if f["function_name"] == healthy]
    by_name = {c["function_name"]: c for c in result["event_invoke_configs"] if c["qualifier"] == "$LATEST"}
    assert [check["outcome"] for check in by_name[healthy]["destination_checks"]] == ["ok"]
    for name in orphan.names:  # the destination's own verdict says why, naming the role
        [check] = by_name[name]["destination_checks"]
        assert check["outcome"] == "missing" and orphan.role in check["message"]
    # the deleted role is simulated once, however many functions run as it
    assert run.reads_elsewhere().count("iam:SimulatePrincipalPolicy") == 2  # the shared world's role, and this one


@pytest.mark.parametrize("check", [True, False], ids=["check-mode", "real-run"])
def test_the_desired_state_fails_the_configs_of_a_deleted_role_at_once_in_one_cause(run, orphan, check):
    queue = run.world["queue"]["arn"]
    healthy = run.world["functions"][0]["name"]
    orphan.delete_role()
    config = [
        {"function_name": f"{orphan.prefix}-fn-*", "on_failure": queue},
        {"function_name": healthy, "on_failure": queue},
    ]
    started = time.monotonic()
    result = run(plural, check=check, config=config, retry_timeout=60)
    elapsed = time.monotonic() - started
    assert result["failed"] is True
    assert sorted(f["function_name"] for f in result["failed_configs"]) == orphan.names
    assert [(c["function_name"], c["action"]) for c in result["changes"]] == [(healthy, "created")]
    # one cause for both, naming the role; not retried as propagation (retry_timeout=60 is far from spent)
    assert result["msg"].count("does not exist") == 1 and orphan.role in result["msg"], result["msg"]
    assert f"2 configs ({orphan.names[0]}:$LATEST, {orphan.names[1]}:$LATEST)" in result["msg"]
    assert "retried" not in result["msg"] and elapsed < 30
    if check:
        assert run.writes() == []
    else:  # the first refused write is diagnosed; the other config of the same role is not tried
        assert run.calls().count(PUT) <= 3


def test_check_mode_of_the_single_module_fails_naming_the_role_not_the_simulation(run, orphan):
    orphan.delete_role()
    result = run(single, check=True, function_name=orphan.names[0], on_failure=run.world["queue"]["arn"])
    assert result["failed"] is True
    assert f"the function's execution role {orphan.role} does not exist" in result["msg"]
    assert "NoSuchEntity" in result["msg"] and "SimulatePrincipalPolicy failed" not in result["msg"]
    assert run.writes() == []


def test_a_write_without_a_destination_on_a_deleted_role_is_accepted_as_aws_does(run, orphan):
    """C25: a Put without a destination needs no permission; nothing is simulated for it."""
    orphan.delete_role()
    run.clear()
    result = run(single, function_name=orphan.names[0], maximum_retry_attempts=1)
    assert result["failed"] is False and result["changed"] is True
    assert "iam:SimulatePrincipalPolicy" not in run.reads_elsewhere()
