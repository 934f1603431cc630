"""The destination rules (pure): parsing, required permissions, verdicts, messages. Cases: docs/aws-behaviour.md."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import DEAD_LETTER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import EVENT_BUS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import KINDS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import LAMBDA_FUNCTION
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import S3_BUCKET
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import SNS_TOPIC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import SQS_QUEUE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import Destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import NotADestination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import arn_from_queue_url
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import destination_for
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import parse_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DENIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNSUPPORTED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNVERIFIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Answer
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import KmsKey
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import destination_named_in
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import key_answer
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import refusal_message
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
        pytest.param(QUEUE, Destination(QUEUE, SQS_QUEUE, "aws", REGION, ACCOUNT, "failures"), id="sqs"),
        pytest.param(TOPIC, Destination(TOPIC, SNS_TOPIC, "aws", REGION, ACCOUNT, "done"), id="sns"),
        pytest.param(
            FUNCTION, Destination(FUNCTION, LAMBDA_FUNCTION, "aws", REGION, ACCOUNT, "sink:live"), id="lambda-qualified"
        ),
        pytest.param(BUS, Destination(BUS, EVENT_BUS, "aws", REGION, ACCOUNT, "orders"), id="events"),
        pytest.param(
            BUCKET, Destination(BUCKET, S3_BUCKET, "aws", None, None, "failed-events"), id="s3-no-region-or-account"
        ),
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
    assert parse_destination(arn).permissions() == expected


def check(exists, allowed, arn=QUEUE) -> DestinationCheck:
    return DestinationCheck(
        "on_failure",
        arn,
        ROLE,
        Answer(exists, "exists-detail"),
        Answer(allowed, "allowed-detail"),
        destination=parse_destination(arn),
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
        pytest.param("on_success", BUCKET, "an S3 bucket cannot be an on_success destination; that takes", id="s3"),
        pytest.param(
            DEAD_LETTER,
            FUNCTION,
            "a Lambda function cannot be a dead-letter target; that takes an SQS queue (arn:PARTITION:sqs:REGION:"
            "ACCOUNT:QUEUE) or an SNS topic (arn:PARTITION:sns:REGION:ACCOUNT:TOPIC)",
            id="dlq",
        ),
        pytest.param(DEAD_LETTER, BUS, "an EventBridge event bus cannot be a dead-letter target", id="bus-as-dlq"),
        pytest.param(
            "on_failure", f"arn:aws:iam::{ACCOUNT}:role/x", "'iam' is not a service Lambda delivers", id="other-service"
        ),
        pytest.param(
            "on_failure",
            f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly",
            "it is not an EventBridge event bus: Lambda wants an EventBridge event bus ARN, "
            "arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME",
            id="rule",
        ),
        pytest.param(
            "on_failure",
            f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/x/1",
            "it is not an EventBridge event bus",
            id="api-destination",
        ),
        pytest.param(
            "on_success", f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:x:1", "it is not a Lambda function", id="layer"
        ),
        pytest.param(
            "on_success", f"{TOPIC}:0b3c1c2e-8b8a-4f5e-9a55-1d4c0e2f3a4b", "it is not an SNS topic", id="subscription"
        ),
        pytest.param("on_failure", f"{BUCKET}/some/key", "it is not an S3 bucket", id="s3-object"),
        pytest.param(
            "on_failure", f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/ap", "it is not an S3 bucket", id="access-point"
        ),
        pytest.param("on_failure", f"arn:aws:sqs:{REGION}::failures", "it is not an SQS queue", id="no-account"),
        pytest.param("on_failure", "https://sqs.eu-west-1.amazonaws.com/1/q", "Lambda wants an ARN", id="url"),
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
        f"The function's dead-letter target {fifo} cannot receive records: it is a FIFO queue: Lambda accepts it when "
        "the config is written but cannot deliver records to FIFO queues or topics, so every record is dropped. Use a "
        "standard queue."
    )
    assert check_.to_result()["actions"] == [] and check_.to_result()["exists"] is None
    unknown = unsupported_check("on_failure", "not-an-arn", None, "it is not an ARN")
    assert unknown.arn == "not-an-arn" and unknown.destination is None and unknown.refused


@pytest.mark.parametrize(
    ("exists", "allowed"), [(False, None), (True, False), (None, None)], ids=["missing", "denied", "unverified"]
)
def test_unsupported_wins_over_every_other_outcome(exists, allowed):
    assert check(exists, allowed)._replace(unsupported="FIFO").outcome == UNSUPPORTED


def test_a_dead_letter_target_is_named_as_such():
    dead = check(False, None)._replace(half=DEAD_LETTER)
    assert dead.message().startswith(f"The function's dead-letter target {QUEUE} does not exist in region {REGION}")


# ---------------------------------------------------------------------------------------------- the registry


def test_every_kind_parses_its_own_form_and_only_that():
    """Each entry's example ARN is its kind; no other entry recognises it (a kind is decided once)."""
    examples = {SQS_QUEUE: QUEUE, SNS_TOPIC: TOPIC, LAMBDA_FUNCTION: FUNCTION, EVENT_BUS: BUS, S3_BUCKET: BUCKET}
    assert set(examples) == set(KINDS)
    for kind, arn in examples.items():
        assert parse_destination(arn).kind is kind
        assert kind.service in arn.split(":")[2] and kind.form.split(":")[2] == kind.service


