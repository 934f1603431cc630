"""The emulator's CloudTrail events (cloudtrail_events.py): the EventBridge envelope of each successful event invoke
config write, on the named queue, with the caller as actor; nothing for failed calls or reads; off by default.

The envelope is also read back through the collection's EDA event source (its ``normalise``), so the emulator and
the source agree on one shape: docs/aws-behaviour.md, C27."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config

from ansible_collections.cloudops.aws_lambda.extensions.eda.plugins.event_source import (
    aws_lambda_config_changes as source,
)
from ansible_collections.cloudops.aws_lambda.tests.emulator import __main__ as server_main
from ansible_collections.cloudops.aws_lambda.tests.emulator import ctl
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import NO_RETRIES
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import REGION
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.test_emulator_control import control


def events_queue(world: World, region: str = REGION) -> tuple[Any, str, str]:
    """A new queue (sqs client, name, url) for this test, named as the emulator's setting."""
    sqs = world.emulator.client("sqs", region)
    name = f"config-changes-{uuid.uuid4().hex[:8]}"
    return sqs, name, sqs.create_queue(QueueName=name)["QueueUrl"]


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def identity_clients(world: World, user: str) -> tuple[Any, str]:
    """A Lambda client signing with a new IAM user's access key, and the ARN STS says it is."""
    iam = world.clients.iam
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    credentials = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    session = boto3.Session(region_name=REGION, **credentials)
    endpoint = world.emulator.endpoint_url
    arn = session.client("sts", endpoint_url=endpoint).get_caller_identity()["Arn"]
    lam = session.client("lambda", endpoint_url=endpoint, config=Config(retries=NO_RETRIES))
    return lam, arn


def test_off_by_default(world: World) -> None:
    sqs, _name, url = events_queue(world)
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    assert drain(sqs, url) == []
    assert world.emulator.app.cloudtrail.snapshot() == {"queue": None, "sent": 0, "missed": 0}


def test_the_envelope_of_each_successful_write(world: World) -> None:
    sqs, name, url = events_queue(world)
    world.emulator.app.cloudtrail.update({"queue": name})
    lam = world.lam
    sts_arn = world.emulator.client("sts", REGION).get_caller_identity()["Arn"]
    on_failure = {"OnFailure": {"Destination": world.arn("queue")}}
    put = lam.put_function_event_invoke_config(
        FunctionName=world.fn, Qualifier="live", MaximumRetryAttempts=1, DestinationConfig=on_failure
    )
    lam.update_function_event_invoke_config(FunctionName=f"{world.fn}:live", MaximumEventAgeInSeconds=120)
    lam.delete_function_event_invoke_config(FunctionName=fn_arn(world.fn, "live"))
    events = drain(sqs, url)
    assert [e["detail"]["eventName"] for e in events] == [
        "PutFunctionEventInvokeConfig",
        "UpdateFunctionEventInvokeConfig",
        "DeleteFunctionEventInvokeConfig",
    ]
    first = events[0]
    assert {k: first[k] for k in ("version", "detail-type", "source", "account", "region", "resources")} == {
        "version": "0",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.lambda",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [],
    }
    detail = first["detail"]
    assert {k: detail[k] for k in ("eventSource", "awsRegion", "recipientAccountId", "eventType", "readOnly")} == {
        "eventSource": "lambda.amazonaws.com",
        "awsRegion": REGION,
        "recipientAccountId": ACCOUNT,
        "eventType": "AwsApiCall",
        "readOnly": False,
    }
    assert detail["managementEvent"] is True and detail["eventTime"] == first["time"]
    assert detail["eventTime"].endswith("Z") and len(detail["eventTime"]) == len("2026-12-07T08:00:00Z")
    assert detail["userIdentity"]["arn"] == sts_arn and detail["userIdentity"]["accessKeyId"] == "testing"
    assert detail["requestParameters"] == {
        "functionName": world.fn,
        "qualifier": "live",
        "maximumRetryAttempts": 1,
        "destinationConfig": {"onFailure": {"destination": world.arn("queue")}},
    }
    assert detail["responseElements"]["functionArn"] == put["FunctionArn"]
    assert detail["responseElements"]["maximumRetryAttempts"] == 1
    assert events[1]["detail"]["requestParameters"] == {
        "functionName": f"{world.fn}:live",
        "maximumEventAgeInSeconds": 120,
    }
    assert events[2]["detail"]["requestParameters"] == {"functionName": fn_arn(world.fn, "live")}
    assert events[2]["detail"]["responseElements"] is None
    assert len({e["id"] for e in events} | {e["detail"]["eventID"] for e in events}) == 6
    assert world.emulator.app.cloudtrail.snapshot() == {"queue": name, "sent": 3, "missed": 0}


