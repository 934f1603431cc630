"""The destination rules (pure): parsing, required permissions, verdicts, messages. Cases: docs/aws-behaviour.md."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DEAD_LETTER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DENIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNSUPPORTED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNVERIFIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Finding
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import destination_named_in
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import parse_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import refusal_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import required_permissions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_check
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_reason

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:done"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sink:live"
BUS = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders"
BUCKET = "arn:aws:s3:::failed-events"


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        pytest.param(QUEUE, Destination(QUEUE, "sqs", REGION, ACCOUNT, "failures"), id="sqs"),
        pytest.param(TOPIC, Destination(TOPIC, "sns", REGION, ACCOUNT, "done"), id="sns"),
        pytest.param(FUNCTION, Destination(FUNCTION, "lambda", REGION, ACCOUNT, "sink:live"), id="lambda-qualified"),
        pytest.param(BUS, Destination(BUS, "events", REGION, ACCOUNT, "orders"), id="events"),
        pytest.param(BUCKET, Destination(BUCKET, "s3", None, None, "failed-events"), id="s3-no-region-or-account"),
    ],
)
def test_parse_destination(arn, expected):
    assert parse_destination(arn) == expected


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        pytest.param(QUEUE, (("sqs:SendMessage", QUEUE),), id="sqs"),
        pytest.param(TOPIC, (("sns:Publish", TOPIC),), id="sns"),
        pytest.param(FUNCTION, (("lambda:InvokeFunction", FUNCTION),), id="lambda-as-written"),
        pytest.param(BUS, (("events:PutEvents", BUS),), id="events"),
        pytest.param(BUCKET, (("s3:PutObject", f"{BUCKET}/*"), ("s3:ListBucket", BUCKET)), id="s3-both-documented"),
    ],
)
def test_required_permissions_c11(arn, expected):
    """C11: the action Lambda performs to deliver a record, on the destination's ARN (S3: objects and bucket)."""
    assert required_permissions(parse_destination(arn)) == expected


def check(exists, allowed, arn=QUEUE) -> DestinationCheck:
    return DestinationCheck(
        "on_failure", parse_destination(arn), ROLE, Finding(exists, "exists-detail"), Finding(allowed, "allowed-detail")
    )


@pytest.mark.parametrize(
    ("exists", "allowed", "outcome"),
    [
        pytest.param(True, True, OK, id="ok"),
        pytest.param(False, None, MISSING, id="missing-wins"),
        pytest.param(False, False, MISSING, id="missing-before-denied"),
        pytest.param(True, False, DENIED, id="denied"),
        pytest.param(None, False, DENIED, id="denied-even-if-existence-unknown"),
        pytest.param(None, True, UNVERIFIED, id="existence-unknown"),
        pytest.param(True, None, UNVERIFIED, id="permission-unknown"),
    ],
)
def test_outcome(exists, allowed, outcome):
    """Only what AWS would refuse (missing, denied) is a refusal; what could not be read is never ok."""
    assert check(exists, allowed).outcome == outcome


def test_messages_name_the_destination_the_role_and_the_cause():
    missing = check(False, None).message()
    assert missing.startswith(
        f"The on_failure destination {QUEUE} does not exist in region {REGION}, account {ACCOUNT}"
    )
    assert "exists-detail" in missing
    denied = check(True, False).message()
    assert f"the function's execution role {ROLE} allowed-detail" in denied
    assert "could not be fully checked: exists-detail" in check(None, True).message()
    assert "global" in check(False, None, BUCKET).message()


def test_to_result_shape():
    assert check(True, True).to_result() == {
        "half": "on_failure",
        "destination": QUEUE,
        "role": ROLE,
        "actions": ["sqs:SendMessage"],
        "exists": True,
        "allowed": True,
        "key": None,
        "outcome": OK,
        "message": check(True, True).message(),
    }


def test_refusal_message_lists_only_refused_destinations():
    checks = [check(True, True, TOPIC), check(False, None, QUEUE)]
    message = refusal_message(checks, check_mode=True)
    assert QUEUE in message and TOPIC not in message
    assert message.endswith("a real run would fail the same way.")
    assert "real run" not in refusal_message(checks, check_mode=False)


