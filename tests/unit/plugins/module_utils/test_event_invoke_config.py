# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure core of the event-invoke-config modules, table by table and property by property.

Case ids like C10 refer to docs/aws-behaviour.md.
"""

from __future__ import annotations

import dataclasses
import datetime
import re

import pytest
from dateutil.tz import tzlocal
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import LATEST
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import SETTINGS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Plan
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Settings
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import build_request
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import check_region
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import diff
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import diff_view
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import iso8601
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import parse_target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import plan
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import qualified_arn
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import validate_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import validate_qualifier
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import validate_request

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGION = "us-east-1"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-fn"
SQS = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
SNS = f"arn:aws:sns:{REGION}:{ACCOUNT}:done"
EVENTS = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
OTHER_LAMBDA = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other-fn"
S3 = "arn:aws:s3:::failed-events-bucket"
ARABIC_DIGITS = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"  # 12 non-ASCII digits

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def refusal(call, *args, **kwargs) -> ParameterError:
    with pytest.raises(ParameterError) as caught:
        call(*args, **kwargs)
    return caught.value


def config(
    retries=None, age=None, on_success=None, on_failure=None, qualifier=LATEST, name="my-fn"
) -> EventInvokeConfig:
    """A config as EventInvokeConfig.from_api returns it."""
    return EventInvokeConfig(
        function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{qualifier}",
        function_name=name,
        qualifier=qualifier,
        last_modified="2025-11-25T10:00:00.123000+00:00",
        settings=Settings(retries, age, on_success, on_failure),
    )


def flat(retries=None, age=None, on_success=None, on_failure=None) -> Settings:
    return Settings(retries, age, on_success, on_failure)


# ============================================================================================== parse_target


@pytest.mark.parametrize(
    ("function_name", "qualifier", "expected"),
    [
        pytest.param("my-fn", None, Target("my-fn", "my-fn", LATEST), id="name"),
        pytest.param("My_Fn-2", None, Target("My_Fn-2", "My_Fn-2", LATEST), id="name-mixed-characters"),
        pytest.param("f" * 64, None, Target("f" * 64, "f" * 64, LATEST), id="name-64-characters"),
        pytest.param("my-fn:live", None, Target("my-fn", "my-fn", "live"), id="name-alias-shorthand"),
        pytest.param("my-fn:1", None, Target("my-fn", "my-fn", "1"), id="name-version-shorthand"),
        pytest.param("my-fn:$LATEST", None, Target("my-fn", "my-fn", LATEST), id="name-latest-shorthand"),
        pytest.param(
            "my-fn:$LATEST.PUBLISHED", None, Target("my-fn", "my-fn", "$LATEST.PUBLISHED"), id="latest-published"
        ),
        pytest.param("my-fn", "live", Target("my-fn", "my-fn", "live"), id="name-and-qualifier"),
        pytest.param(ARN, None, Target(ARN, "my-fn", LATEST, REGION, ACCOUNT), id="full-arn"),
        pytest.param(f"{ARN}:live", None, Target(ARN, "my-fn", "live", REGION, ACCOUNT), id="full-arn-alias"),
        pytest.param(f"{ARN}:7", None, Target(ARN, "my-fn", "7", REGION, ACCOUNT), id="full-arn-version"),
        pytest.param(f"{ARN}:$LATEST", None, Target(ARN, "my-fn", LATEST, REGION, ACCOUNT), id="full-arn-latest"),
        pytest.param(ARN, "live", Target(ARN, "my-fn", "live", REGION, ACCOUNT), id="full-arn-and-qualifier"),
        pytest.param(
            f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:my-fn",
            None,
            Target(f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:my-fn", "my-fn", LATEST, "cn-north-1", ACCOUNT),
            id="aws-cn-partition",
        ),
        pytest.param(
            f"arn:aws-us-gov:lambda:us-gov-west-1:{ACCOUNT}:function:my-fn:prod",
            None,
            Target(
                f"arn:aws-us-gov:lambda:us-gov-west-1:{ACCOUNT}:function:my-fn",
                "my-fn",
                "prod",
                "us-gov-west-1",
                ACCOUNT,
            ),
            id="aws-us-gov-partition-qualified",
        ),
        pytest.param(
            f"{ACCOUNT}:function:my-fn",
            None,
            Target(f"{ACCOUNT}:function:my-fn", "my-fn", LATEST, None, ACCOUNT),
            id="partial-arn",
        ),
        pytest.param(
            f"{ACCOUNT}:function:my-fn:live",
            None,
            Target(f"{ACCOUNT}:function:my-fn", "my-fn", "live", None, ACCOUNT),
            id="partial-arn-qualified",
        ),
    ],
)
def test_parse_target_accepts_every_function_name_form(function_name, qualifier, expected):
    """C10: every documented FunctionName form; the qualifier is always explicit, FunctionName unqualified."""
    assert parse_target(function_name, qualifier) == expected


@pytest.mark.parametrize(
    ("function_name", "qualifier", "expected_qualifier"),
    [
        pytest.param(f"{ARN}:live", "live", "live", id="alias-arn-same-qualifier"),
        pytest.param("my-fn:live", "live", "live", id="shorthand-same-alias"),
        pytest.param("my-fn:$LATEST", "$LATEST", LATEST, id="shorthand-latest-and-latest"),
        pytest.param("my-fn:3", "3", "3", id="shorthand-same-version"),
    ],
)
def test_parse_target_accepts_an_embedded_qualifier_that_agrees(function_name, qualifier, expected_qualifier):
    """C10 (put_alias_qualifiedarn_qualifier, put_shorthand_qualifier_match): equal qualifiers are accepted."""
    target = parse_target(function_name, qualifier)
    assert target.qualifier == expected_qualifier
    assert target.function_name in ("my-fn", ARN)


@pytest.mark.parametrize(
    ("function_name", "qualifier"),
    [
        pytest.param(f"{ARN}:live", "other", id="alias-arn-other-qualifier"),
        pytest.param("my-fn:live", "other", id="shorthand-alias-other-alias"),
        pytest.param("my-fn:1", "$LATEST", id="shorthand-version-and-latest"),
        pytest.param("my-fn:$LATEST", "1", id="shorthand-latest-and-version"),
        pytest.param("my-fn:1", "live", id="shorthand-version-and-alias"),
        pytest.param(f"{ACCOUNT}:function:my-fn:2", "3", id="partial-arn-other-version"),
    ],
)
def test_parse_target_refuses_conflicting_qualifiers(function_name, qualifier):
    """C10: AWS refuses a derived qualifier that differs from Qualifier (400, before any existence check)."""
    error = refusal(parse_target, function_name, qualifier)
    assert error.option == "qualifier"
    embedded = function_name.rsplit(":", 1)[1]
    assert repr(embedded) in str(error)
    assert repr(qualifier) in str(error)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(("my-fn", None), ("my-fn", "$LATEST"), id="none-vs-latest"),
        pytest.param(("my-fn", None), ("my-fn:$LATEST", None), id="none-vs-shorthand"),
        pytest.param((ARN, None), (f"{ARN}:$LATEST", "$LATEST"), id="arn-vs-qualified-arn"),
    ],
)
def test_no_qualifier_and_latest_are_one_object(first, second):
    """C9: no qualifier and $LATEST are the same config, so they must parse to the same Target."""
    assert parse_target(*first) == parse_target(*second)
    assert parse_target(*first).qualifier == LATEST


@pytest.mark.parametrize(
    ("function_name", "qualifier", "option", "hint"),
    [
        pytest.param("", None, "function_name", "must not be empty", id="empty"),
        pytest.param(None, None, "function_name", "must not be empty", id="none"),
        pytest.param("f" * 65, None, "function_name", "64", id="name-65-characters"),
        pytest.param(
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{'f' * 65}", None, "function_name", "64", id="arn-long-name"
        ),
        pytest.param(f"{ARN}:{'q' * 200}x{'q' * 20}", None, "function_name", "256", id="whole-string-over-256"),
        pytest.param("my fn", None, "function_name", "letters, digits", id="space"),
        pytest.param("my-fn!", None, "function_name", "letters, digits", id="bang"),
        pytest.param("my/fn", None, "function_name", "letters, digits", id="slash"),
        pytest.param("f\u00fcnf", None, "function_name", "letters, digits", id="non-ascii"),
        pytest.param("my-fn:", None, "function_name", "NAME:QUALIFIER", id="empty-embedded-qualifier"),
        pytest.param("my-fn:bad!", None, "function_name", "NAME:QUALIFIER", id="bad-embedded-qualifier"),
        pytest.param("my-fn:1:2", None, "function_name", "NAME:QUALIFIER", id="too-many-parts"),
        pytest.param(f"{ARN}:1:2", None, "function_name", "arn:PARTITION:lambda", id="arn-too-many-parts"),
        pytest.param(f"arn:aws:sqs:{REGION}:{ACCOUNT}:function:my-fn", None, "function_name", "ARN", id="not-lambda"),
        pytest.param(f"arn:aws:lambda:{REGION}:12345:function:my-fn", None, "function_name", "ARN", id="short-account"),
        pytest.param(f"{ACCOUNT}:layer:my-fn", None, "function_name", "partial ARN", id="partial-arn-not-function"),
        # Python's \d matches any Unicode digit, and "$" matches before a trailing newline (a YAML block scalar)
        pytest.param(f"{ARABIC_DIGITS}:function:my-fn", None, "function_name", "partial ARN", id="non-ascii-account"),
        pytest.param(
            f"arn:aws:lambda:us-east-\u0661:{ACCOUNT}:function:f", None, "function_name", "ARN", id="non-ascii-region"
        ),
        pytest.param("my-fn\n", None, "function_name", "letters, digits", id="trailing-newline"),
        pytest.param("my-fn:1\n", None, "function_name", "NAME:QUALIFIER", id="trailing-newline-after-qualifier"),
        pytest.param("my-fn", "", "qualifier", "$LATEST", id="empty-qualifier"),
        pytest.param("my-fn", "bad qual!", "qualifier", "alias name", id="bad-qualifier"),
        pytest.param("my-fn", "$LATEST.x", "qualifier", "$LATEST", id="latest-suffix"),
        pytest.param("my-fn", "$1", "qualifier", "$LATEST", id="dollar"),
        pytest.param("my-fn", "q" * 129, "qualifier", "128", id="qualifier-129-characters"),
        pytest.param("my-fn", "1\n", "qualifier", "alias name", id="qualifier-trailing-newline"),
    ],
)
def test_parse_target_refuses_with_the_option_named(function_name, qualifier, option, hint):
    """Every refusal happens before I/O, names the option at fault and says what is allowed."""
    error = refusal(parse_target, function_name, qualifier)
    assert error.option == option
    assert hint in str(error)


def test_parse_target_refuses_an_embedded_qualifier_over_128_characters():
    """Qualifier is 1-128 characters [BOTO]; one written inside function_name is sent as Qualifier too."""
    long_alias = "q" * 129
    error = refusal(parse_target, f"my-fn:{long_alias}")
    assert error.option in ("function_name", "qualifier")
    assert "128" in str(error)


def test_parse_target_allows_qualifier_of_128_characters():
    assert parse_target("my-fn", "q" * 128).qualifier == "q" * 128
    assert validate_qualifier("q" * 128) is None


# ============================================================================================== region, arn


@pytest.mark.parametrize(
    ("function_name", "region", "refused"),
    [
        pytest.param("my-fn", "eu-west-1", False, id="name-any-region"),
        pytest.param(f"{ACCOUNT}:function:my-fn", "eu-west-1", False, id="partial-arn-any-region"),
        pytest.param(ARN, REGION, False, id="arn-same-region"),
        pytest.param(ARN, "eu-west-1", True, id="arn-other-region"),
    ],
)
def test_check_region(function_name, region, refused):
    """A full ARN from another region would be looked up in the client's region and not be found."""
    target = parse_target(function_name)
    if refused:
        error = refusal(check_region, target, region)
        assert error.option == "function_name"
        assert REGION in str(error) and region in str(error)
    else:
        assert check_region(target, region) is None