@pytest.mark.parametrize(
    ("function_name", "qualifier", "expected"),
    [
        ("{fn}", None, "$LATEST"),
        ("{fn}", "live", "live"),
        ("{fn}:1", None, "1"),
        ("arn:aws:lambda:us-east-1:123456789012:function:{fn}:live", None, "live"),
        ("123456789012:function:{fn}", None, "$LATEST"),
    ],
)
def test_the_event_source_reads_every_form_back(
    world: World, function_name: str, qualifier: str | None, expected: str
) -> None:
    sqs, name, url = events_queue(world)
    world.emulator.app.cloudtrail.update({"queue": name})
    target = {"FunctionName": function_name.format(fn=world.fn), **({"Qualifier": qualifier} if qualifier else {})}
    world.lam.put_function_event_invoke_config(**target, MaximumRetryAttempts=0)
    (event,) = drain(sqs, url)
    assert source.normalise(json.dumps(event)) == {
        "event_name": "PutFunctionEventInvokeConfig",
        "function_name": world.fn,
        "qualifier": expected,
        "region": REGION,
        "account": ACCOUNT,
        "actor_arn": event["detail"]["userIdentity"]["arn"],
        "event_id": event["detail"]["eventID"],
        "event_time": event["detail"]["eventTime"],
    }


def test_failed_calls_and_reads_send_nothing(world: World) -> None:
    sqs, name, url = events_queue(world)
    world.emulator.app.cloudtrail.update({"queue": name})
    lam = world.lam
    client_error(lam.update_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=1)  # 404
    client_error(lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=5)  # 400
    client_error(lam.put_function_event_invoke_config, FunctionName="no-such-fn", MaximumRetryAttempts=1)
    lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    lam.get_function_event_invoke_config(FunctionName=world.fn)
    lam.list_function_event_invoke_configs(FunctionName=world.fn)
    world.emulator.set_faults(conflict_rate=1.0)
    client_error(lam.delete_function_event_invoke_config, FunctionName=world.fn)  # 409, nothing deleted
    world.emulator.set_faults(conflict_rate=0.0)
    events = drain(sqs, url)
    assert [(e["detail"]["eventName"], e["detail"]["requestParameters"]) for e in events] == [
        ("PutFunctionEventInvokeConfig", {"functionName": world.fn, "maximumRetryAttempts": 1})
    ]


def test_the_actor_is_the_callers_identity(world: World) -> None:
    sqs, name, url = events_queue(world)
    world.emulator.app.cloudtrail.update({"queue": name})
    suffix = uuid.uuid4().hex[:6]
    console, console_arn = identity_clients(world, f"console-{suffix}")
    repairer, repairer_arn = identity_clients(world, f"repairer-{suffix}")
    assert console_arn == f"arn:aws:iam::{ACCOUNT}:user/console-{suffix}" != repairer_arn
    console.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=2)
    repairer.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    identities = [e["detail"]["userIdentity"] for e in drain(sqs, url)]
    assert [(i["type"], i["arn"], i["userName"]) for i in identities] == [
        ("IAMUser", console_arn, f"console-{suffix}"),
        ("IAMUser", repairer_arn, f"repairer-{suffix}"),
    ]


def test_the_queue_of_the_calls_region_and_a_missing_queue(world: World) -> None:
    west, name, west_url = events_queue(world, "us-west-2")
    world.emulator.app.cloudtrail.update({"queue": name})
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)  # us-east-1: no queue
    assert drain(west, west_url) == []
    assert world.emulator.app.cloudtrail.snapshot() == {"queue": name, "sent": 0, "missed": 1}


def test_control_endpoint_and_reset(world: World) -> None:
    emulator = world.emulator
    assert control(emulator, "GET", "cloudtrail") == (200, {"queue": None, "sent": 0, "missed": 0})
    assert control(emulator, "POST", "cloudtrail", {"queue": "changes"}) == (
        200,
        {"queue": "changes", "sent": 0, "missed": 0},
    )
    status, answer = control(emulator, "POST", "cloudtrail", {"queue": ""})
    assert status == 400 and "queue must be an SQS queue name" in answer["error"]
    status, answer = control(emulator, "POST", "cloudtrail", {"queues": "x"})
    assert status == 400 and "unknown cloudtrail setting 'queues'" in answer["error"]
    assert control(emulator, "POST", "reset", {"keep_moto": True})[0] == 200
    assert control(emulator, "GET", "cloudtrail") == (200, {"queue": None, "sent": 0, "missed": 0})


def test_the_server_flag_reaches_the_server_through_ctl() -> None:
    assert server_main.parse_args(["--cloudtrail-queue", "changes"]).cloudtrail_queue == "changes"
    assert server_main.parse_args([]).cloudtrail_queue is None
    parser = ctl.argparse.ArgumentParser()
    ctl.add_fault_arguments(parser)
    assert ctl.fault_argv(parser.parse_args(["--cloudtrail-queue", "changes", "--seed", "3"])) == [
        "--seed",
        "3",
        "--cloudtrail-queue",
        "changes",
    ]
