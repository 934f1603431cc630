"""lambda_event_invoke_config_info with check_destinations: the audit of what is there, end to end against the
emulator, call-exact from its request log.

Each test that breaks something gets a function of its own (version 1, alias live) whose role may send to any queue
or topic named after it, so it can delete a queue, take a statement away from the role, encrypt a queue with a key
the role may not use, set a dead-letter queue or leave a FIFO queue as another tool would, without touching the
shared world.
"""

from __future__ import annotations

import json
import uuid

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config_info as module
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

REGION = "us-east-1"
ACCOUNT = "123456789012"
LIST = "ListFunctionEventInvokeConfigs"
# The only calls an audit may make besides the listing: reads.
READS = {
    "sqs:GetQueueAttributes",
    "sns:GetTopicAttributes",
    "events:DescribeEventBus",
    "s3:HeadBucket",
    "s3:GetBucketPolicy",
    "lambda:GetPolicy",
    "iam:SimulatePrincipalPolicy",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
}


class Corner:
    """A function of its own and what its destinations may be; `close` deletes it all."""

    def __init__(self, emulator) -> None:
        self.prefix = f"audit-{uuid.uuid4().hex[:8]}"
        self.clients = fixtures.Clients(emulator.endpoint_url, REGION)
        self.queues: list[str] = []
        self.topics: list[str] = []
        self.keys: list[str] = []
        iam = self.clients.iam
        self.role_name = f"{self.prefix}-role"
        role = iam.create_role(RoleName=self.role_name, AssumeRolePolicyDocument=json.dumps(fixtures.TRUST_POLICY))
        self.role = role["Role"]["Arn"]
        self.grant("*")
        self.function = fixtures.create_function(self.clients, f"{self.prefix}-fn", self.role)
        self.name = self.function["name"]

    def grant(self, *names: str) -> None:
        """The role's only policy: sqs:SendMessage and sns:Publish on the queues and topics of this corner named
        `names` (wildcards allowed)."""
        resources = [
            f"arn:aws:{service}:{REGION}:{ACCOUNT}:{self.prefix}-{name}" for service in ("sqs", "sns") for name in names
        ]
        statement = {"Effect": "Allow", "Action": ["sqs:SendMessage", "sns:Publish"], "Resource": resources}
        self.clients.iam.put_role_policy(
            RoleName=self.role_name,
            PolicyName="destinations",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )

    def queue(self, suffix: str, fifo: bool = False) -> str:
        name = f"{self.prefix}-{suffix}" + (".fifo" if fifo else "")
        url = self.clients.sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"} if fifo else {})
        self.queues.append(url["QueueUrl"])
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def topic(self, suffix: str) -> str:
        arn = self.clients.sns.create_topic(Name=f"{self.prefix}-{suffix}")["TopicArn"]
        self.topics.append(arn)
        return arn

    def delete_queue(self, arn: str) -> None:
        url = self.clients.sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
        self.clients.sqs.delete_queue(QueueUrl=url)
        self.queues.remove(url)

    def locked_key(self) -> str:
        """A KMS key whose policy lets the account administer it but not use it (world.py's): whatever the role's
        own policies say, it may not encrypt with it, so records sent to a queue on it are lost (C19)."""
        key = fixtures.create_key(self.clients, f"alias/{self.prefix}-locked", fixtures.admin_only_key_policy(ACCOUNT))
        self.keys.append(key["id"])
        return key["arn"]

    def encrypt(self, arn: str, key: str) -> None:
        """Encrypt an existing queue with `key`, as someone may do long after the config was written."""
        url = self.clients.sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
        self.clients.sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": key})

    def dead_letter(self, arn: str) -> None:
        """The function's ($LATEST's) dead-letter target; Lambda checks the role may send there (world.py)."""
        lam = self.clients.awslambda
        lam.update_function_configuration(FunctionName=self.name, DeadLetterConfig={"TargetArn": arn})
        lam.get_waiter("function_updated_v2").wait(FunctionName=self.name)

    def use(self, half: str, arn: str) -> None:
        """`arn` on `half` of $LATEST: a destination of its config, or the function's dead-letter target (then the
        config has no destination, so the dead-letter target is all there is to check)."""
        if half == "dead_letter":
            self.put()
            self.dead_letter(arn)
        else:
            self.put(**{half: arn})

    def put(self, qualifier: str = "$LATEST", **halves: str) -> None:
        """A config written by another tool (boto3), which nothing here validates."""
        config = {
            ("OnSuccess" if half == "on_success" else "OnFailure"): {"Destination": arn} for half, arn in halves.items()
        }
        self.clients.awslambda.put_function_event_invoke_config(
            FunctionName=self.name, Qualifier=qualifier, MaximumRetryAttempts=0, DestinationConfig=config
        )

    def reserve(self, concurrency: int) -> None:
        """The function's reserved concurrency; 0 switches it off (C20)."""
        fixtures.set_reserved_concurrency(self.clients, self.name, concurrency)

    def delete_alias(self, alias: str) -> None:
        """Delete the alias after its config was written: Lambda keeps listing the config (C15)."""
        self.clients.awslambda.delete_alias(FunctionName=self.name, Name=alias)

    def close(self) -> None:
        self.clients.awslambda.delete_function(FunctionName=self.name)
        for url in self.queues:
            self.clients.sqs.delete_queue(QueueUrl=url)
        for arn in self.topics:
            self.clients.sns.delete_topic(TopicArn=arn)
        for key in self.keys:
            self.clients.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        self.clients.iam.delete_role_policy(RoleName=self.role_name, PolicyName="destinations")
        self.clients.iam.delete_role(RoleName=self.role_name)


