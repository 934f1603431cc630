"""The bad-input catalogue (issue 5): each class of bad input fails through `ansible`, names the option at fault,
and makes no write call; all but one make no call at all (that one has to read to learn there is no config).

Arguments are given as `-a` would be typed: key=value, or JSON where a value is empty or a dict. Placeholders in
braces are filled from the emulator's world: {fn} (a function name), {fn_arn}, {queue}, {topic}, {bucket}.
"""

from __future__ import annotations

import json
from typing import NamedTuple
from typing import Optional

import pytest
from conftest import GET
from conftest import INFO_MODULE
from conftest import MODULE


class Case(NamedTuple):
    id: str
    args: str
    names: tuple[str, ...]  # what the failure message must mention: the option at fault (and its partner)
    env: Optional[dict[str, Optional[str]]] = None
    module: str = MODULE
    reads: tuple[str, ...] = ()  # the only calls the run may make


def as_json(**args) -> str:
    return json.dumps(args)


NO_KEYS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}

CASES = [
    # --- ranges and types
    Case("retries-above-range", "function_name={fn} maximum_retry_attempts=3", ("maximum_retry_attempts",)),
    Case("retries-not-an-integer", "function_name={fn} maximum_retry_attempts=abc", ("maximum_retry_attempts",)),
    Case(
        "event-age-below-range", "function_name={fn} maximum_event_age_in_seconds=59", ("maximum_event_age_in_seconds",)
    ),
    Case(
        "event-age-above-range",
        "function_name={fn} maximum_event_age_in_seconds=21601",
        ("maximum_event_age_in_seconds",),
    ),
    Case("max-attempts-zero", "function_name={fn} maximum_retry_attempts=1 max_attempts=0", ("max_attempts",)),
    # YAML/JSON true is an int to Python and passes Ansible's int check; AWS would answer SerializationException.
    Case("retries-boolean", as_json(function_name="{fn}", maximum_retry_attempts=True), ("maximum_retry_attempts",)),
    Case(
        "aws-config-wrong-type",
        as_json(function_name="{fn}", maximum_retry_attempts=1, aws_config={"retries": "standard"}),
        ("aws_config", "retries"),
    ),
    # --- destinations: ARN shape, service, S3 on success, the function itself, length
    Case("destination-not-an-arn", "function_name={fn} on_failure=my-queue", ("on_failure",)),
    Case(
        "destination-unsupported-service",
        "function_name={fn} on_failure=arn:aws:dynamodb:us-east-1:123456789012:table/t",
        ("on_failure",),
    ),
    Case("s3-on-success", "function_name={fn} on_success={bucket}", ("on_success",)),
    Case(
        "s3-on-success-in-destination-config",
        as_json(function_name="{fn}", destination_config={"on_success": {"destination": "{bucket}"}}),
        ("on_success",),
    ),
    Case("self-alias-as-destination", "function_name={fn}:live on_success={fn_arn}:live", ("on_success",)),
    # A FIFO destination is refused only as a *new* write (one that restates the config already there is no
    # change, issue 21), so the refusal costs the one Get that tells which it is; never a write.
    Case("fifo-queue", "function_name={fn} on_failure={queue}.fifo", ("on_failure", "FIFO"), reads=(GET,)),
    Case(
        "destination-too-long",
        "function_name={fn} on_failure=arn:aws:sqs:us-east-1:123456789012:" + "q" * 320,
        ("on_failure",),
    ),
    # --- function names and qualifiers
    Case("empty-function-name", as_json(function_name="", maximum_retry_attempts=1), ("function_name",)),
    Case("function-name-too-long", "function_name=" + "f" * 65 + " maximum_retry_attempts=1", ("function_name",)),
    Case("function-name-bad-characters", "function_name=bad!name maximum_retry_attempts=1", ("function_name",)),
    Case(
        "function-arn-bad-shape",
        "function_name=arn:aws:lambda:us-east-1:12345:function:{fn} maximum_retry_attempts=1",
        ("function_name",),
    ),
    Case(
        "function-arn-other-region",
        "function_name=arn:aws:lambda:eu-west-1:123456789012:function:{fn} maximum_retry_attempts=1",
        ("function_name", "region"),
    ),
    Case("conflicting-qualifiers", "function_name={fn}:live qualifier=1 maximum_retry_attempts=1", ("qualifier",)),
    Case("bad-qualifier", "function_name={fn} qualifier=$PROD maximum_retry_attempts=1", ("qualifier",)),
    # --- option combinations
    Case(
        "mutually-exclusive-destinations",
        as_json(
            function_name="{fn}", on_success="{topic}", destination_config={"on_failure": {"destination": "{queue}"}}
        ),
        ("mutually exclusive", "destination_config", "on_success"),
    ),
    Case(
        "absent-with-settings",
        "function_name={fn} state=absent maximum_retry_attempts=1",
        ("maximum_retry_attempts", "state=absent"),
    ),
    Case("unknown-option", "function_name={fn} maximum_retries=1", ("maximum_retries",)),
    Case("nothing-to-set-and-no-config", "function_name={fn}", ("maximum_retry_attempts", "on_failure"), reads=(GET,)),
    # --- connection
    Case(
        "missing-region",
        "function_name={fn} maximum_retry_attempts=1",
        ("region", "group/cloudops.aws_lambda.aws"),
        env={"AWS_REGION": None},
    ),
    Case(
        "profile-plus-keys", "function_name={fn} maximum_retry_attempts=1 profile=production", ("profile", "access_key")
    ),
    Case(
        "unknown-profile",
        "function_name={fn} maximum_retry_attempts=1 profile=nowhere",
        ("profile", "nowhere"),
        env=NO_KEYS,
    ),
    Case(
        "access-key-without-secret",
        "function_name={fn} maximum_retry_attempts=1",
        ("access_key", "secret_key"),
        env={"AWS_SECRET_ACCESS_KEY": None},
    ),
    # --- the info module
    Case("info-qualifier-without-function", "qualifier=live", ("qualifier", "function_name"), module=INFO_MODULE),
]


def test_the_catalogue_is_complete():
    assert len({case.id for case in CASES}) == len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_fails_naming_the_option_without_writing(ansible, emulator, case):
    function = emulator.function()
    args = case.args
    for key, value in {
        "fn": function["name"],
        "fn_arn": function["arn"],
        "queue": emulator.arn("queue"),
        "topic": emulator.arn("topic"),
        "bucket": emulator.arn("bucket"),
    }.items():
        args = args.replace("{" + key + "}", value)

    outcome = ansible.adhoc(args, module=case.module, env=case.env)

    assert outcome.rc != 0, outcome.transcript
    assert outcome.status == "FAILED", outcome.transcript
    message = outcome.result["msg"]
    for name in case.names:
        assert name in message, outcome.transcript
    # A refusal, not a crash.
    assert "MODULE FAILURE" not in message and "Traceback" not in outcome.output, outcome.transcript
    assert "exception" not in outcome.result, outcome.transcript
    # When the module says which option is at fault, it is one the message names.
    assert outcome.result.get("option") in (None, *case.names), outcome.result
    assert emulator.writes() == []
    assert [entry["operation"] for entry in emulator.requests()] == list(case.reads)
