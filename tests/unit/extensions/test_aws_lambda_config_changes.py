"""The EDA event source: every FunctionName form, event-name suffixes, failed calls and malformed bodies (pure), the
arguments (pure), and the order put-then-delete (a recording client), then end to end on the emulator's SQS."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.extensions.eda.plugins.event_source import (
    aws_lambda_config_changes as source,
)
from ansible_collections.cloudops.aws_lambda.tests.emulator import pytest_plugin
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator

emulator = pytest_plugin.emulator  # the session's in-process emulator (its SQS is moto's)
fresh_emulator = pytest_plugin.fresh_emulator

ACCOUNT, OTHER_ACCOUNT = "123456789012", "210987654321"
ACTOR = f"arn:aws:iam::{ACCOUNT}:user/console-user"


def record(event_name: str = "PutFunctionEventInvokeConfig", **parameters: Any) -> dict[str, Any]:
    """A CloudTrail record of a Lambda call, as CloudTrail writes one."""
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": ACTOR, "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLE"},
        "eventTime": "2026-12-07T08:00:00Z",
        "eventSource": "lambda.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "192.0.2.1",
        "requestParameters": parameters or {"functionName": "orders"},
        "responseElements": None,
        "requestID": "11111111-2222-3333-4444-555555555555",
        "eventID": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
    }


def envelope(detail: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge event that carries a CloudTrail record to a rule's target."""
    return {
        "version": "0",
        "id": "01234567-89ab-cdef-0123-456789abcdef",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.lambda",
        "account": ACCOUNT,
        "time": "2026-12-07T08:00:01Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
    }


# --- FunctionName forms ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function_name", "qualifier", "expected"),
    [
        ("orders", None, ("orders", "$LATEST", None, None)),
        ("orders", "live", ("orders", "live", None, None)),
        ("orders", "$LATEST", ("orders", "$LATEST", None, None)),
        ("orders:7", None, ("orders", "7", None, None)),
        ("orders:live", "live", ("orders", "live", None, None)),
        (
            f"arn:aws:lambda:us-west-2:{OTHER_ACCOUNT}:function:orders",
            None,
            ("orders", "$LATEST", "us-west-2", OTHER_ACCOUNT),
        ),
        (f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:orders:live", None, ("orders", "live", "us-west-2", ACCOUNT)),
        (f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:orders", "3", ("orders", "3", "us-west-2", ACCOUNT)),
        (
            f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:orders:$LATEST",
            None,
            ("orders", "$LATEST", "cn-north-1", ACCOUNT),
        ),
        (f"{ACCOUNT}:function:orders", None, ("orders", "$LATEST", None, ACCOUNT)),
        (f"{ACCOUNT}:function:orders:live", None, ("orders", "live", None, ACCOUNT)),
        (f"{ACCOUNT}:function:orders", "live", ("orders", "live", None, ACCOUNT)),
    ],
)
def test_every_function_name_form(function_name: str, qualifier: str | None, expected: tuple[Any, ...]) -> None:
    assert source.parse_function_name(function_name, qualifier) == expected


@pytest.mark.parametrize(
    ("function_name", "qualifier", "message"),
    [
        ("orders:live", "7", "disagree"),
        ("", None, "not a function name"),
        (None, None, "not a function name"),
        (42, None, "not a function name"),
        ("orders/x", None, "not a function name, partial ARN or ARN"),
        ("arn:aws:sqs:us-east-1:123456789012:queue", None, "not a function name, partial ARN or ARN"),
        ("a" * 65, None, "not a function name, partial ARN or ARN"),
        ("orders", "", "is not a qualifier"),
        ("orders", "li ve", "is not a qualifier"),
        ("orders", 3, "is not a qualifier"),
    ],
)
def test_unreadable_function_names_are_malformed(function_name: Any, qualifier: Any, message: str) -> None:
    with pytest.raises(source.MalformedMessage, match=message):
        source.parse_function_name(function_name, qualifier)


# --- which messages are changes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_name", "expected"),
    [
        ("PutFunctionEventInvokeConfig", "PutFunctionEventInvokeConfig"),
        ("UpdateFunctionEventInvokeConfig", "UpdateFunctionEventInvokeConfig"),
        ("DeleteFunctionEventInvokeConfig", "DeleteFunctionEventInvokeConfig"),
        ("PutFunctionEventInvokeConfig20190925", "PutFunctionEventInvokeConfig"),
        ("UpdateFunctionEventInvokeConfig20190925", "UpdateFunctionEventInvokeConfig"),
        ("DeleteFunctionEventInvokeConfig20190925v2", "DeleteFunctionEventInvokeConfig"),
    ],
)
def test_the_three_writes_with_or_without_a_version_suffix(event_name: str, expected: str) -> None:
    for body in (envelope(record(event_name)), record(event_name)):
        assert source.normalise(json.dumps(body)) == {
            "event_name": expected,
            "function_name": "orders",
            "qualifier": "$LATEST",
            "region": "eu-west-1",
            "account": ACCOUNT,
            "actor_arn": ACTOR,
            "event_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "event_time": "2026-12-07T08:00:00Z",
        }