@pytest.fixture
def corner(run):
    made = Corner(run.emulator)
    run.clear()
    yield made
    made.close()


def audit(run, **params):
    result = run(module, check_destinations=True, **params)
    assert result["failed"] is False and result["changed"] is False, result
    assert run.writes() == []
    assert set(run.reads_elsewhere()) <= READS, run.reads_elsewhere()
    return result


def checks_of(result) -> dict:
    return {
        (c["qualifier"], check["half"]): check
        for c in result["event_invoke_configs"]
        for check in c["destination_checks"]
    }


# ---------------------------------------------------------------------------------------------- healthy


def test_healthy_configs_give_no_finding_and_a_shared_destination_and_role_are_read_once(run):
    """Three configs of one function, one role: the queue used by two of them is read once, the role simulated
    once for both destinations, and GetFunction made once per qualifier with a config."""
    name = run.world["functions"][0]["name"]
    queue, topic = run.world["queue"]["arn"], run.world["topic"]["arn"]
    lam = run.emulator.client("lambda")
    lam.put_function_event_invoke_config(
        FunctionName=name, Qualifier="$LATEST", DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    lam.put_function_event_invoke_config(
        FunctionName=name,
        Qualifier="live",
        DestinationConfig={"OnSuccess": {"Destination": topic}, "OnFailure": {"Destination": queue}},
    )
    lam.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumRetryAttempts=0)
    run.clear()
    result = audit(run, function_name=name)
    assert result["findings"] == []
    assert [
        (c["qualifier"], [(d["half"], d["outcome"]) for d in c["destination_checks"]])
        for c in result["event_invoke_configs"]
    ] == [
        ("$LATEST", [("on_failure", "ok")]),
        ("1", []),
        ("live", [("on_success", "ok"), ("on_failure", "ok")]),
    ]
    assert all(
        set(d) == {"half", "destination", "outcome", "message"}
        for c in result["event_invoke_configs"]
        for d in c["destination_checks"]
    )
    assert run.calls()[0] == LIST and sorted(run.calls()[1:]) == ["GetFunction"] * 3
    assert sorted(run.reads_elsewhere()) == [
        "iam:SimulatePrincipalPolicy",
        "sns:GetTopicAttributes",
        "sqs:GetQueueAttributes",
    ]
    assert result["warnings"] == []


def test_without_check_destinations_the_result_and_the_calls_are_as_before(run):
    name = run.world["functions"][0]["name"]
    run.emulator.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        Qualifier="$LATEST",
        DestinationConfig={"OnFailure": {"Destination": run.world["queue"]["arn"]}},
    )
    run.clear()
    result = run(module, function_name=name)
    assert "findings" not in result
    assert all("destination_checks" not in config for config in result["event_invoke_configs"])
    assert run.calls() == [LIST] and run.reads_elsewhere() == []