@pytest.mark.parametrize(
    ("message", "arn"),
    [
        pytest.param(f"The destination ARN {QUEUE} is invalid.", QUEUE, id="c11-invalid"),
        pytest.param(
            f"The function's execution role does not have permissions to call SendMessage on {QUEUE}",
            QUEUE,
            id="c11-permissions",
        ),
        pytest.param(f"The destination ARN {QUEUE}.fifo is invalid.", f"{QUEUE}.fifo", id="trailing-period-only"),
        pytest.param("You can't specify the function as a destination for itself.", None, id="no-arn"),
    ],
)
def test_destination_named_in(message, arn):
    assert destination_named_in(message) == arn


# ---------------------------------------------------------------------------------------------- unsupported (pure)


@pytest.mark.parametrize("half", ["on_success", "on_failure", DEAD_LETTER])
@pytest.mark.parametrize("arn", [QUEUE, TOPIC])
def test_a_standard_queue_or_topic_is_supported_on_every_half(half, arn):
    assert unsupported_reason(half, arn) is None


@pytest.mark.parametrize(
    ("half", "arn"),
    [
        pytest.param("on_success", FUNCTION, id="function-on-success"),
        pytest.param("on_failure", BUS, id="bus-on-failure"),
        pytest.param("on_failure", BUCKET, id="bucket-on-failure"),
    ],
)
def test_the_other_destination_kinds_are_supported_where_lambda_delivers_to_them(half, arn):
    assert unsupported_reason(half, arn) is None


@pytest.mark.parametrize(
    ("half", "arn", "reason"),
    [
        pytest.param("on_failure", f"{QUEUE}.fifo", "it is a FIFO queue", id="fifo-queue"),
        pytest.param("on_success", f"{TOPIC}.fifo", "it is a FIFO topic", id="fifo-topic"),
        pytest.param(DEAD_LETTER, f"{QUEUE}.fifo", "it is a FIFO queue", id="fifo-dead-letter"),
        pytest.param("on_success", BUCKET, "it is an S3 bucket, and an on_success destination can only be", id="s3"),
        pytest.param(DEAD_LETTER, FUNCTION, "a dead-letter target can only be an SQS queue or an SNS topic", id="dlq"),
        pytest.param(DEAD_LETTER, BUS, "it is an EventBridge event bus", id="bus-as-dead-letter"),
        pytest.param("on_failure", f"arn:aws:iam::{ACCOUNT}:role/x", "a resource of 'iam'", id="other-service"),
        pytest.param(
            "on_failure", f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly", "does not name an EventBridge", id="rule"
        ),
        pytest.param(
            "on_success", f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:x:1", "does not name a Lambda function", id="layer"
        ),
        pytest.param("on_failure", "https://sqs.eu-west-1.amazonaws.com/1/q", "not an ARN", id="url"),
    ],
)
def test_what_a_half_cannot_deliver_to_is_known_from_the_arn(half, arn, reason):
    """C11 and the dead-letter rules: FIFO queues and topics drop every record, S3 is for on_failure only, and a
    dead-letter target is an SQS queue or an SNS topic."""
    found = unsupported_reason(half, arn)
    assert found is not None and reason in found, found


def test_an_unsupported_check_reads_nothing_and_says_why():
    fifo = f"{QUEUE}.fifo"
    check_ = unsupported_check(DEAD_LETTER, fifo, ROLE, unsupported_reason(DEAD_LETTER, fifo) or "")
    assert check_.outcome == UNSUPPORTED
    assert check_.message() == (
        f"The function's dead-letter target {fifo} cannot receive records: it is a FIFO queue, and Lambda cannot "
        "deliver records to FIFO queues or topics, so every record is dropped."
    )
    assert check_.to_result()["actions"] == [] and check_.to_result()["exists"] is None
    assert unsupported_check("on_failure", "not-an-arn", None, "it is not an ARN").destination.arn == "not-an-arn"


@pytest.mark.parametrize(
    ("exists", "allowed"), [(False, None), (True, False), (None, None)], ids=["missing", "denied", "unverified"]
)
def test_unsupported_wins_over_every_other_outcome(exists, allowed):
    assert check(exists, allowed)._replace(unsupported="FIFO").outcome == UNSUPPORTED


def test_a_dead_letter_target_is_named_as_such():
    dead = check(False, None)._replace(half=DEAD_LETTER)
    assert dead.message().startswith(f"The function's dead-letter target {QUEUE} does not exist in region {REGION}")
