"""The ground the audit is for (issue 21, "Done when"): one region holding every defect old accounts hold, each
planted through the public API, audited as a whole. The audit succeeds, names each defect once with its function
and qualifier, says nothing about the healthy functions, and what `gathered` returns applied back as `overridden`
changes nothing.
"""

from __future__ import annotations

import json
import uuid

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config_info as info
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_configs as plural
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

REGION = "us-east-1"
ROLES = ("healthy", "gone-role", "off-unrouted", "off-routed", "dlq-no-config", "ghost", "fifo")


class Estate:
    """One function per defect, each with a role of its own (so deleting one touches nothing else)."""

    def __init__(self, emulator, queue: str) -> None:
        self.prefix = f"estate-{uuid.uuid4().hex[:6]}"
        self.clients = fixtures.Clients(emulator.endpoint_url, REGION)
        self.queue = queue
        self.functions: dict[str, str] = {}
        self.queues: list[str] = []
        for part in ROLES:
            self.functions[part] = self._function(part)

    def name(self, part: str) -> str:
        return f"{self.prefix}-{part}"

    def _function(self, part: str, dead_letter: str | None = None) -> str:
        iam = self.clients.iam
        role = iam.create_role(
            RoleName=f"{self.name(part)}-role", AssumeRolePolicyDocument=json.dumps(fixtures.TRUST_POLICY)
        )["Role"]["Arn"]
        statement = {"Effect": "Allow", "Action": ["sqs:SendMessage", "sns:Publish"], "Resource": "*"}
        iam.put_role_policy(
            RoleName=f"{self.name(part)}-role",
            PolicyName="destinations",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
        return fixtures.create_function(self.clients, self.name(part), role)["name"]

    def plant(self) -> None:
        lam = self.clients.awslambda
        on_failure = {"OnFailure": {"Destination": self.queue}}
        for part in ("healthy", "gone-role", "off-routed"):
            lam.put_function_event_invoke_config(FunctionName=self.name(part), DestinationConfig=on_failure)
        fixtures.delete_function_role(self.clients, self.name("gone-role"))
        lam.put_function_event_invoke_config(FunctionName=self.name("off-unrouted"), MaximumRetryAttempts=0)
        fixtures.set_reserved_concurrency(self.clients, self.name("off-unrouted"))
        fixtures.set_reserved_concurrency(self.clients, self.name("off-routed"))
        # a dead-letter queue set long ago, deleted since; the function has no event invoke config at all
        url = self.clients.sqs.create_queue(QueueName=f"{self.prefix}-dlq")["QueueUrl"]
        dlq = f"arn:aws:sqs:{REGION}:123456789012:{self.prefix}-dlq"
        lam.update_function_configuration(FunctionName=self.name("dlq-no-config"), DeadLetterConfig={"TargetArn": dlq})
        lam.get_waiter("function_updated_v2").wait(FunctionName=self.name("dlq-no-config"))
        self.clients.sqs.delete_queue(QueueUrl=url)
        lam.put_function_event_invoke_config(FunctionName=self.name("ghost"), Qualifier="live", MaximumRetryAttempts=1)
        fixtures.delete_alias_leaving_config(self.clients, self.name("ghost"))
        planted = fixtures.put_fifo_destination_config(self.clients, self.name("fifo"), f"{self.prefix}-x.fifo")
        self.queues.append(planted["queue"]["url"])

    def close(self) -> None:
        for part in ROLES:
            self.clients.awslambda.delete_function(FunctionName=self.name(part))
            fixtures.delete_role(self.clients, f"{self.name(part)}-role")
        for url in self.queues:
            self.clients.sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def estate(run):
    made = Estate(run.emulator, run.world["queue"]["arn"])
    made.plant()
    run.clear()
    yield made
    made.close()


def test_the_audit_of_a_messy_region_names_each_defect_once_and_fails_for_none(run, estate):
    result = run(info, check_destinations=True)
    assert result["failed"] is False and result["changed"] is False, result.get("msg")
    ours = [f for f in result["findings"] if f["function_name"].startswith(estate.prefix)]
    found = sorted(
        (f["function_name"][len(estate.prefix) + 1 :], f["qualifier"], f["about"], f["outcome"]) for f in ours
    )
    assert found == [
        ("dlq-no-config", "$LATEST", "dead_letter", "missing"),
        ("fifo", "$LATEST", "on_failure", "unsupported"),
        ("ghost", "live", "qualifier", "orphaned"),
        ("gone-role", "$LATEST", "function", "missing"),
        ("off-unrouted", "$LATEST", "on_failure", "dropped"),
    ]
    for finding in ours:  # a job's output line says where, by itself; `cause` is the rest, shared across configs
        where = f"{finding['function_name']}:{finding['qualifier']}: "
        assert finding["message"] == where + finding["cause"] and estate.prefix not in finding["cause"].split(" ")[0]
    # the ghost config is still listed (it can only be deleted), so the audit lists what the plain listing does
    listed = run(info)["event_invoke_configs"]
    assert [c["function_arn"] for c in result["event_invoke_configs"]] == [c["function_arn"] for c in listed]
    assert run.writes() == []


def test_gathered_applied_back_as_overridden_changes_nothing_on_the_messy_region(run, estate):
    scope = [f"{estate.prefix}-*"]
    gathered = run(plural, state="gathered", scope=scope)
    assert gathered["failed"] is False, gathered.get("msg")
    assert len(gathered["gathered"]) == 6  # healthy, gone-role, off-routed, off-unrouted, ghost:live, fifo
    run.clear()
    for check in (True, False):
        applied = run(plural, check=check, state="overridden", scope=scope, config=gathered["gathered"])
        assert (applied["changed"], applied["failed"]) == (False, False), applied.get("msg")
        assert applied["summary"]["unchanged"] == 6
    assert run.writes() == []


def test_a_config_on_a_deleted_alias_can_be_deleted_and_check_mode_tells_an_update_fails_as_the_real_run(run, estate):
    ghost = estate.name("ghost")
    entry = [{"function_name": ghost, "qualifier": "live", "maximum_retry_attempts": 2}]
    predicted = run(plural, check=True, config=entry)
    real = run(plural, config=entry)
    assert predicted["failed"] is True and real["failed"] is True, (predicted.get("msg"), real.get("msg"))
    for result in (predicted, real):
        assert "qualifier live does not exist" in result["failed_configs"][0]["error"]
    deleted = run(plural, state="deleted", config=[{"function_name": ghost, "qualifier": "live"}])
    assert (deleted["changed"], deleted["failed"]) == (True, False), deleted.get("msg")
    assert run(info, function_name=ghost)["event_invoke_configs"] == []