# ---------------------------------------------------------------------------------------- each breakage, each half

HALVES = ["on_success", "on_failure", "dead_letter"]


def only_finding(result, half: str, destination: str) -> dict:
    [finding] = result["findings"]
    assert (finding["qualifier"], finding["about"], finding["destination"]) == ("$LATEST", half, destination)
    return finding


@pytest.mark.parametrize("half", HALVES)
def test_a_healthy_destination_gives_no_finding(run, corner, half):
    queue = corner.queue("fine")
    corner.use(half, queue)
    run.clear()
    result = audit(run, function_name=corner.name)
    assert result["findings"] == [] and result["warnings"] == []
    [entry] = result["event_invoke_configs"]
    assert [(c["half"], c["destination"], c["outcome"]) for c in entry["destination_checks"]] == [(half, queue, "ok")]
    assert run.calls() == [LIST, "GetFunction"]
    assert run.reads_elsewhere() == ["sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"]


@pytest.mark.parametrize("half", HALVES)
def test_a_deleted_destination_is_missing(run, corner, half):
    queue = corner.queue("gone")
    corner.use(half, queue)
    corner.delete_queue(queue)
    run.clear()
    finding = only_finding(audit(run, function_name=corner.name), half, queue)
    assert finding["function_name"] == corner.name and finding["outcome"] == "missing"
    assert "does not exist in region us-east-1" in finding["message"] and "QueueDoesNotExist" in finding["message"]
    assert run.reads_elsewhere() == ["sqs:GetQueueAttributes"]  # a missing destination needs no simulation


@pytest.mark.parametrize("half", HALVES)
def test_a_role_that_lost_its_statement_is_denied(run, corner, half):
    queue = corner.queue("records")
    corner.use(half, queue)
    corner.grant("other-*")  # the statement for this queue taken away after the config was written
    run.clear()
    finding = only_finding(audit(run, function_name=corner.name), half, queue)
    assert finding["outcome"] == "denied"
    assert corner.role in finding["message"] and "sqs:SendMessage" in finding["message"]
    # the queue has no policy of its own that could grant it instead: it came with the existence read
    assert run.reads_elsewhere() == ["sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"]


@pytest.mark.parametrize("half", HALVES)
def test_a_queue_encrypted_later_with_a_key_the_role_may_not_use_is_denied(run, corner, half):
    """C19: Lambda accepts it and loses every record at delivery; the key is read once (DescribeKey, its policy)
    and its actions are asked in the role's one simulation."""
    queue = corner.queue("sealed")
    corner.use(half, queue)
    key = corner.locked_key()
    corner.encrypt(queue, key)
    run.clear()
    finding = only_finding(audit(run, function_name=corner.name), half, queue)
    assert finding["outcome"] == "denied"
    assert key in finding["message"] and corner.role in finding["message"] and "kms:" in finding["message"]
    assert "drops every record" in finding["message"]
    assert sorted(run.reads_elsewhere()) == [
        "iam:SimulatePrincipalPolicy",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "sqs:GetQueueAttributes",
    ]


@pytest.mark.parametrize("half", HALVES)
def test_a_fifo_queue_left_by_another_tool_is_unsupported_without_reading_it(run, corner, half):
    fifo = corner.queue("ordered", fifo=True)
    corner.use(half, fifo)  # Lambda accepts it (C11), then drops every record
    run.clear()
    finding = only_finding(audit(run, function_name=corner.name), half, fifo)
    assert finding["outcome"] == "unsupported"
    assert "FIFO queue" in finding["message"] and "every record is dropped" in finding["message"]
    assert run.reads_elsewhere() == []  # known from the ARN


@pytest.mark.parametrize("half", HALVES)
def test_a_destination_the_caller_may_not_read_is_unverified_with_a_warning(run, corner, half):
    queue = corner.queue("hidden")
    corner.use(half, queue)
    run.clear()
    run.emulator.set_faults(denied_actions=["sqs:GetQueueAttributes"])
    result = audit(run, function_name=corner.name)
    finding = only_finding(result, half, queue)
    assert finding["outcome"] == "unverified" and "sqs:GetQueueAttributes" in finding["message"]
    [warning] = result["warnings"]
    assert "sqs:GetQueueAttributes" in warning and warning.startswith("Destination audit: ")


