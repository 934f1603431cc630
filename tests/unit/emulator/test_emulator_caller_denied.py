"""The denied_actions fault: the caller is refused, and botocore raises ClientError with the service's real code."""

from __future__ import annotations

import argparse
import contextlib
import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.emulator import cli_args
from ansible_collections.cloudops.aws_lambda.tests.emulator.faults import FaultInjector
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import raw_responses

CALLER = f"arn:aws:iam::{ACCOUNT}:user/caller"


def denial(action: str, resource: str) -> str:
    return (
        f"User: {CALLER} is not authorized to perform: {action} on resource: {resource} because no identity-based "
        f"policy allows the {action} action"
    )


# (IAM action, the call, HTTP status, Error.Code botocore reports, resource named in the message or None for none)
Case = tuple[str, Callable[[World], Any], int, str, Callable[[World], str] | None]
CASES: list[Case] = [
    (
        "iam:SimulatePrincipalPolicy",
        lambda w: w.clients.iam.simulate_principal_policy(
            PolicySourceArn=w.created["role"]["arn"], ActionNames=["sqs:SendMessage"]
        ),
        403,
        "AccessDenied",
        lambda w: w.created["role"]["arn"],
    ),
    (
        "sqs:GetQueueUrl",
        lambda w: w.clients.sqs.get_queue_url(QueueName=w.created["queue"]["name"]),
        403,
        "AccessDenied",
        lambda w: w.arn("queue"),
    ),
    (
        "sqs:GetQueueAttributes",
        lambda w: w.clients.sqs.get_queue_attributes(QueueUrl=w.created["queue"]["url"], AttributeNames=["All"]),
        403,
        "AccessDenied",
        lambda w: w.arn("queue"),
    ),
    (
        "sns:GetTopicAttributes",
        lambda w: w.clients.sns.get_topic_attributes(TopicArn=w.arn("topic")),
        403,
        "AuthorizationError",
        lambda w: w.arn("topic"),
    ),
    (
        "events:DescribeEventBus",
        lambda w: w.clients.events.describe_event_bus(Name=w.created["event_bus"]["name"]),
        400,
        "AccessDeniedException",
        lambda w: w.arn("event_bus"),
    ),
    ("s3:ListBucket", lambda w: w.clients.s3.head_bucket(Bucket=w.created["bucket"]["name"]), 403, "403", None),
    (
        "s3:GetBucketPolicy",
        lambda w: w.clients.s3.get_bucket_policy(Bucket=w.created["bucket"]["name"]),
        403,
        "AccessDenied",
        lambda w: w.arn("bucket"),
    ),
    (
        "lambda:GetFunction",
        lambda w: w.lam.get_function(FunctionName=w.fn),
        403,
        "AccessDeniedException",
        lambda w: fn_arn(w.fn),
    ),
    (
        "lambda:GetPolicy",
        lambda w: w.lam.get_policy(FunctionName=w.fn, Qualifier="live"),
        403,
        "AccessDeniedException",
        lambda w: fn_arn(w.fn, "live"),
    ),
    ("lambda:ListFunctions", lambda w: w.lam.list_functions(), 403, "AccessDeniedException", lambda _w: "*"),
    (
        "lambda:PutFunctionEventInvokeConfig",
        lambda w: w.lam.put_function_event_invoke_config(FunctionName=w.fn, MaximumRetryAttempts=1),
        403,
        "AccessDeniedException",
        lambda w: fn_arn(w.fn),
    ),
]


@pytest.mark.parametrize(("action", "call", "status", "code", "resource"), CASES, ids=[c[0] for c in CASES])
def test_denied_action_gives_the_services_real_error(
    world: World, action: str, call: Any, status: int, code: str, resource: Any
) -> None:
    world.emulator.set_faults(denied_actions=[action])
    with pytest.raises(ClientError) as info:
        call(world)
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["Error"]["Code"] == code
    if resource is not None:
        assert error["Error"]["Message"] == denial(action, resource(world))
    [entry] = world.emulator.requests()
    assert (entry["status"], entry["fault"]) == (status, "denied")
    # Lifting the denial lets the very same call through (to whatever the service answers: no bucket policy, ...).
    world.emulator.set_faults(denied_actions=[])
    with contextlib.suppress(ClientError):
        call(world)
    assert world.emulator.requests()[-1]["fault"] is None