@pytest.mark.parametrize(
    "event_name",
    [
        "GetFunctionEventInvokeConfig",
        "ListFunctionEventInvokeConfigs",
        "UpdateFunctionConfiguration20150331v2",
        "PutFunctionConcurrency20171031",
        "PutFunctionEventInvokeConfigs",
        "XPutFunctionEventInvokeConfig",
        "PutFunctionEventInvokeConfig2019",
    ],
)
def test_other_calls_are_not_changes(event_name: str) -> None:
    assert source.normalise(envelope(record(event_name))) is None


@pytest.mark.parametrize("error_code", ["ResourceNotFoundException", "AccessDenied", "InvalidParameterValueException"])
def test_a_failed_call_is_dropped(error_code: str) -> None:
    failed = record("DeleteFunctionEventInvokeConfig", functionName="orders", qualifier="nope")
    failed["errorCode"], failed["errorMessage"] = error_code, "no"
    assert source.normalise(envelope(failed)) is None
    failed["requestParameters"] = None  # a failed call's record is dropped before its parameters are read
    assert source.normalise(failed) is None


def test_other_events_of_eventbridge_are_not_changes() -> None:
    other_type = envelope(record())
    other_type["detail-type"] = "Lambda Function Invocation Result - Failure"
    other_source = envelope(record())
    other_source["source"] = "aws.s3"
    other_service = envelope(record())
    other_service["detail"]["eventSource"] = "s3.amazonaws.com"
    for body in (other_type, other_source, other_service):
        assert source.normalise(json.dumps(body)) is None


def test_qualifier_region_and_account_come_from_the_request_first() -> None:
    arn = f"arn:aws:lambda:us-west-2:{OTHER_ACCOUNT}:function:orders:live"
    event = source.normalise(envelope(record("UpdateFunctionEventInvokeConfig", functionName=arn)))
    assert event is not None
    assert (event["function_name"], event["qualifier"], event["region"], event["account"]) == (
        "orders",
        "live",
        "us-west-2",
        OTHER_ACCOUNT,
    )
    event = source.normalise(record("PutFunctionEventInvokeConfig", FunctionName="orders", Qualifier="7"))
    assert event is not None and (event["qualifier"], event["region"]) == ("7", "eu-west-1")


def test_what_the_record_lacks_comes_from_the_envelope() -> None:
    bare = record()
    for key in ("awsRegion", "recipientAccountId", "eventID", "eventTime"):
        del bare[key]
    del bare["userIdentity"]["accountId"]
    bare["userIdentity"] = {"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}
    assert source.normalise(envelope(bare)) == {
        "event_name": "PutFunctionEventInvokeConfig",
        "function_name": "orders",
        "qualifier": "$LATEST",
        "region": "eu-west-1",
        "account": ACCOUNT,
        "actor_arn": None,
        "event_id": "01234567-89ab-cdef-0123-456789abcdef",
        "event_time": "2026-12-07T08:00:01Z",
    }


def _without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json {", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('"a string"', "not a JSON object"),
        ("null", "not a JSON object"),
        ({"hello": "world"}, "neither an EventBridge event nor a CloudTrail record"),
        ({**envelope(record()), "detail": "oops"}, "detail is not an object"),
        ({**envelope(record()), "detail": None}, "detail is not an object"),
        (_without(envelope(record()), "detail", "requestParameters"), "no requestParameters"),
        (envelope(record(functionName=None)), "not a function name"),
        (envelope(record(functionName="bad name")), "not a function name"),
        (envelope(record(functionName="orders:live", qualifier="7")), "disagree"),
        (_without(_without(record(), "awsRegion"), "requestParameters"), "no requestParameters"),
        ({**_without(record(), "awsRegion")}, "names no region"),
    ],
)
def test_malformed_bodies(body: Any, message: str) -> None:
    with pytest.raises(source.MalformedMessage, match=message):
        source.normalise(json.dumps(body) if isinstance(body, dict) else body)