def test_every_outcome_side_by_side_on_one_function_with_its_qualifiers(run, corner):
    """One audit of a function whose qualifiers (and dead-letter queue) hold every kind of breakage; the healthy
    ones give no finding, and what several of them share is read once: the healthy queue, the role, the key."""
    healthy, gone, revoked = corner.queue("ok"), corner.queue("gone"), corner.queue("revoked")
    sealed, sealed_dead_letter = corner.queue("enc-1"), corner.queue("enc-2")
    fifo, topic = corner.queue("x", fifo=True), corner.topic("records")
    corner.clients.awslambda.create_alias(FunctionName=corner.name, Name="blue", FunctionVersion="1")
    corner.put("$LATEST", on_success=healthy, on_failure=gone)
    corner.dead_letter(sealed_dead_letter)
    corner.put("live", on_success=revoked, on_failure=fifo)
    corner.put("1", on_success=topic, on_failure=healthy)
    corner.put("blue", on_failure=sealed)
    corner.delete_queue(gone)
    corner.grant("ok", "enc-*")
    key = corner.locked_key()
    corner.encrypt(sealed, key)
    corner.encrypt(sealed_dead_letter, key)
    run.clear()
    result = audit(run, function_name=corner.name)
    outcomes = {key: check["outcome"] for key, check in checks_of(result).items()}
    assert outcomes == {
        ("$LATEST", "on_success"): "ok",
        ("$LATEST", "on_failure"): "missing",
        ("$LATEST", "dead_letter"): "denied",  # its key
        ("1", "on_success"): "unverified",  # only the topic's default policy grants it, under a condition
        ("1", "on_failure"): "ok",
        ("blue", "on_failure"): "denied",  # its key
        ("live", "on_success"): "denied",  # the role's statement
        ("live", "on_failure"): "unsupported",
    }
    assert [(f["qualifier"], f["about"], f["outcome"]) for f in result["findings"]] == [
        ("$LATEST", "on_failure", "missing"),
        ("$LATEST", "dead_letter", "denied"),
        ("1", "on_success", "unverified"),
        ("blue", "on_failure", "denied"),
        ("live", "on_success", "denied"),
        ("live", "on_failure", "unsupported"),
    ]
    assert len(result["warnings"]) == 3  # never silent: the unverified topic, and each queue on the locked key
    assert any(topic in warning for warning in result["warnings"])
    # one read per distinct destination (not the FIFO queue), one simulation, the shared key described once
    assert (
        sorted(run.reads_elsewhere())
        == [
            "iam:SimulatePrincipalPolicy",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "sns:GetTopicAttributes",
        ]
        + ["sqs:GetQueueAttributes"] * 5
    )
    assert run.calls()[0] == LIST and sorted(run.calls()[1:]) == ["GetFunction"] * 4


def test_one_qualifier_is_audited_alone(run, corner):
    gone = corner.queue("gone")
    corner.put("live", on_failure=corner.queue("ok"))
    corner.put("$LATEST", on_failure=gone)
    corner.delete_queue(gone)
    run.clear()
    result = audit(run, function_name=corner.name, qualifier="live")
    assert [c["qualifier"] for c in result["event_invoke_configs"]] == ["live"] and result["findings"] == []
    assert run.calls() == ["GetFunctionEventInvokeConfig", "GetFunction"]