@pytest.mark.parametrize(
    ("arn", "qualifier", "expected"),
    [
        pytest.param(ARN, LATEST, f"{ARN}:$LATEST", id="latest"),
        pytest.param(ARN, "3", f"{ARN}:3", id="version"),
        pytest.param(f"{ARN}:live", "live", f"{ARN}:live", id="already-qualified"),
        pytest.param(f"{ARN}:1", "live", f"{ARN}:live", id="requalified"),
    ],
)
def test_qualified_arn(arn, qualifier, expected):
    """C1: FunctionArn is always reported qualified, even for $LATEST."""
    assert qualified_arn(arn, qualifier) == expected


# ============================================================================================== validation


TARGET = parse_target("my-fn")


def queue_arn(length: int) -> str:
    prefix = f"arn:aws:sqs:{REGION}:{ACCOUNT}:"
    return prefix + "q" * (length - len(prefix))


@pytest.mark.parametrize(
    ("option", "value", "accepted"),
    [
        pytest.param("maximum_retry_attempts", -1, False, id="retries-minus-1"),
        pytest.param("maximum_retry_attempts", 0, True, id="retries-0"),
        pytest.param("maximum_retry_attempts", 2, True, id="retries-2"),
        pytest.param("maximum_retry_attempts", 3, False, id="retries-3"),
        pytest.param("maximum_event_age_in_seconds", 59, False, id="age-59"),
        pytest.param("maximum_event_age_in_seconds", 60, True, id="age-60"),
        pytest.param("maximum_event_age_in_seconds", 21600, True, id="age-21600"),
        pytest.param("maximum_event_age_in_seconds", 21601, False, id="age-21601"),
        pytest.param("maximum_event_age_in_seconds", 0, False, id="age-0"),
    ],
)
def test_validate_request_ranges(option, value, accepted):
    """C6: botocore checks only minimums; the maximums would come back as a server ValidationException."""
    request = {option: value}
    if accepted:
        assert validate_request(request, TARGET) is None
    else:
        error = refusal(validate_request, request, TARGET)
        assert error.option == option
        low, high = ("0", "2") if option == "maximum_retry_attempts" else ("60", "21600")
        assert f"between {low} and {high}" in str(error)
        assert str(value) in str(error)