# --- arguments ------------------------------------------------------------------------------------------------------


def test_arguments_take_amazon_aws_names_aliases_and_variables() -> None:
    environ = {
        "AWS_ACCESS_KEY": "AKIAOLD",
        "AWS_SECRET_KEY": "old-secret",
        "AWS_SECURITY_TOKEN": "old-token",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_URL": "http://127.0.0.1:1",
    }
    settings = source.source_settings({"queue_name": "q"}, environ)
    assert (settings["access_key"], settings["secret_key"], settings["session_token"]) == (
        "AKIAOLD",
        "old-secret",
        "old-token",
    )
    assert (settings["region"], settings["endpoint_url"]) == ("eu-west-1", "http://127.0.0.1:1")
    assert (settings["wait_time_seconds"], settings["max_messages"], settings["validate_certs"]) == (20, 10, True)
    newer = {**environ, "AWS_ACCESS_KEY_ID": "AKIANEW", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "us-west-2"}
    settings = source.source_settings({"queue_url": "https://q", "aws_region": "ap-south-1"}, newer)
    assert (settings["access_key"], settings["region"]) == ("AKIANEW", "ap-south-1")
    assert source.source_settings({"queue_name": "q", "aws_profile": "ops"}, {})["profile"] == "ops"


@pytest.mark.parametrize(
    ("args", "environ", "message"),
    [
        ({}, {}, "queue_name or queue_url"),
        ({"queue_name": "q", "queue_url": "https://q"}, {}, "queue_name or queue_url"),
        ({"queue_name": "q", "profile": "p", "access_key": "a", "secret_key": "s"}, {}, "profile cannot"),
        ({"queue_name": "q", "profile": "p"}, {"AWS_SESSION_TOKEN": "t"}, "profile cannot"),
        ({"queue_name": "q", "access_key": "a"}, {}, "given together"),
        ({"queue_name": "q", "wait_time_seconds": 0}, {}, "wait_time_seconds must be"),
        ({"queue_name": "q", "wait_time_seconds": 21}, {}, "wait_time_seconds must be"),
        ({"queue_name": "q", "max_messages": True}, {}, "max_messages must be"),
        ({"queue_name": "q", "validate_certs": "no"}, {}, "validate_certs must be"),
        ({"queue_name": "q", "queue": "x"}, {}, "unknown argument 'queue'"),
        ({"queue_name": "q", "region": "a", "aws_region": "b"}, {}, "given twice"),
    ],
)
def test_wrong_arguments_are_refused(args: dict[str, Any], environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        source.source_settings(args, environ)


# --- put, then delete -----------------------------------------------------------------------------------------------


class RecordingClient:
    """SQS as the source sees it: one batch of messages, then nothing; every call recorded in order."""

    def __init__(self, bodies: list[Any], calls: list[tuple[str, Any]], fail_delete: bool = False) -> None:
        self.batches = [[{"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": b} for i, b in enumerate(bodies)]]
        self.calls, self.fail_delete = calls, fail_delete

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("receive", kwargs["WaitTimeSeconds"]))
        return {"Messages": self.batches.pop(0)} if self.batches else {}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        self.calls.append(("delete", ReceiptHandle))
        if self.fail_delete:
            raise RuntimeError("connection reset")


class RecordingQueue:
    def __init__(self, calls: list[tuple[str, Any]]) -> None:
        self.calls, self.events = calls, []

    async def put(self, event: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)  # a queue that makes the source wait: the delete must wait too
        self.calls.append(("put", event["event_name"]))
        self.events.append(event)