def test_a_lambda_function_destination_with_or_without_qualifier_is_one_kind():
    unqualified = FUNCTION.rsplit(":", 1)[0]
    assert parse_destination(unqualified).kind is parse_destination(FUNCTION).kind is LAMBDA_FUNCTION
    assert parse_destination(unqualified).name == "sink"


def test_two_refusals_name_the_form_lambda_wants():
    with pytest.raises(NotADestination, match="event-bus/NAME"):
        destination_for("on_success", f"arn:aws:events:{REGION}:{ACCOUNT}:rule/x")


# ---------------------------------------------------------------------------------------------- verdicts on keys


def key_check(key: Answer) -> DestinationCheck:
    return check(True, True)._replace(key=key, key_arn="arn:aws:kms:eu-west-1:123456789012:key/k")


def test_a_key_that_is_not_enabled_is_denied_naming_its_state_and_the_write_is_not_refused():
    key = KmsKey("arn:aws:kms:eu-west-1:123456789012:key/k", aws_managed=False, state="Disabled")
    finding = key_answer(key, {}, None, ROLE, same_account=True)
    verdict = key_check(finding)
    assert (verdict.outcome, verdict.refused) == (DENIED, False)
    assert "which is Disabled: KMS encrypts only with an Enabled key. Lambda accepts" in verdict.message()
    assert verdict.to_result()["allowed"] is False  # delivery is what `allowed` answers


def test_a_key_that_does_not_exist_is_missing_in_one_sentence_per_fact():
    verdict = key_check(Answer(False, "which does not exist (DescribeKey answered NotFoundException)", missing=True))
    assert (verdict.outcome, verdict.refused) == (MISSING, False)
    assert verdict.message() == (
        f"The on_failure destination {QUEUE} is encrypted with KMS key arn:aws:kms:eu-west-1:123456789012:key/k, "
        "which does not exist (DescribeKey answered NotFoundException). Lambda accepts the config but drops every "
        "record it sends there."
    )


def test_a_key_the_role_may_use_leaves_allowed_as_the_role_decided():
    assert key_check(Answer(True, "may use")).to_result()["allowed"] is True
    assert key_check(Answer(False, "may not use")).to_result()["allowed"] is False


def test_the_docs_table_of_destination_kinds_is_the_registry():
    """docs/destinations.md shows the registry as kinds_table() prints it: a kind added there shows here."""
    from pathlib import Path

    from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import kinds_table

    page = Path(__file__).resolve().parents[4] / "docs" / "destinations.md"
    assert kinds_table() in page.read_text(), f"print kinds_table() into {page}:\n{kinds_table()}"


# ---------------------------------------------------------------------------------------------- queue URLs (issue 21)


@pytest.mark.parametrize(
    ("url", "arn"),
    [
        ("https://sqs.eu-west-1.amazonaws.com/123456789012/orders", "arn:aws:sqs:eu-west-1:123456789012:orders"),
        ("https://sqs.eu-west-1.amazonaws.com/123456789012/orders/", "arn:aws:sqs:eu-west-1:123456789012:orders"),
        ("https://eu-west-1.queue.amazonaws.com/123456789012/o.fifo", "arn:aws:sqs:eu-west-1:123456789012:o.fifo"),
        ("https://queue.amazonaws.com/123456789012/orders", "arn:aws:sqs:us-east-1:123456789012:orders"),
        ("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "arn:aws-cn:sqs:cn-north-1:123456789012:q"),
        ("https://sqs.us-gov-west-1.amazonaws.com/123456789012/q", "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q"),
    ],
)
def test_an_sqs_queue_url_of_aws_s_forms_names_its_queue_s_arn(url, arn):
    assert arn_from_queue_url(url) == arn
    assert parse_destination(arn).kind.noun == "SQS queue"


@pytest.mark.parametrize(
    "url",
    [
        "http://sqs.eu-west-1.amazonaws.com/123456789012/orders",  # not https: not a URL AWS gives
        "https://sqs.eu-west-1.amazonaws.com/1234/orders",  # not an account
        "https://vpce-1a2b.sqs.eu-west-1.vpce.amazonaws.com/123456789012/orders",  # an endpoint's, not the queue's
        "https://sqs.eu-west-1.amazonaws.com/123456789012/orders/extra",
        "https://sns.eu-west-1.amazonaws.com/123456789012/topic",
        "arn:aws:sqs:eu-west-1:123456789012:orders",
    ],
)
def test_anything_else_is_not_a_queue_url(url):
    assert arn_from_queue_url(url) is None


def test_another_url_is_refused_naming_the_arn_form_and_the_one_url_taken():
    with pytest.raises(NotADestination) as refused:
        parse_destination("https://example.com/hooks/orders")
    assert "Lambda wants an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)" in str(refused.value)
    assert "https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE" in str(refused.value)