def test_the_region_audit_finds_each_broken_destination_among_every_function(run, corner):
    """Region-wide: every function listed once, GetFunction for each config (and for each function without one: none
    here), and one read per distinct destination and role however many functions share them."""
    queue = run.world["queue"]["arn"]
    lam = run.emulator.client("lambda")
    for function in run.world["functions"]:
        lam.put_function_event_invoke_config(
            FunctionName=function["name"], Qualifier="$LATEST", DestinationConfig={"OnFailure": {"Destination": queue}}
        )
    gone = corner.queue("gone")
    corner.put("live", on_failure=gone)
    corner.delete_queue(gone)
    run.clear()
    result = audit(run, concurrency=4)
    ours = {run.world["functions"][0]["name"], run.world["functions"][1]["name"], corner.name}
    findings = [f for f in result["findings"] if f["function_name"] in ours]
    assert [(f["function_name"], f["qualifier"], f["about"], f["outcome"]) for f in findings] == [
        (corner.name, "live", "on_failure", "missing")
    ]
    configs = [c for c in result["event_invoke_configs"] if c["function_name"] in ours]
    assert len(configs) == 3
    calls = run.calls()
    functions = len(lam.list_functions()["Functions"])
    assert calls.count(LIST) == functions
    # every function of this world has a config, so GetFunction is made once per config and for no other function
    assert functions == len(ours) and calls.count("GetFunction") == len(result["event_invoke_configs"])
    assert set(calls) == {"ListFunctions", LIST, "GetFunction"}
    reads = run.reads_elsewhere()
    assert reads.count("sqs:GetQueueAttributes") == len(
        {d["destination"] for c in result["event_invoke_configs"] for d in c["destination_checks"]}
    )
    # the world's role, once for both functions; the corner's only destination is gone, so its role needs none
    assert reads.count("iam:SimulatePrincipalPolicy") == 1


# ------------------------------------------------------------------------------------ the caller's own permissions


def test_reads_the_caller_may_not_make_are_unverified_with_one_warning_each_and_no_failure(run, corner):
    corner.put("$LATEST", on_failure=corner.queue("a"))
    corner.put("live", on_success=corner.queue("b"))
    run.clear()
    run.emulator.set_faults(denied_actions=["sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"])
    result = audit(run, function_name=corner.name)
    assert [f["outcome"] for f in result["findings"]] == ["unverified", "unverified"]
    assert len(result["warnings"]) == 2  # once per permission, not once per destination
    for permission in ("sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"):
        [warning] = [w for w in result["warnings"] if permission in w]
        assert warning.startswith("Destination audit: ") and warning.endswith("or set check_destinations: false.")


def test_a_caller_that_may_not_call_get_function_gets_unverified_checks_and_one_warning(run, corner):
    corner.put("$LATEST", on_failure=corner.queue("a"))
    corner.put("live", on_failure=corner.queue("b", fifo=True))
    run.clear()
    run.emulator.set_faults(denied_actions=["lambda:GetFunction"])
    result = audit(run, function_name=corner.name)
    assert [(f["qualifier"], f["outcome"]) for f in result["findings"]] == [
        ("$LATEST", "unverified"),
        ("live", "unsupported"),
    ]
    assert "lambda:GetFunction" in result["findings"][0]["message"]
    [warning] = result["warnings"]
    assert "lambda:GetFunction" in warning and "check_destinations: false" in warning
    # the queue is still looked for; without a role there is nothing to simulate, and the FIFO queue is not read
    assert run.reads_elsewhere() == ["sqs:GetQueueAttributes"]


# ------------------------------------------------------------------------------ a qualifier that no longer exists


def test_a_config_left_on_a_deleted_alias_is_orphaned_kept_and_costs_no_call_more(run, corner):
    """C15: Lambda keeps listing the config of a deleted alias, and GetFunction on it answers 404. The audit keeps the
    config (as the listing without the audit does), says it can only be deleted, and checks none of its destinations
    (there is no role to check them with); the GetFunction it makes for every config is all it takes."""
    healthy, stranded = corner.queue("ok"), corner.queue("stranded")
    corner.put("$LATEST", on_failure=healthy)
    corner.clients.awslambda.create_alias(FunctionName=corner.name, Name="old", FunctionVersion="1")
    corner.put("old", on_failure=stranded)
    corner.delete_alias("old")
    listed = corner.clients.awslambda.list_function_event_invoke_configs(FunctionName=corner.name)
    arns = [item["FunctionArn"] for item in listed["FunctionEventInvokeConfigs"]]
    assert sorted(arn.rsplit(":", 1)[1] for arn in arns) == ["$LATEST", "old"]  # kept listed, as Lambda does
    run.clear()
    plain = run(module, function_name=corner.name)
    run.clear()
    result = audit(run, function_name=corner.name)
    assert [c["qualifier"] for c in result["event_invoke_configs"]] == ["$LATEST", "old"]
    assert [c["function_arn"] for c in result["event_invoke_configs"]] == [
        c["function_arn"] for c in plain["event_invoke_configs"]
    ]
    assert [[d["outcome"] for d in c["destination_checks"]] for c in result["event_invoke_configs"]] == [["ok"], []]
    orphan = (
        f"The qualifier old of function {corner.name} no longer exists, but Lambda keeps its event invoke config: it "
        "can only be deleted (state: absent, or lambda_event_invoke_configs state: deleted)."
    )
    assert result["findings"] == [
        {
            "function_name": corner.name,
            "qualifier": "old",
            "about": "qualifier",
            "destination": None,
            "outcome": "orphaned",
            "message": f"{corner.name}:old: {orphan}",
            "cause": orphan,  # what a job groups its lines by
        }
    ]
    # the calls an audit of two configs made before it knew about orphans: the list, one GetFunction per config
    assert run.calls()[0] == LIST and sorted(run.calls()[1:]) == ["GetFunction"] * 2
    assert run.reads_elsewhere() == ["sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"]  # not the stranded one
    assert result["warnings"] == []