@pytest.mark.parametrize(
    ("arn", "halves"),
    [
        pytest.param(SQS, ("on_success", "on_failure"), id="sqs"),
        pytest.param(f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs.fifo-like", ("on_success", "on_failure"), id="sqs-not-fifo"),
        pytest.param(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:x-fifo", ("on_success",), id="lambda-named-fifo"),
        pytest.param(SNS, ("on_success", "on_failure"), id="sns"),
        pytest.param(OTHER_LAMBDA, ("on_success", "on_failure"), id="lambda"),
        pytest.param(f"{OTHER_LAMBDA}:live", ("on_success", "on_failure"), id="lambda-alias"),
        pytest.param(EVENTS, ("on_success", "on_failure"), id="events"),
        pytest.param(f"arn:aws-cn:sqs:cn-north-1:{ACCOUNT}:q", ("on_success", "on_failure"), id="aws-cn-sqs"),
        pytest.param(S3, ("on_failure",), id="s3-on-failure"),
        pytest.param(queue_arn(350), ("on_success", "on_failure"), id="350-characters"),
    ],
)
def test_validate_destination_accepts_supported_services(arn, halves):
    """C11: SQS, SNS, Lambda, EventBridge on either side; S3 on failure only."""
    for half in halves:
        assert validate_destination(half, arn, TARGET, REGION) is None
        assert validate_request({half: arn}, TARGET, REGION) is None


@pytest.mark.parametrize(
    ("half", "arn", "hint"),
    [
        pytest.param("on_success", S3, "an S3 bucket cannot be an on_success destination", id="s3-on-success"),
        pytest.param(
            "on_failure", f"arn:aws:iam::{ACCOUNT}:role/x", "'iam' is not a service Lambda delivers", id="iam"
        ),
        pytest.param(
            "on_success",
            f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t",
            "'dynamodb' is not a service Lambda delivers records to",
            id="dynamodb",
        ),
        pytest.param(
            "on_success",
            f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly",
            "it is not an EventBridge event bus: Lambda wants an EventBridge event bus ARN, "
            "arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME",
            id="events-rule",
        ),
        pytest.param(
            "on_failure",
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared:3",
            "it is not a Lambda function: Lambda wants a Lambda function ARN",
            id="lambda-layer",
        ),
        pytest.param(
            "on_failure", f"arn:aws:sns:{REGION}:{ACCOUNT}:done:3f1e0c1a", "it is not an SNS topic", id="subscription"
        ),
        pytest.param("on_failure", f"{S3}/records/x.json", "it is not an S3 bucket", id="s3-object"),
        pytest.param("on_failure", "failures", "is not an ARN", id="bare-name"),
        pytest.param(
            # a queue's URL is taken as its ARN by build_request (issue 21); one that reaches this check unconverted
            # is still refused, naming the form
            "on_failure",
            f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q",
            "Lambda wants an ARN",
            id="sqs-url-raw",
        ),
        pytest.param("on_success", f"arn:aws:_-/!lambda:{REGION}:{ACCOUNT}:x", "is not an ARN", id="bad-service"),
        pytest.param("on_success", f"arn:aws:sqs:{REGION}:1234:q", "is not an ARN", id="short-account"),
        pytest.param("on_success", f"arn:aws:sqs:{REGION}:{ACCOUNT}:", "is not an ARN", id="no-resource"),
        pytest.param("on_success", f"arn:other:sqs:{REGION}:{ACCOUNT}:q", "is not an ARN", id="bad-partition"),
        pytest.param("on_success", f"arn:aws:sqs:useast1:{ACCOUNT}:q", "is not an ARN", id="bad-region"),
        # "$" matches before a trailing newline; \d matches any Unicode digit
        pytest.param("on_failure", f"{SQS}\n", "is not an ARN", id="trailing-newline"),
        pytest.param("on_failure", "kafka://broker.example.com", "Lambda wants an ARN", id="kafka"),
        pytest.param("on_failure", queue_arn(351), "351 characters long; AWS allows 350", id="351-characters"),
        pytest.param("on_failure", f"arn:aws:sqs:{REGION}:{ARABIC_DIGITS}:q", "is not an ARN", id="non-ascii-account"),
    ],
)
def test_validate_destination_refuses(half, arn, hint):
    """C11: what AWS refuses at Put time is refused before any call, naming the half and the allowed kinds."""
    error = refusal(validate_destination, half, arn, TARGET, REGION)
    assert error.option == half
    assert hint in str(error)
    assert refusal(validate_request, {half: arn}, TARGET, REGION).option == half


def test_unsupported_service_message_lists_the_kinds_and_their_forms():
    message = str(refusal(validate_destination, "on_success", f"arn:aws:iam::{ACCOUNT}:role/x", TARGET))
    assert "an SQS queue (arn:PARTITION:sqs:REGION:ACCOUNT:QUEUE), an SNS topic (" in message
    assert "an S3 bucket (arn:PARTITION:s3:::BUCKET)" in message
    message = str(refusal(validate_destination, "on_success", S3, TARGET))
    assert "an S3 bucket cannot be an on_success destination" in message
    assert message.count("(arn:PARTITION:") == 4  # the four kinds on_success takes, not S3


def test_two_wrong_halves_are_both_named_in_one_message():
    request = {"on_success": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/x", "on_failure": "arn:aws:s3:::b/key"}
    error = refusal(validate_request, request, TARGET, REGION)
    assert "on_success destination 'arn:aws:events" in str(error) and "on_failure destination 'arn:aws:s3" in str(error)


@pytest.mark.parametrize(
    ("function_name", "region", "destination", "refused"),
    [
        pytest.param("my-fn", REGION, ARN, True, id="name-same-function"),
        pytest.param("my-fn", REGION, f"{ARN}:live", True, id="name-other-qualifier"),
        pytest.param("my-fn:live", REGION, f"{ARN}:1", True, id="alias-target-version-destination"),
        pytest.param(
            "my-fn", REGION, f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:my-fn", False, id="name-other-region"
        ),
        pytest.param("my-fn", REGION, OTHER_LAMBDA, False, id="name-other-function"),
        pytest.param("my-fn", REGION, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-fn2", False, id="name-prefix"),
        pytest.param(ARN, None, ARN, True, id="arn-same-function"),
        pytest.param(ARN, None, f"{ARN}:7", True, id="arn-other-version"),
        pytest.param(
            ARN, None, f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:function:my-fn", False, id="arn-other-account"
        ),
        pytest.param(ARN, None, f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:my-fn", False, id="arn-other-region"),
        pytest.param(
            f"{ACCOUNT}:function:my-fn",
            REGION,
            f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:function:my-fn",
            False,
            id="partial-arn-other-account",
        ),
        pytest.param(f"{ACCOUNT}:function:my-fn", REGION, ARN, True, id="partial-arn-same-function"),
        pytest.param(
            "my-fn",
            REGION,
            f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:function:my-fn",
            True,
            id="name-cannot-tell-accounts-apart",
        ),
        pytest.param("my-fn", REGION, f"arn:aws:sqs:{REGION}:{ACCOUNT}:my-fn", False, id="queue-named-like-function"),
    ],
)
def test_function_as_its_own_destination(function_name, region, destination, refused):
    """C11: "You can't specify the function as a destination for itself." (put_destination_recursive).

    A bare name carries no account, so a same-named function in another account is refused too; the docstring
    of _is_same_function documents this, and an ARN function_name tells them apart.
    """
    target = parse_target(function_name)
    for half in ("on_success", "on_failure"):
        if refused:
            error = refusal(validate_destination, half, destination, target, region)
            assert error.option == half
            assert "is the function itself" in str(error)
        else:
            assert validate_destination(half, destination, target, region) is None


def test_fifo_destinations_pass_validation_since_a_config_may_hold_one_already():
    """C11: FIFO queues and topics are accepted at write time and dropped at delivery, so another tool may have
    written one: restating it is no change. A new one is refused when the write is planned (see test_plan_fifo)."""
    assert validate_destination("on_failure", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q.fifo", TARGET) is None


def test_validate_request_ignores_removals_and_absent_options():
    """A removed destination (None) is not an ARN to check; an empty request is valid on its own."""
    assert validate_request({"on_success": None, "on_failure": None}, TARGET) is None
    assert validate_request({}, TARGET) is None


# ============================================================================================== build_request


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, {}, id="nothing"),
        pytest.param(
            {"maximum_retry_attempts": None, "maximum_event_age_in_seconds": None, "on_success": None},
            {},
            id="options-left-out-are-absent",
        ),
        pytest.param({"maximum_retry_attempts": 0}, {"maximum_retry_attempts": 0}, id="zero-is-a-value"),
        pytest.param(
            {"maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 60},
            {"maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 60},
            id="numbers",
        ),
        pytest.param({"on_success": SQS}, {"on_success": SQS}, id="on-success"),
        pytest.param({"on_failure": S3}, {"on_failure": S3}, id="on-failure"),
        pytest.param(
            {"on_success": "", "on_failure": ""}, {"on_success": None, "on_failure": None}, id="empty-removes"
        ),
        pytest.param({"destination_config": None}, {}, id="destination-config-none"),
        pytest.param({"destination_config": {}}, {}, id="destination-config-empty"),
        pytest.param(
            {"destination_config": {"on_success": {"destination": SQS}, "on_failure": None}},
            {"on_success": SQS},
            id="half-with-destination-other-left-out",
        ),
        pytest.param(
            {"destination_config": {"on_success": {"destination": None}}},
            {"on_success": None},
            id="half-with-none-removes",
        ),
        pytest.param(
            {"destination_config": {"on_failure": {"destination": ""}}},
            {"on_failure": None},
            id="half-with-empty-removes",
        ),
        pytest.param({"destination_config": {"on_failure": {}}}, {"on_failure": None}, id="half-as-returned-removes"),
        pytest.param(
            {"destination_config": {"on_success": {"destination": SNS}, "on_failure": {"destination": S3}}},
            {"on_success": SNS, "on_failure": S3},
            id="both-halves",
        ),
        pytest.param(
            {"maximum_event_age_in_seconds": 3600, "function_name": "my-fn", "state": "present", "region": REGION},
            {"maximum_event_age_in_seconds": 3600},
            id="other-options-ignored",
        ),
    ],
)
def test_build_request(params, expected):
    """The request holds exactly the settings the task names (a removal as None); left out means kept."""
    assert build_request(params) == expected


# ============================================================================================== from_api, iso8601

LAST_MODIFIED_UTC = datetime.datetime(2019, 11, 13, 23, 0, 21, 479000, tzinfo=datetime.timezone.utc)
LAST_MODIFIED_ISO = "2019-11-13T23:00:21.479000+00:00"


def test_from_api_put_with_everything_c1():
    """C1: Put(retries=2, age=21600) with no destinations: both halves come back as {}."""
    response = {
        "ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0},
        "DestinationConfig": {"OnFailure": {}, "OnSuccess": {}},
        "FunctionArn": f"{ARN}:$LATEST",
        "LastModified": LAST_MODIFIED_UTC.astimezone(tzlocal()),
        "MaximumEventAgeInSeconds": 21600,
        "MaximumRetryAttempts": 2,
    }
    assert EventInvokeConfig.from_api(response).to_result() == {
        "function_arn": f"{ARN}:$LATEST",
        "function_name": "my-fn",
        "qualifier": LATEST,
        "last_modified": LAST_MODIFIED_ISO,
        "maximum_retry_attempts": 2,
        "maximum_event_age_in_seconds": 21600,
        "destination_config": {"on_success": {}, "on_failure": {}},
    }


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        pytest.param(
            {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {}, "OnSuccess": {}}},
            flat(retries=0),
            id="c3-only-retries-zero",
        ),
        pytest.param(
            {"MaximumEventAgeInSeconds": 60, "DestinationConfig": {"OnFailure": {}, "OnSuccess": {}}},
            flat(age=60),
            id="c3-only-age",
        ),
        pytest.param(
            {"DestinationConfig": {"OnFailure": {}, "OnSuccess": {"Destination": OTHER_LAMBDA}}},
            flat(on_success=OTHER_LAMBDA),
            id="c3-only-destination",
        ),
        pytest.param(
            {"DestinationConfig": {"OnFailure": {"Destination": SQS}, "OnSuccess": {"Destination": SQS}}},
            flat(on_success=SQS, on_failure=SQS),
            id="ls-dest-sqs-both",
        ),
        pytest.param({}, flat(), id="docs-list-item-without-destination-config"),
        pytest.param({"DestinationConfig": {"OnSuccess": {"Destination": None}}}, flat(), id="null-destination"),
    ],
)
def test_from_api_unset_numbers_are_none_and_zero_is_kept(response, expected):
    """C1/C3: unset numbers are omitted by AWS and become None, never a default; 0 is a real value."""
    item = {"FunctionArn": f"{ARN}:$LATEST", "LastModified": LAST_MODIFIED_UTC, **response}
    assert EventInvokeConfig.from_api(item).settings == expected
    halves = EventInvokeConfig.from_api(item).to_result()["destination_config"]
    assert set(halves) == {"on_success", "on_failure"}
    for half in ("on_success", "on_failure"):
        assert halves[half] == ({"destination": getattr(expected, half)} if getattr(expected, half) else {})


def test_from_api_list_items_c14():
    """C14: one item per qualifier, each qualified; the numbers present only when set."""
    items = [
        {
            "FunctionArn": f"{ARN}:$LATEST",
            "LastModified": LAST_MODIFIED_UTC,
            "MaximumEventAgeInSeconds": 60,
            "MaximumRetryAttempts": 0,
            "DestinationConfig": {"OnFailure": {}, "OnSuccess": {}},
        },
        {
            "FunctionArn": f"{ARN}:1",
            "LastModified": LAST_MODIFIED_UTC,
            "MaximumRetryAttempts": 1,
            "DestinationConfig": {"OnFailure": {}, "OnSuccess": {}},
        },
        {
            "FunctionArn": f"{ARN}:eventinvokealias",
            "LastModified": LAST_MODIFIED_UTC,
            "MaximumRetryAttempts": 1,
            "DestinationConfig": {"OnFailure": {}, "OnSuccess": {}},
        },
    ]
    configs = [EventInvokeConfig.from_api(item) for item in items]
    assert [c.key for c in configs] == [
        ("my-fn", LATEST),
        ("my-fn", "1"),
        ("my-fn", "eventinvokealias"),
    ]
    assert [c.settings for c in configs] == [flat(retries=0, age=60), flat(retries=1), flat(retries=1)]
    assert [c.function_arn for c in configs] == [item["FunctionArn"] for item in items]


@pytest.mark.parametrize(
    ("function_arn", "name", "qualifier"),
    [
        pytest.param(f"{ARN}:$LATEST", "my-fn", LATEST, id="latest"),
        pytest.param(f"{ARN}:12", "my-fn", "12", id="version"),
        pytest.param(f"{ARN}:live", "my-fn", "live", id="alias"),
        pytest.param(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:function:1", "function", "1", id="named-function"),
        pytest.param(ARN, "my-fn", LATEST, id="unqualified-from-an-emulator"),
        pytest.param(f"arn:aws-us-gov:lambda:us-gov-west-1:{ACCOUNT}:function:g:prod", "g", "prod", id="gov"),
    ],
)
def test_from_api_identity(function_arn, name, qualifier):
    """C1: FunctionArn is always qualified; name and qualifier are split from it and the ARN kept as is."""
    result = EventInvokeConfig.from_api({"FunctionArn": function_arn, "DestinationConfig": {"OnFailure": {}}})
    assert (result.function_arn, result.function_name, result.qualifier) == (function_arn, name, qualifier)
    assert result.last_modified is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(LAST_MODIFIED_UTC, LAST_MODIFIED_ISO, id="utc"),
        pytest.param(LAST_MODIFIED_UTC.astimezone(tzlocal()), LAST_MODIFIED_ISO, id="botocore-tzlocal"),
        pytest.param(
            LAST_MODIFIED_UTC.astimezone(datetime.timezone(datetime.timedelta(hours=2))),
            LAST_MODIFIED_ISO,
            id="plus-two-hours",
        ),
        pytest.param(LAST_MODIFIED_UTC.replace(tzinfo=None), LAST_MODIFIED_ISO, id="naive-is-utc"),
        pytest.param(1573686021.479, LAST_MODIFIED_ISO, id="epoch-float-from-the-wire"),
        pytest.param(1573686021, "2019-11-13T23:00:21+00:00", id="epoch-int"),
        pytest.param("2019-11-13T23:00:21.479+0000", "2019-11-13T23:00:21.479+0000", id="string-kept"),
        pytest.param(None, None, id="none"),
    ],
)
def test_iso8601(value, expected):
    """C1: botocore gives a tz-aware datetime (tzlocal); the wire has epoch seconds with milliseconds."""
    assert iso8601(value) == expected


def test_from_api_last_modified_is_iso8601():
    item = {"FunctionArn": f"{ARN}:$LATEST", "LastModified": LAST_MODIFIED_UTC.astimezone(tzlocal())}
    assert EventInvokeConfig.from_api(item).last_modified == LAST_MODIFIED_ISO


# ============================================================================================== plan, to_api


@pytest.mark.parametrize(
    ("request_", "current", "changed", "desired"),
    [
        pytest.param({"maximum_retry_attempts": 0}, None, True, flat(retries=0), id="create-with-zero"),
        pytest.param(
            {"on_failure": SQS, "maximum_event_age_in_seconds": 60},
            None,
            True,
            flat(age=60, on_failure=SQS),
            id="create-new-gets-only-what-is-given",
        ),
        pytest.param(
            {"on_success": None, "maximum_retry_attempts": 1}, None, True, flat(retries=1), id="create-ignores-removal"
        ),
        pytest.param({"on_success": None}, None, False, flat(), id="only-a-removal-where-none-exists"),
        pytest.param({"on_success": None, "on_failure": None}, None, False, flat(), id="only-removals-none-exists"),
        pytest.param({"maximum_retry_attempts": 1}, config(retries=1, age=60), False, flat(1, 60), id="equal"),
        pytest.param({}, config(retries=1, age=60), False, flat(1, 60), id="nothing-named-keeps-all"),
        pytest.param(
            {"maximum_retry_attempts": 0}, config(retries=1, age=60), True, flat(0, 60), id="c4-update-one-number"
        ),
        pytest.param({"maximum_retry_attempts": 0}, config(), True, flat(retries=0), id="none-to-zero"),
        pytest.param({"maximum_retry_attempts": 0}, config(retries=0), False, flat(retries=0), id="zero-to-zero"),
        pytest.param(
            {"on_success": None},
            config(on_success=SNS, on_failure=SQS),
            True,
            flat(on_failure=SQS),
            id="c17-remove-one-destination",
        ),
        pytest.param({"on_success": None}, config(on_failure=SQS), False, flat(on_failure=SQS), id="remove-absent"),
        pytest.param({"on_failure": SNS}, config(on_failure=SQS), True, flat(on_failure=SNS), id="replace-destination"),
        pytest.param(
            {"on_success": None, "on_failure": None},
            config(retries=2, age=60, on_success=SNS, on_failure=SQS),
            True,
            flat(2, 60),
            id="remove-both-destinations-keeps-numbers",
        ),
        pytest.param(
            {"on_success": None, "on_failure": None},
            config(on_success=SNS, on_failure=SQS),
            True,
            flat(),
            id="everything-removed-is-a-change",
        ),
        pytest.param({"on_success": None}, config(), False, flat(), id="empty-config-stays-empty"),
    ],
)
def test_plan(request_, current, changed, desired):
    """C4/C16/C17: the current settings with the request laid over them; LastModified never compared."""
    assert plan(request_, current) == Plan(changed, desired)


@pytest.mark.parametrize(
    ("request_", "current", "changed", "desired"),
    [
        pytest.param({"maximum_retry_attempts": 1}, config(1, 60, SNS, SQS), True, flat(retries=1), id="drops-unnamed"),
        pytest.param({"maximum_retry_attempts": 1}, config(retries=1), False, flat(retries=1), id="already-exact"),
        pytest.param({}, config(1, 60), True, flat(), id="nothing-named-empties-it"),
        pytest.param({}, config(), False, flat(), id="empty-stays-empty"),
        pytest.param({}, None, False, flat(), id="nothing-where-none-exists"),
        pytest.param({"on_failure": SQS}, None, True, flat(on_failure=SQS), id="create"),
    ],
)
def test_plan_with_purge(request_, current, changed, desired):
    """purge=true: exactly what is named; a number left out returns to AWS's default (unset)."""
    assert plan(request_, current, purge=True) == Plan(changed, desired)


def test_plan_refuses_to_create_from_a_task_that_names_nothing():
    """C6 (put_functionname_nootherargs): nothing named and no config is a clear failure, not a write."""
    error = refusal(plan, {}, None)
    assert error.option is None
    assert "maximum_retry_attempts" in str(error)
    assert "on_failure" in str(error)


def test_plan_ignores_last_modified():
    """C16: every write may move LastModified, so comparing it would make no run idempotent."""
    moved = dataclasses.replace(config(retries=1), last_modified="2030-01-01T00:00:00+00:00")
    assert plan({"maximum_retry_attempts": 1}, moved) == Plan(False, flat(retries=1))


@pytest.mark.parametrize(
    ("settings_", "expected"),
    [
        pytest.param(
            flat(),
            {"DestinationConfig": {"OnSuccess": {}, "OnFailure": {}}},
            id="everything-removed-is-still-a-valid-put",
        ),
        pytest.param(
            flat(retries=0),
            {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnSuccess": {}, "OnFailure": {}}},
            id="zero-is-sent",
        ),
        pytest.param(
            flat(age=21600, on_failure=S3),
            {
                "MaximumEventAgeInSeconds": 21600,
                "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": S3}},
            },
            id="age-and-failure",
        ),
        pytest.param(
            flat(2, 60, SNS, SQS),
            {
                "MaximumRetryAttempts": 2,
                "MaximumEventAgeInSeconds": 60,
                "DestinationConfig": {"OnSuccess": {"Destination": SNS}, "OnFailure": {"Destination": SQS}},
            },
            id="everything",
        ),
    ],
)
def test_to_api(settings_, expected):
    """C4/C11/C17: Put replaces everything, so it carries the whole state; {} halves count as a setting."""
    assert settings_.to_api() == expected


