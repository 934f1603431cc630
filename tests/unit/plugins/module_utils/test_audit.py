"""The audit against stubbed AWS answers: each outcome on each half, the dead-letter target included, and the exact
calls (Stubber refuses an unexpected call, and the fixture refuses an unused answer), from the answers AWS gives
(GetFunction's DeadLetterConfig included) rather than the emulator's.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.audit import Audit
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.audit import check_findings
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.audit import check_result
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.audit import dropped
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import function_from_configuration
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Settings
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import QUEUE
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import REGION
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import ROLE
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import TOPIC
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import StubbedConnection
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import queue_found
from ansible_collections.cloudops.aws_lambda.tests.unit.plugins.module_utils.test_preflight import simulated

FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn"


class Connection(StubbedConnection):
    @property
    def lambda_client(self):
        return self.client("lambda")


@pytest.fixture
def aws():
    connection = Connection()
    yield connection
    connection.assert_all_used()


def config(qualifier: str = "$LATEST", **halves: str) -> EventInvokeConfig:
    return EventInvokeConfig(f"{FUNCTION_ARN}:{qualifier}", "fn", qualifier, None, Settings(**halves))


def function_found(
    aws, qualifier: str = "$LATEST", dead_letter: str | None = None, role: str = ROLE, reserved: int | None = None
) -> None:
    configuration = {"FunctionArn": FUNCTION_ARN, "FunctionName": "fn", "Role": role}
    if dead_letter:
        configuration["DeadLetterConfig"] = {"TargetArn": dead_letter}
    response: dict = {"Configuration": configuration}
    if reserved is not None:  # AWS sends Concurrency only when concurrency is reserved, 0 included (C20)
        response["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
    aws.stub("lambda").add_response("get_function", response, {"FunctionName": "fn", "Qualifier": qualifier})


def function_missing(aws) -> None:
    aws.stub("lambda").add_client_error(
        "get_function", service_error_code="ResourceNotFoundException", http_status_code=404
    )


# What AWS answers for each outcome of a queue (the FIFO one is never read).
def ok(aws):
    queue_found(aws)
    simulated(aws, {("sqs:SendMessage", QUEUE): "allowed"})


def missing(aws):
    aws.stub("sqs").add_client_error(
        "get_queue_attributes", service_error_code="QueueDoesNotExist", http_status_code=400
    )


def denied(aws):
    queue_found(aws)
    simulated(aws, {("sqs:SendMessage", QUEUE): "explicitDeny"})


def unverified(aws):
    aws.stub("sqs").add_client_error("get_queue_attributes", service_error_code="AccessDenied", http_status_code=403)
    simulated(aws, {("sqs:SendMessage", QUEUE): "allowed"})


def unsupported(_aws):
    pass


ANSWERS = {"ok": ok, "missing": missing, "denied": denied, "unverified": unverified, "unsupported": unsupported}


@pytest.mark.parametrize("outcome", list(ANSWERS))
@pytest.mark.parametrize("half", ["on_success", "on_failure", "dead_letter"])
def test_each_outcome_on_each_half(aws, half, outcome):
    destination = QUEUE + ".fifo" if outcome == "unsupported" else QUEUE
    configured = config() if half == "dead_letter" else config(**{half: destination})
    function_found(aws, dead_letter=destination if half == "dead_letter" else None)
    ANSWERS[outcome](aws)
    warnings: list[str] = []
    audit = Audit(aws, warnings.append)
    assert audit.identify([configured]) == [configured]
    [check] = audit.checks()[configured.key]
    assert (check.half, check.arn, check.outcome) == (half, destination, outcome)
    found = [finding.to_result() for finding in check_findings(configured.key, [check])]
    if outcome == "ok":
        assert found == [] and warnings == []
    else:
        result = check_result(check)
        assert found == [
            {
                "function_name": "fn",
                "qualifier": "$LATEST",
                "about": half,
                "destination": destination,
                "outcome": outcome,
                "message": f"fn:$LATEST: {result['message']}",
                "cause": result["message"],
            }
        ]
        assert found[0]["message"].startswith(
            "fn:$LATEST: The function's dead-letter target" if half == "dead_letter" else f"fn:$LATEST: The {half}"
        )
        assert (len(warnings) == 1) == (outcome == "unverified")


def test_a_shared_destination_and_role_are_read_once_over_every_config_and_half(aws):
    """Three qualifiers, one role: the queue used on two halves and as the dead-letter target of one qualifier is
    read once, the topic once, and the role simulated once for both."""
    configs = [config("$LATEST", on_failure=QUEUE), config("live", on_success=TOPIC, on_failure=QUEUE), config("1")]
    function_found(aws, "$LATEST")
    function_found(aws, "live", dead_letter=QUEUE)
    function_found(aws, "1")
    queue_found(aws)
    aws.stub("sns").add_response("get_topic_attributes", {"Attributes": {}}, {"TopicArn": TOPIC})
    simulated(
        aws,
        {
            ("sns:Publish", QUEUE): "implicitDeny",
            ("sns:Publish", TOPIC): "allowed",
            ("sqs:SendMessage", QUEUE): "allowed",
            ("sqs:SendMessage", TOPIC): "implicitDeny",
        },
    )
    audit = Audit(aws, [].append)
    assert audit.identify(configs) == configs  # one at a time: the stubbed answers come in order
    checks = audit.checks()
    assert {key: [(c.half, c.outcome) for c in found] for key, found in checks.items()} == {
        ("fn", "$LATEST"): [("on_failure", "ok")],
        ("fn", "live"): [("on_success", "ok"), ("on_failure", "ok"), ("dead_letter", "ok")],
        ("fn", "1"): [],
    }


def test_a_function_deleted_since_it_was_listed_is_left_out(aws):
    """GetFunction 404 on $LATEST: the function itself is gone ($LATEST cannot be deleted alone)."""
    function_missing(aws)
    audit = Audit(aws, [].append)
    assert audit.identify([config(on_failure=QUEUE)]) == []
    assert audit.checks() == {} and audit.findings({}) == []


@pytest.mark.parametrize("qualifier", ["old", "7"])
def test_a_config_whose_alias_or_version_is_gone_is_kept_as_orphaned_without_a_check(aws, qualifier):
    """C15: GetFunction 404 on a version or alias whose config Lambda still lists; its destinations are not read."""
    function_missing(aws)
    orphan = config(qualifier, on_failure=QUEUE)
    audit = Audit(aws, [].append)
    assert audit.identify([orphan]) == [orphan]
    checks = audit.checks()
    assert checks == {("fn", qualifier): []}
    orphan = (
        f"The qualifier {qualifier} of function fn no longer exists, but Lambda keeps its event invoke config: it can "
        "only be deleted (state: absent, or lambda_event_invoke_configs state: deleted)."
    )
    assert [f.to_result() for f in audit.findings(checks)] == [
        {
            "function_name": "fn",
            "qualifier": qualifier,
            "about": "qualifier",
            "destination": None,
            "outcome": "orphaned",
            "message": f"fn:{qualifier}: {orphan}",
            "cause": orphan,
        }
    ]


def test_reserved_concurrency_0_without_a_failure_route_drops_events(aws):
    function_found(aws, reserved=0)
    audit = Audit(aws, [].append)
    audit.identify([config()])
    [finding] = audit.findings(audit.checks())
    assert (finding.qualifier, finding.about, finding.destination, finding.outcome) == (
        "$LATEST",
        "on_failure",
        None,
        "dropped",
    )
    assert "It has no on_failure destination and no dead-letter queue." in finding.message


@pytest.mark.parametrize("reserved", [None, 1])
def test_a_function_that_may_run_drops_nothing(aws, reserved):
    function_found(aws, reserved=reserved)
    audit = Audit(aws, [].append)
    audit.identify([config()])
    assert audit.findings(audit.checks()) == []


def check(half: str, outcome: str) -> SimpleNamespace:
    """What `dropped` reads of a DestinationCheck."""
    return SimpleNamespace(half=half, arn=QUEUE, outcome=outcome)


@pytest.mark.parametrize(
    "checks, drops",
    [
        ([], True),
        ([check("on_success", "ok")], True),  # success records are no route for a failed event
        ([check("on_failure", "ok")], False),
        ([check("dead_letter", "ok")], False),
        ([check("on_failure", "missing"), check("dead_letter", "ok")], False),
        ([check("on_failure", "denied"), check("dead_letter", "unsupported")], True),
        ([check("on_failure", "unverified")], True),  # a route not known to work is not counted as one
    ],
)
def test_dropped_when_no_failure_route_checks_out(checks, drops):
    found = dropped(("fn", "live"), 0, checks)
    assert (found is not None) == drops
    assert dropped(("fn", "live"), None, checks) is None and dropped(("fn", "live"), 2, checks) is None
    if found is not None:
        assert found.message.startswith("fn:live: The function's reserved concurrency is 0, so Lambda discards")
        assert found.message.endswith("or give the function concurrency again.")


LISTED = function_from_configuration(
    {"FunctionArn": FUNCTION_ARN, "FunctionName": "fn", "Role": ROLE, "DeadLetterConfig": {"TargetArn": QUEUE}},
    "fn",
    "$LATEST",
)


def test_a_function_without_config_has_its_listed_dead_letter_queue_checked_and_its_concurrency_read(aws):
    """The role and dead-letter target come from ListFunctions; the one GetFunction ($LATEST) is for the reserved
    concurrency, which the listing does not carry."""
    function_found(aws, reserved=0)
    missing(aws)
    audit = Audit(aws, [].append)
    audit.identify_unconfigured(LISTED)
    checks = audit.checks()
    assert [(c.half, c.outcome) for c in checks[("fn", "$LATEST")]] == [("dead_letter", "missing")]
    assert [(f.about, f.outcome) for f in audit.findings(checks)] == [
        ("dead_letter", "missing"),
        ("on_failure", "dropped"),
    ]


def test_a_function_without_config_deleted_since_it_was_listed_is_left_out(aws):
    function_missing(aws)
    audit = Audit(aws, [].append)
    audit.identify_unconfigured(LISTED)
    assert audit.checks() == {} and audit.findings({}) == []


def test_a_function_without_config_is_checked_with_its_listed_role_when_get_function_is_denied(aws):
    aws.stub("lambda").add_client_error(
        "get_function", service_error_code="AccessDeniedException", http_status_code=403
    )
    ok(aws)
    warnings: list[str] = []
    audit = Audit(aws, warnings.append)
    audit.identify_unconfigured(LISTED)
    checks = audit.checks()
    assert [(c.half, c.outcome) for c in checks[("fn", "$LATEST")]] == [("dead_letter", "ok")]
    assert audit.findings(checks) == []  # the concurrency is unknown: nothing is claimed about it
    [warning] = warnings
    assert "lambda:GetFunction" in warning and "reserved concurrencies" in warning


def test_any_other_get_function_failure_is_not_hidden(aws):
    aws.stub("lambda").add_client_error("get_function", service_error_code="ServiceException", http_status_code=500)
    with pytest.raises(AwsError):
        Audit(aws, [].append).identify([config(on_failure=QUEUE)])