def test_the_orphaned_qualifier_asked_for_alone(run, corner):
    corner.clients.awslambda.create_alias(FunctionName=corner.name, Name="old", FunctionVersion="1")
    corner.put("old", on_failure=corner.queue("stranded"))
    corner.delete_alias("old")
    run.clear()
    result = audit(run, function_name=corner.name, qualifier="old")
    assert [c["qualifier"] for c in result["event_invoke_configs"]] == ["old"]
    assert [(f["qualifier"], f["about"], f["outcome"]) for f in result["findings"]] == [
        ("old", "qualifier", "orphaned")
    ]
    assert run.calls() == ["GetFunctionEventInvokeConfig", "GetFunction"] and run.reads_elsewhere() == []


# ------------------------------------------------------------------------- reserved concurrency 0: nowhere to go


def region_findings(run, corner) -> list[tuple]:
    """A region audit's findings about the corner's function: (qualifier, about, destination, outcome)."""
    result = audit(run, concurrency=4)
    assert not [c for c in result["event_invoke_configs"] if c["function_name"] == corner.name]
    return [
        (f["qualifier"], f["about"], f["destination"], f["outcome"])
        for f in result["findings"]
        if f["function_name"] == corner.name
    ]


def test_a_switched_off_function_without_config_or_dead_letter_queue_drops_its_events(run, corner):
    corner.reserve(0)
    run.clear()
    result = audit(run, concurrency=4)
    [finding] = [f for f in result["findings"] if f["function_name"] == corner.name]
    dropped = (
        "The function's reserved concurrency is 0, so Lambda discards every asynchronous event at once, without "
        "retries. It has no on_failure destination and no dead-letter queue. Route them to an on_failure destination "
        "or a dead-letter queue that works, or give the function concurrency again."
    )
    assert finding == {
        "function_name": corner.name,
        "qualifier": "$LATEST",
        "about": "on_failure",
        "destination": None,
        "outcome": "dropped",
        "message": f"{corner.name}:$LATEST: {dropped}",
        "cause": dropped,
    }
    assert not [c for c in result["event_invoke_configs"] if c["function_name"] == corner.name]


def test_a_switched_off_function_whose_failures_go_to_a_working_queue_is_fine(run, corner):
    corner.put("$LATEST", on_failure=corner.queue("ok"))
    corner.reserve(0)
    run.clear()
    result = audit(run, function_name=corner.name)
    assert result["findings"] == []
    assert run.calls() == [LIST, "GetFunction"]  # the reserved concurrency came with the GetFunction of the config


def test_a_switched_off_function_whose_dead_letter_queue_is_gone_drops_its_events(run, corner):
    """Both findings: the dead-letter queue is missing, and so nothing receives the events."""
    queue = corner.queue("dlq")
    corner.use("dead_letter", queue)  # a config with no destination, and the dead-letter queue
    corner.delete_queue(queue)
    corner.reserve(0)
    run.clear()
    result = audit(run, function_name=corner.name)
    assert [(f["qualifier"], f["about"], f["destination"], f["outcome"]) for f in result["findings"]] == [
        ("$LATEST", "dead_letter", queue, "missing"),
        ("$LATEST", "on_failure", None, "dropped"),
    ]
    assert f"Its dead-letter target {queue} is missing." in result["findings"][1]["message"]
    assert run.calls() == [LIST, "GetFunction"]