# ============================================================================================== predict, diff, sort


def test_with_settings_keeps_identity_and_lays_settings():
    """Check mode: the identity from what was read, the settings as planned, halves shaped like from_api."""
    current = config(retries=1, on_success=SNS, qualifier="live")
    predicted = current.with_settings(flat(retries=0, on_failure=SQS))
    assert predicted.to_result() == {
        "function_arn": f"{ARN}:live",
        "function_name": "my-fn",
        "qualifier": "live",
        "last_modified": current.last_modified,
        "maximum_retry_attempts": 0,
        "maximum_event_age_in_seconds": None,
        "destination_config": {"on_success": {}, "on_failure": {"destination": SQS}},
    }


def test_with_settings_from_a_get_function_identity():
    """A new config in check mode: identity from GetFunction, which has no LastModified of a config."""
    identity = EventInvokeConfig(f"{ARN}:$LATEST", "my-fn", LATEST)
    predicted = identity.with_settings(flat(age=60))
    assert predicted.last_modified is None
    assert predicted.function_arn == f"{ARN}:$LATEST"
    assert predicted.settings == flat(age=60)


def test_diff_view_shows_what_aws_applies_for_unset_numbers():
    assert diff_view(None) == {}
    view = diff_view(config(retries=0, on_failure=SQS))
    assert "last_modified" not in view
    assert view["maximum_retry_attempts"] == 0  # 0 is a value, not unset
    assert view["maximum_event_age_in_seconds"] == "unset (AWS default 21600)"
    assert view["destination_config"] == {"on_success": {}, "on_failure": {"destination": SQS}}
    assert diff_view(config())["maximum_retry_attempts"] == "unset (AWS default 2)"