def test_a_message_is_deleted_only_after_its_event_was_put(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[tuple[str, Any]] = []
    bodies = [
        json.dumps(envelope(record("PutFunctionEventInvokeConfig"))),
        "not json",
        json.dumps(envelope(record("GetFunctionEventInvokeConfig"))),
        json.dumps(record("DeleteFunctionEventInvokeConfig")),
    ]
    queue = RecordingQueue(calls)
    settings = source.source_settings({"queue_url": "https://q", "wait_time_seconds": 1}, {})
    with caplog.at_level(logging.WARNING):
        asyncio.run(source.consume(queue, RecordingClient(bodies, calls), "https://q", settings, polls=2))
    assert calls == [
        ("receive", 1),
        ("put", "PutFunctionEventInvokeConfig"),
        ("delete", "r0"),
        ("delete", "r1"),  # malformed: logged and deleted, no event
        ("delete", "r2"),  # well formed, not a change: deleted, no event
        ("put", "DeleteFunctionEventInvokeConfig"),
        ("delete", "r3"),
        ("receive", 1),
    ]
    expected = (
        "deleting message m1, not a config change: the body is not JSON: Expecting value: line 1 column 1 (char 0)"
    )
    assert [r.getMessage() for r in caplog.records] == [expected]


def test_failures_of_sqs_are_logged_not_fatal(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, Any]] = []
    client = RecordingClient([json.dumps(record())], calls, fail_delete=True)
    receive = client.receive_message
    attempts = iter([RuntimeError("endpoint unreachable")])

    def flaky_receive(**kwargs: Any) -> dict[str, Any]:
        for error in attempts:
            calls.append(("receive failed", kwargs["WaitTimeSeconds"]))
            raise error
        return receive(**kwargs)

    client.receive_message = flaky_receive  # type: ignore[method-assign]
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(source.asyncio, "sleep", no_sleep)
    queue = RecordingQueue(calls)
    settings = source.source_settings({"queue_url": "https://q"}, {})
    with caplog.at_level(logging.ERROR):
        asyncio.run(source.consume(queue, client, "https://q", settings, polls=2))
    assert calls == [("receive failed", 20), ("receive", 20), ("put", "PutFunctionEventInvokeConfig"), ("delete", "r0")]
    assert slept == [2, 0.01]  # the back-off, then RecordingQueue.put's own wait (asyncio.sleep is patched)
    assert "receiving from https://q failed (endpoint unreachable); trying again in 2 s" in caplog.text
    assert "deleting message m0 failed: connection reset" in caplog.text


# --- end to end on the emulator's SQS -------------------------------------------------------------------------------


def test_main_reads_the_queue_and_leaves_it_empty(fresh_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    sqs = fresh_emulator.client("sqs")
    url = sqs.create_queue(QueueName="config-changes")["QueueUrl"]
    changes = [
        envelope(record("PutFunctionEventInvokeConfig", functionName="orders", qualifier="live")),
        envelope(record("UpdateFunctionEventInvokeConfig", functionName=f"{ACCOUNT}:function:billing:3")),
        envelope(record("DeleteFunctionEventInvokeConfig20190925", functionName="orders")),
    ]
    bodies = ["{oops", json.dumps(envelope(record("GetFunctionEventInvokeConfig"))), *map(json.dumps, changes)]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    args = {"queue_name": "config-changes", "region": "us-east-1", "endpoint_url": fresh_emulator.endpoint_url}

    async def run() -> list[dict[str, Any]]:
        events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        task = asyncio.create_task(source.main(events, {**args, "wait_time_seconds": 1}))
        received = [await asyncio.wait_for(events.get(), 10) for _change in changes]
        for _attempt in range(100):  # the last delete follows the last put
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            if attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0":
                break
            await asyncio.sleep(0.05)
        task.cancel()
        return received

    received = asyncio.run(run())
    assert [(e["event_name"], e["function_name"], e["qualifier"]) for e in received] == [
        ("PutFunctionEventInvokeConfig", "orders", "live"),
        ("UpdateFunctionEventInvokeConfig", "billing", "3"),
        ("DeleteFunctionEventInvokeConfig", "orders", "$LATEST"),
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
