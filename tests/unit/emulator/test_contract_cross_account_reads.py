"""Contract: reading another account's SQS queue or SNS topic (reference C26).

The caller is account 123456789012 (the default); the resources belong to 210987654321, made through moto's account
header. A read is routed by the account in the queue URL or topic ARN, and allowed only when the resource's policy
grants the caller; a missing resource is not found; same-account reads are as before. Names are unique per test:
the world keeps moto's state between tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import NO_RETRIES
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import REGION
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error

OTHER = "210987654321"
CALLER_ARN = f"arn:aws:iam::{ACCOUNT}:user/caller"
READ_ATTRIBUTES = ["Policy", "KmsMasterKeyId"]


def client(world: World, service: str, account: str | None = None) -> Any:
    made = world.emulator.client(service, retries=NO_RETRIES)
    if account is not None:

        def header(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        made.meta.events.register("before-sign", header)
    return made


def unique(request: pytest.FixtureRequest, prefix: str) -> str:
    """A resource name of this parametrised test's own (moto's state outlives the test)."""
    return f"{prefix}-{request.node.callspec.id}"


def aws_url(account: str, name: str) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{account}/{name}"


def queue_arn(account: str, name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def grant(principal: Any, action: Any, resource: str, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def other_queue(world: World, name: str, *statements: dict[str, Any]) -> str:
    """A queue of the other account, encrypted with its AWS managed key, with these statements as its policy."""
    attributes = {"KmsMasterKeyId": "alias/aws/sqs"}
    if statements:
        attributes["Policy"] = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    client(world, "sqs", OTHER).create_queue(QueueName=name, Attributes=attributes)
    return aws_url(OTHER, name)


def other_topic(world: World, name: str, *statements: dict[str, Any]) -> str:
    sns = client(world, "sns", OTHER)
    arn = str(sns.create_topic(Name=name)["TopicArn"])
    if statements:
        policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)
    return arn


def denied(error: ClientError) -> tuple[int, str, str]:
    return (
        error.response["ResponseMetadata"]["HTTPStatusCode"],
        error.response["Error"]["Code"],
        error.response["Error"]["Message"],
    )


def resource_denial(action: str, arn: str) -> str:
    return (
        f"User: {CALLER_ARN} is not authorized to perform: {action} on resource: {arn} because no resource-based "
        f"policy allows the {action} action"
    )


# --- SQS ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "action"),
    [
        ({"AWS": ACCOUNT}, "sqs:GetQueueAttributes"),
        ({"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}, "sqs:GetQueueAttributes"),
        ({"AWS": CALLER_ARN}, "sqs:GetQueueAttributes"),
        ({"AWS": ACCOUNT}, "sqs:*"),
        ({"AWS": ACCOUNT}, "*"),
        ("*", ["sqs:SendMessage", "SQS:getqueueattributes"]),
    ],
    ids=["account", "account-root", "caller-arn", "sqs-star", "star", "everyone-case"],
)
def test_c26_another_accounts_queue_is_read_when_its_policy_grants_the_caller(
    world: World, request: pytest.FixtureRequest, principal: Any, action: Any
) -> None:
    name = unique(request, "c26-granted")
    arn = queue_arn(OTHER, name)
    url = other_queue(world, name, grant(principal, action, arn))
    attributes = client(world, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=READ_ATTRIBUTES)["Attributes"]
    assert attributes["KmsMasterKeyId"] == "alias/aws/sqs"
    assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == arn
    queue = client(world, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    assert queue["QueueArn"] == arn  # the other account's queue, not one of the caller's


def test_c26_the_url_account_decides_not_a_same_named_queue_of_the_callers(world: World) -> None:
    name = "c26-twin"
    client(world, "sqs").create_queue(QueueName=name, Attributes={"DelaySeconds": "7"})
    url = other_queue(world, name, grant({"AWS": ACCOUNT}, "sqs:GetQueueAttributes", queue_arn(OTHER, name)))
    attributes = client(world, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == queue_arn(OTHER, name)
    assert attributes["DelaySeconds"] == "0"
    assert attributes["KmsMasterKeyId"] == "alias/aws/sqs"


@pytest.mark.parametrize(
    "statements",
    [
        [],
        [grant({"AWS": "111122223333"}, "sqs:GetQueueAttributes", "*")],
        [grant({"AWS": ACCOUNT}, "sqs:SendMessage", "*")],
        [grant({"AWS": ACCOUNT}, "sqs:GetQueueAttributes", queue_arn(OTHER, "c26-elsewhere"))],
        [grant({"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone-else"}, "sqs:*", "*")],
        [grant({"Service": "lambda.amazonaws.com"}, "sqs:*", "*")],
        [
            grant({"AWS": ACCOUNT}, "sqs:*", "*"),
            {"Effect": "Deny", "Principal": "*", "Action": "sqs:GetQueueAttributes", "Resource": "*"},
        ],
        [grant({"AWS": ACCOUNT}, "sqs:*", "*", Condition={"Bool": {"aws:SecureTransport": "true"}})],
    ],
    ids=[
        "no-policy",
        "another-account",
        "another-action",
        "another-queue",
        "another-user",
        "service",
        "explicit-deny",
        "conditional",
    ],
)
def test_c26_another_accounts_queue_is_access_denied_when_its_policy_does_not_grant_the_caller(
    world: World, request: pytest.FixtureRequest, statements: list[dict[str, Any]]
) -> None:
    name = unique(request, "c26-refused")
    url = other_queue(world, name, *statements)
    sqs = client(world, "sqs")
    error = client_error(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=READ_ATTRIBUTES)
    assert denied(error) == (
        403,
        "AccessDenied",
        resource_denial("sqs:GetQueueAttributes", queue_arn(OTHER, name)),
    )
    assert world.emulator.requests(operation="GetQueueAttributes")[-1]["status"] == 403


def test_c26_another_accounts_missing_queue_is_queue_does_not_exist(world: World) -> None:
    sqs = client(world, "sqs")
    sqs.create_queue(QueueName="c26-only-mine")  # the caller's queue of that name must not answer for the other's
    for name in ("c26-nowhere", "c26-only-mine"):
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
            sqs.get_queue_attributes(QueueUrl=aws_url(OTHER, name), AttributeNames=READ_ATTRIBUTES)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert info.value.response["Error"]["Message"] == "The specified queue does not exist."


def test_c26_denied_actions_still_refuse_the_caller_first(world: World) -> None:
    name = "c26-denied-fault"
    url = other_queue(world, name, grant({"AWS": ACCOUNT}, "sqs:*", "*"))
    world.emulator.set_faults(denied_actions=["sqs:GetQueueAttributes"])
    error = client_error(client(world, "sqs").get_queue_attributes, QueueUrl=url, AttributeNames=READ_ATTRIBUTES)
    status, code, message = denied(error)
    assert (status, code) == (403, "AccessDenied")
    assert message.endswith("because no identity-based policy allows the sqs:GetQueueAttributes action")


def test_c26_same_account_queue_reads_are_unchanged(world: World) -> None:
    sqs = client(world, "sqs")
    name = "c26-own-queue"
    # A policy that grants the caller nothing: in its own account the caller's IAM (allowing everything) is enough.
    policy = json.dumps({"Statement": [grant({"AWS": "111122223333"}, "sqs:SendMessage", queue_arn(ACCOUNT, name))]})
    moto_url = sqs.create_queue(QueueName=name, Attributes={"Policy": policy})["QueueUrl"]
    for url in (moto_url, aws_url(ACCOUNT, name)):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy", "QueueArn"])["Attributes"]
        assert attributes["QueueArn"] == queue_arn(ACCOUNT, name)
        assert json.loads(attributes["Policy"]) == json.loads(policy)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=aws_url(ACCOUNT, "c26-not-mine-either"), AttributeNames=["All"])


# --- SNS ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "action"),
    [
        ({"AWS": ACCOUNT}, "sns:GetTopicAttributes"),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "SNS:GetTopicAttributes"),
        ({"AWS": CALLER_ARN}, "sns:*"),
        ("*", "*"),
    ],
    ids=["account", "account-root", "caller-arn", "everyone"],
)
def test_c26_another_accounts_topic_is_read_when_its_policy_grants_the_caller(
    world: World, request: pytest.FixtureRequest, principal: Any, action: str
) -> None:
    name = unique(request, "c26-topic")
    topic = f"arn:aws:sns:{REGION}:{OTHER}:{name}"
    assert other_topic(world, name, grant(principal, action, topic)) == topic
    attributes = client(world, "sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attributes["TopicArn"], attributes["Owner"]) == (topic, OTHER)
    assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == topic


@pytest.mark.parametrize(
    "statements",
    [
        [],  # SNS's default policy: the owner's account only (its Allow is conditioned on AWS:SourceOwner)
        [grant({"AWS": ACCOUNT}, "sns:Publish", "*")],
        [grant({"AWS": "111122223333"}, "sns:GetTopicAttributes", "*")],
        [
            grant({"AWS": ACCOUNT}, "sns:*", "*"),
            {"Effect": "Deny", "Principal": {"AWS": ACCOUNT}, "Action": "sns:Get*", "Resource": "*"},
        ],
    ],
    ids=["default-policy", "another-action", "another-account", "explicit-deny"],
)
def test_c26_another_accounts_topic_is_authorization_error_when_its_policy_does_not_grant_the_caller(
    world: World, request: pytest.FixtureRequest, statements: list[dict[str, Any]]
) -> None:
    name = unique(request, "c26-closed-topic")
    topic = other_topic(world, name, *statements)
    error = client_error(client(world, "sns").get_topic_attributes, TopicArn=topic)
    assert denied(error) == (403, "AuthorizationError", resource_denial("sns:GetTopicAttributes", topic))


def test_c26_another_accounts_missing_topic_is_not_found(world: World) -> None:
    sns = client(world, "sns")
    sns.create_topic(Name="c26-mine-only")
    for name in ("c26-no-topic", "c26-mine-only"):
        with pytest.raises(sns.exceptions.NotFoundException) as info:
            sns.get_topic_attributes(TopicArn=f"arn:aws:sns:{REGION}:{OTHER}:{name}")
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert info.value.response["Error"]["Code"] == "NotFound"


def test_c26_same_account_topic_reads_are_unchanged(world: World) -> None:
    sns = client(world, "sns")
    topic = world.arn("topic")
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]  # the default policy: the owner may read
    assert (attributes["TopicArn"], attributes["Owner"]) == (topic, ACCOUNT)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_topic_attributes(TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:c26-no-such-topic")