def test_diff_names_the_config_in_its_headers():
    shown = diff("my-fn:live", None, config(retries=1, qualifier="live"))
    assert (shown["before_header"], shown["after_header"]) == ("my-fn:live", "my-fn:live")
    assert shown["before"] == {} and shown["after"]["maximum_retry_attempts"] == 1


def test_empty_settings():
    assert flat().is_empty and not flat(retries=0).is_empty
    assert flat(2, 60, SNS, SQS).destinations() == {"on_success": SNS, "on_failure": SQS}
    assert set(SETTINGS) == {f.name for f in dataclasses.fields(Settings)}


def test_key_orders_by_function_then_qualifier():
    """C14: AWS lists in no defined order; the info module sorts."""
    configs = [config(name="b", qualifier="1"), config(name="a", qualifier="live"), config(name="a", qualifier=LATEST)]
    assert [c.key for c in sorted(configs, key=lambda c: c.key)] == [("a", LATEST), ("a", "live"), ("b", "1")]


# ============================================================================================== properties

DESTINATION_FUNCTIONS = ("dest-handler", "failure_sink")
NAMES = st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True).filter(lambda n: n not in DESTINATION_FUNCTIONS)
ALIASES = st.from_regex(r"[a-zA-Z_-][a-zA-Z0-9_-]{0,127}", fullmatch=True)
QUALIFIERS = st.one_of(st.just(LATEST), st.integers(1, 10**6).map(str), ALIASES)
ACCOUNTS = st.from_regex(r"[0-9]{12}", fullmatch=True)
REGIONS = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"])
RESOURCES = st.from_regex(r"[a-zA-Z0-9_-]{1,80}", fullmatch=True)