def test_sqs_denial_is_query_compatible(world: World) -> None:
    """SQS speaks JSON now but keeps its query-era codes: botocore reports AccessDenied, not the JSON type."""
    world.emulator.set_faults(denied_actions=["sqs:GetQueueUrl"])
    error = client_error(world.clients.sqs.get_queue_url, QueueName=world.created["queue"]["name"])
    assert error.response["Error"]["Code"] == "AccessDenied"
    assert error.response["Error"]["QueryErrorCode"] == "AccessDeniedException"
    assert error.response["Error"]["Type"] == "Sender"


def test_lambda_denial_body_and_header(world: World) -> None:
    world.emulator.set_faults(denied_actions=["lambda:GetFunction"])
    with raw_responses(world.lam) as seen:
        client_error(world.lam.get_function, FunctionName=world.fn)
    status, headers, content = seen[0]
    assert (status, headers["x-amzn-ErrorType"]) == (403, "AccessDeniedException")
    assert json.loads(content) == {"Message": denial("lambda:GetFunction", fn_arn(world.fn))}


def test_wildcards_deny_a_whole_service_and_nothing_else(world: World) -> None:
    world.emulator.set_faults(denied_actions=["sns:*", "lambda:Get?unction"])
    client_error(world.clients.sns.list_topics)
    client_error(world.lam.get_function, FunctionName=world.fn)
    world.lam.get_function_configuration(FunctionName=world.fn)
    world.clients.sqs.get_queue_url(QueueName=world.created["queue"]["name"])
    faults = [(e["operation"], e["fault"]) for e in world.emulator.requests()]
    assert faults == [
        ("ListTopics", "denied"),
        ("GetFunction", "denied"),
        ("GetFunctionConfiguration", None),
        ("GetQueueUrl", None),
    ]


def test_action_names_match_case_insensitively(world: World) -> None:
    world.emulator.set_faults(denied_actions=["SQS:getqueueurl"])
    client_error(world.clients.sqs.get_queue_url, QueueName=world.created["queue"]["name"])


def test_a_denied_lambda_call_is_not_throttled_or_charged(world: World) -> None:
    world.emulator.set_faults(denied_actions=["lambda:ListFunctions"], throttle_rate=1.0)
    error = client_error(world.lam.list_functions)
    assert error.response["Error"]["Code"] == "AccessDeniedException"


def test_denied_actions_through_the_control_endpoint(world: World) -> None:
    request = urllib.request.Request(
        f"{world.emulator.endpoint_url}/_emulator/faults",
        data=json.dumps({"denied_actions": ["sns:GetTopicAttributes"]}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["denied_actions"] == ["sns:GetTopicAttributes"]
    error = client_error(world.clients.sns.get_topic_attributes, TopicArn=world.arn("topic"))
    assert error.response["Error"]["Code"] == "AuthorizationError"


@pytest.mark.parametrize("bad", ["sqs:GetQueueUrl", ["sqs"], [1], ["sqs:"], [":GetQueueUrl"]])
def test_denied_actions_must_be_a_list_of_action_names(bad: Any) -> None:
    with pytest.raises(ValueError):
        FaultInjector().update({"denied_actions": bad})


def test_denied_actions_command_line_flag_round_trips() -> None:
    parser = argparse.ArgumentParser()
    cli_args.add_fault_arguments(parser)
    args = parser.parse_args(
        ["--denied-actions", "iam:SimulatePrincipalPolicy, sns:*", "--permission-propagation-failures", "2"]
    )
    settings = cli_args.fault_settings(args)
    assert settings.denied_actions == ["iam:SimulatePrincipalPolicy", "sns:*"]
    assert settings.permission_propagation_failures == 2
    assert cli_args.fault_argv(args) == [
        "--permission-propagation-failures",
        "2",
        "--denied-actions",
        "iam:SimulatePrincipalPolicy,sns:*",
    ]
