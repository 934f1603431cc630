"""The destination rules (pure): parsing, required permissions, verdicts, messages. Cases: docs/aws-behaviour.md."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DENIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNVERIFIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Finding
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import destination_named_in
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import parse_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import refusal_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import required_permissions

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