@st.composite
def targets(draw) -> Target:
    """Any FunctionName form, with the qualifier given separately, embedded, both (equal), or not at all."""
    name, account, region = draw(NAMES), draw(ACCOUNTS), draw(REGIONS)
    base = draw(
        st.sampled_from([name, f"{account}:function:{name}", f"arn:aws:lambda:{region}:{account}:function:{name}"])
    )
    qualifier = draw(st.one_of(st.none(), QUALIFIERS))
    how = draw(st.sampled_from(["separate", "embedded", "both"]))
    if qualifier is None:
        return parse_target(base)
    if how == "separate":
        return parse_target(base, qualifier)
    return parse_target(f"{base}:{qualifier}", qualifier if how == "both" else None)


@st.composite
def destinations(draw, half: str) -> str:
    region, account, resource = draw(REGIONS), draw(ACCOUNTS), draw(RESOURCES)
    services = ["sqs", "sns", "lambda", "events"] + (["s3"] if half == "on_failure" else [])
    service = draw(st.sampled_from(services))
    if service == "lambda":
        return f"arn:aws:lambda:{region}:{account}:function:{draw(st.sampled_from(DESTINATION_FUNCTIONS))}"
    if service == "events":
        return f"arn:aws:events:{region}:{account}:event-bus/{resource}"
    if service == "s3":
        return f"arn:aws:s3:::{resource.lower()}"
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def setting_values():
    return st.builds(
        Settings,
        maximum_retry_attempts=st.one_of(st.none(), st.integers(0, 2)),
        maximum_event_age_in_seconds=st.one_of(st.none(), st.integers(60, 21600)),
        on_success=st.one_of(st.none(), destinations("on_success")),
        on_failure=st.one_of(st.none(), destinations("on_failure")),
    )