def test_a_switched_off_function_without_config_whose_dead_letter_queue_is_gone(run, corner):
    queue = corner.queue("dlq")
    corner.dead_letter(queue)
    corner.delete_queue(queue)
    corner.reserve(0)
    run.clear()
    assert region_findings(run, corner) == [
        ("$LATEST", "dead_letter", queue, "missing"),
        ("$LATEST", "on_failure", None, "dropped"),
    ]


def test_a_function_without_config_has_its_dead_letter_queue_checked(run, corner):
    """New with the region audit of every function: before it, a function without a config was not looked at."""
    queue = corner.queue("dlq")
    corner.dead_letter(queue)
    corner.delete_queue(queue)
    corner.reserve(5)  # it may run: a missing queue, but nothing is dropped for want of concurrency
    run.clear()
    assert region_findings(run, corner) == [("$LATEST", "dead_letter", queue, "missing")]


def test_a_function_without_config_whose_dead_letter_queue_works_gives_no_finding(run, corner):
    corner.dead_letter(corner.queue("dlq"))
    corner.reserve(0)  # switched off, but its events go to the queue
    run.clear()
    assert region_findings(run, corner) == []


def test_the_region_audit_costs_one_get_function_per_config_and_per_function_without_one(run, corner):
    """The exact cost the module documents, on N functions of which some have configs: ListFunctions per 50, one list
    per function (as without the audit), and one GetFunction per config plus one per function without a config
    (its reserved concurrency); a dead-letter queue is read like any destination, once."""
    lam = run.emulator.client("lambda")
    name = run.world["functions"][0]["name"]
    lam.put_function_event_invoke_config(FunctionName=name, Qualifier="$LATEST", MaximumRetryAttempts=1)
    lam.put_function_event_invoke_config(FunctionName=name, Qualifier="live", MaximumRetryAttempts=1)
    corner.dead_letter(corner.queue("dlq"))  # no config: its dead-letter queue comes with ListFunctions
    run.clear()
    plain = run(module, concurrency=4)
    plain_calls = run.calls()
    run.clear()
    result = audit(run, concurrency=4)
    calls = run.calls()
    functions = len(lam.list_functions()["Functions"])
    configs = len(result["event_invoke_configs"])
    with_config = len({c["function_name"] for c in result["event_invoke_configs"]})
    assert (functions, configs, with_config) == (3, 2, 1)
    assert sorted(plain_calls) == sorted(["ListFunctions"] + [LIST] * functions)
    extra = sorted(calls)
    for call in plain_calls:
        extra.remove(call)
    assert extra == ["GetFunction"] * (configs + functions - with_config)  # 2 + 2
    unconfigured = [
        entry["qualifier"]
        for entry in run.emulator.requests()
        if entry["operation"] == "GetFunction" and entry["function_name"] != name
    ]
    assert unconfigured == ["$LATEST"] * 2  # each function without a config is read as its $LATEST
    print(f"region audit, {functions} functions, {configs} configs on {with_config}: {len(extra)} GetFunction more")
    assert run.reads_elsewhere() == ["sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"]
    assert result["findings"] == [] and plain["event_invoke_configs"] == [
        {k: v for k, v in c.items() if k != "destination_checks"} for c in result["event_invoke_configs"]
    ]


def test_a_bucket_many_configs_send_failures_to_has_its_policy_read_once(run):
    """A bucket's policy can deny what the role's own policies allow, so it is read; once per bucket, not per config
    (the region scan checks each function as it is identified)."""
    bucket = run.world["bucket"]["arn"]
    lam = run.emulator.client("lambda")
    for function in run.world["functions"]:
        for qualifier in ("$LATEST", "live"):
            lam.put_function_event_invoke_config(
                FunctionName=function["name"],
                Qualifier=qualifier,
                DestinationConfig={"OnFailure": {"Destination": bucket}},
            )
    run.clear()
    result = audit(run)
    mine = [c for c in result["event_invoke_configs"] if c["destination_config"]["on_failure"].get("destination")]
    assert len(mine) == 4 and all(c["destination_checks"][0]["outcome"] == "ok" for c in mine)
    assert run.reads_elsewhere().count("s3:GetBucketPolicy") == 1
    assert run.reads_elsewhere().count("s3:HeadBucket") == 1