def api_item(target: Target, settings_: Settings, last_modified) -> dict:
    """A Get/Put/List item as boto3 returns it: numbers only when set, both halves always present (C1-C3).

    Written out by hand, not with Settings.to_api, so the round trip below checks one against the other."""
    item = {
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{target.name}:{target.qualifier}",
        "LastModified": last_modified,
        "DestinationConfig": {
            "OnSuccess": {"Destination": settings_.on_success} if settings_.on_success else {},
            "OnFailure": {"Destination": settings_.on_failure} if settings_.on_failure else {},
        },
    }
    if settings_.maximum_retry_attempts is not None:
        item["MaximumRetryAttempts"] = settings_.maximum_retry_attempts
    if settings_.maximum_event_age_in_seconds is not None:
        item["MaximumEventAgeInSeconds"] = settings_.maximum_event_age_in_seconds
    return item


@st.composite
def currents(draw, target: Target):
    """No config, or one read from AWS in boto3's shape."""
    if draw(st.booleans()):
        return None
    stamp = draw(st.datetimes(timezones=st.just(datetime.timezone.utc)))
    return EventInvokeConfig.from_api(api_item(target, draw(setting_values()), stamp))


@st.composite
def task_params(draw) -> dict:
    """Module params as a user writes them: each setting left out, set, or removed, in either destination style."""
    params = {}
    for option, values in [
        ("maximum_retry_attempts", st.integers(0, 2)),
        ("maximum_event_age_in_seconds", st.integers(60, 21600)),
    ]:
        params[option] = draw(st.one_of(st.none(), values))
    if draw(st.booleans()):
        for half in ("on_success", "on_failure"):
            params[half] = draw(st.one_of(st.none(), st.just(""), destinations(half)))
    else:
        params["destination_config"] = {
            half: draw(
                st.one_of(
                    st.none(),
                    st.just({}),
                    st.builds(lambda d: {"destination": d}, st.one_of(st.none(), st.just(""), destinations(half))),
                )
            )
            for half in ("on_success", "on_failure")
        }
    return params


@st.composite
def scenarios(draw):
    target = draw(targets())
    current = draw(currents(target))
    params = draw(task_params())
    request = build_request(params)
    validate_request(request, target)  # a valid request must pass validation
    return target, current, request, draw(st.booleans())


def identity_of(target: Target, current) -> EventInvokeConfig:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{target.name}:{target.qualifier}"
    return current or EventInvokeConfig(arn, target.name, target.qualifier)


def request_from(config_: EventInvokeConfig) -> dict:
    """The request a user writes by feeding a returned config back: numbers, and the halves as returned."""
    result = config_.to_result()
    params = {k: result[k] for k in ("maximum_retry_attempts", "maximum_event_age_in_seconds")}
    params["destination_config"] = result["destination_config"]
    return build_request(params)


def refused_as_empty(request: dict, current, purge: bool) -> bool:
    return current is None and not request and not purge


@PROPERTY
@given(scenarios())
def test_property_planning_the_returned_config_changes_nothing(scenario):
    """(a) Feeding back what the module returned (check mode's prediction) is never a change, with or without
    purge: the returned config names every setting it holds."""
    target, current, request, purge = scenario
    if refused_as_empty(request, current, purge):
        assert refusal(plan, request, current).option is None
        return
    changed, desired = plan(request, current, purge)
    if not changed and current is None:
        return  # nothing was created: there is no config to feed back
    after = identity_of(target, current).with_settings(desired)
    again = request_from(after)
    validate_request(again, target)
    assert plan(again, after, purge) == Plan(False, desired)


@PROPERTY
@given(scenarios())
def test_property_plan_is_idempotent(scenario):
    """(b) Running the same task on the state it produced is unchanged, with the same desired settings."""
    target, current, request, purge = scenario
    if refused_as_empty(request, current, purge):
        return
    changed, desired = plan(request, current, purge)
    if current is None:
        assert changed == (not desired.is_empty)
    else:
        assert changed == (desired != current.settings)
    after = identity_of(target, current).with_settings(desired) if changed or current else None
    assert plan(request, after, purge) == Plan(False, desired)


@PROPERTY
@given(scenarios())
def test_property_a_request_changes_only_what_it_names(scenario):
    """(c) Options left out keep their current value, or (purge) are unset; named ones take the request's value."""
    _target, current, request, purge = scenario
    if refused_as_empty(request, current, purge):
        return
    _changed, desired = plan(request, current, purge)
    before = current.settings if current and not purge else Settings()
    for key in SETTINGS:
        assert getattr(desired, key) == (request[key] if key in request else getattr(before, key))


@PROPERTY
@given(targets(), setting_values(), st.datetimes(timezones=st.just(datetime.timezone.utc)))
def test_property_put_response_round_trips(target, settings_, stamp):
    """(d) AWS echoes the Put (C1): reading that response gives back the settings and the target."""
    params = settings_.to_api()
    assert set(params["DestinationConfig"]) == {"OnSuccess", "OnFailure"}
    assert ("MaximumRetryAttempts" in params) == (settings_.maximum_retry_attempts is not None)
    assert ("MaximumEventAgeInSeconds" in params) == (settings_.maximum_event_age_in_seconds is not None)
    response = {
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{target.name}:{target.qualifier}",
        "LastModified": stamp,
        **params,
    }
    result = EventInvokeConfig.from_api(response)
    assert result.settings == settings_
    assert result.key == (target.name, target.qualifier)
    assert result.last_modified == stamp.isoformat()
    assert EventInvokeConfig.from_api(api_item(target, settings_, stamp)) == result


# -------------------------------------------------------------------------------- (e) invalid input


@PROPERTY
@given(
    st.sampled_from(["maximum_retry_attempts", "maximum_event_age_in_seconds"]),
    st.one_of(st.integers(max_value=-1), st.integers(min_value=21601), st.integers(3, 59)),
)
def test_property_out_of_range_numbers_are_refused(option, value):
    error = refusal(validate_request, {option: value}, TARGET)
    assert error.option == option


@PROPERTY
@given(st.sampled_from(["on_success", "on_failure"]), st.text(min_size=1).filter(lambda s: not s.startswith("arn:")))
def test_property_non_arns_are_refused(half, text):
    error = refusal(validate_request, {half: text}, TARGET, REGION)
    assert error.option == half


@PROPERTY
@given(
    st.sampled_from(["on_success", "on_failure"]),
    st.from_regex(r"[a-z0-9-]{2,20}", fullmatch=True).filter(
        lambda s: s not in ("sqs", "sns", "lambda", "events", "s3")
    ),
    REGIONS,
    ACCOUNTS,
    RESOURCES,
)
def test_property_unsupported_services_are_refused(half, service, region, account, resource):
    error = refusal(validate_destination, half, f"arn:aws:{service}:{region}:{account}:{resource}", TARGET, REGION)
    assert error.option == half
    assert "is not a service Lambda delivers records to" in str(error)


BAD_CHARACTERS = st.sampled_from([*" !/@#%&*+=,;?'\"\\\n\t\x00", "\u00e9", "\u2013"])


@PROPERTY
@given(NAMES, BAD_CHARACTERS, st.integers(min_value=0))
@example("my-fn", "\n", 5)  # a trailing newline: re's "$" matches before it
def test_property_a_name_with_a_bad_character_is_refused(name, bad, position):
    position %= len(name) + 1
    error = refusal(parse_target, name[:position] + bad + name[position:])
    assert error.option == "function_name"


AWS_FUNCTION_NAME = re.compile(
    r"(arn:aws[a-zA-Z-]*:lambda:(eusc-)?[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:function:|[0-9]{12}:function:)?"
    r"[a-zA-Z0-9_-]{1,64}"
)
AWS_QUALIFIER = re.compile(r"\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9_-]{1,128}")


@PROPERTY
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=140)))
@example("my-fn\n", None)
@example("my-fn", "live\n")
@example("my-fn:" + "q" * 129, None)
@example(f"{ARABIC_DIGITS}:function:my-fn", None)
def test_property_parse_target_refuses_or_returns_what_aws_accepts(function_name, qualifier):
    """(e) Any text: a ParameterError, or a Target whose FunctionName and Qualifier fully match AWS's patterns."""
    try:
        target = parse_target(function_name, qualifier)
    except ParameterError as error:
        assert error.option in ("function_name", "qualifier")
        return
    assert AWS_FUNCTION_NAME.fullmatch(target.function_name), target
    assert AWS_QUALIFIER.fullmatch(target.qualifier), target


@PROPERTY
@given(st.sampled_from(["on_success", "on_failure"]), st.text(max_size=400))
@example("on_failure", f"{SQS}\n")
@example("on_success", f"arn:aws:sqs:{REGION}:{ARABIC_DIGITS}:q")
def test_property_validate_destination_refuses_or_accepts_a_clean_arn(half, text):
    """(e) Any text: a ParameterError naming the half, or an ARN of at most 350 characters with no line break."""
    try:
        validate_request({half: text}, TARGET, REGION)
    except ParameterError as error:
        assert error.option == half
        return
    if text:
        assert len(text) <= 350
        pattern = r"arn:aws[a-zA-Z0-9-]*:(sqs|sns|lambda|events|s3):[a-z0-9-]*:([0-9]{12})?:[^\n]+"
        assert re.fullmatch(pattern, text), text
