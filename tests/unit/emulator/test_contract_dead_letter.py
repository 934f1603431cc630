"""Contract: a function's dead-letter queue (DeadLetterConfig), which moto ignores (reference C19).

CreateFunction and UpdateFunctionConfiguration keep the target; every configuration Lambda returns shows it; Lambda
refuses a target the execution role may not send to (RECORDED: "The provided execution role does not have
permissions to call SendMessage on SQS"), but not one whose KMS key it may not use (aws-cdk issue #33153).
"""

from __future__ import annotations

import json
from typing import Any

from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error


def create(world: World, name: str, role: str, target: str | None, **extra: Any) -> dict[str, Any]:
    dead_letter = {"DeadLetterConfig": {"TargetArn": target}} if target is not None else {}
    response: dict[str, Any] = world.lam.create_function(
        FunctionName=name,
        Runtime=fixtures.RUNTIME,
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": fixtures.handler_zip()},
        **dead_letter,
        **extra,
    )
    return response


def target_of(configuration: dict[str, Any]) -> str | None:
    dead_letter = configuration.get("DeadLetterConfig")
    return dead_letter["TargetArn"] if dead_letter else None


def test_c19_create_function_keeps_an_sqs_dead_letter_queue_and_get_function_returns_it(world: World) -> None:
    queue = world.arn("queue")  # the world's role may send to it
    created = create(world, "dlq-create", world.created["role"]["arn"], queue)
    assert created["DeadLetterConfig"] == {"TargetArn": queue}
    got = world.lam.get_function(FunctionName="dlq-create")
    assert got["Configuration"]["DeadLetterConfig"] == {"TargetArn": queue}
    assert world.lam.get_function_configuration(FunctionName="dlq-create")["DeadLetterConfig"] == {"TargetArn": queue}
    listed = {f["FunctionName"]: f for f in world.lam.list_functions()["Functions"]}
    assert target_of(listed["dlq-create"]) == queue
    assert target_of(listed[world.fn]) is None


def test_c19_update_function_configuration_sets_changes_and_removes_the_target_versions_keep_theirs(
    world: World,
) -> None:
    queue, topic = world.arn("queue"), world.arn("topic")
    name = world.new_function("dlq-update")["name"]  # version 1 and alias live, no dead-letter queue
    assert target_of(world.lam.get_function(FunctionName=name)["Configuration"]) is None
    updated = world.lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": topic})
    assert updated["DeadLetterConfig"] == {"TargetArn": topic}
    world.lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    published = world.lam.publish_version(FunctionName=name)
    assert (published["Version"], target_of(published)) == ("2", topic)
    world.lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": queue})
    assert target_of(world.lam.get_function(FunctionName=name)["Configuration"]) == queue
    assert target_of(world.lam.get_function(FunctionName=name, Qualifier="2")["Configuration"]) == topic
    assert target_of(world.lam.get_function(FunctionName=name, Qualifier="live")["Configuration"]) is None
    versions = world.lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [(v["Version"], target_of(v)) for v in versions] == [("$LATEST", queue), ("1", None), ("2", topic)]
    removed = world.lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in removed
    assert target_of(world.lam.get_function(FunctionName=name)["Configuration"]) is None


def test_c19_create_with_publish_gives_version_1_the_target(world: World) -> None:
    topic = world.arn("topic")
    created = create(world, "dlq-publish", world.created["role"]["arn"], topic, Publish=True)
    assert created["Version"] == "1"
    assert target_of(world.lam.get_function(FunctionName="dlq-publish", Qualifier="1")["Configuration"]) == topic


def test_c19_a_target_the_role_may_not_send_to_is_refused_and_nothing_is_written(world: World) -> None:
    role = world.new_role("dlq-bare-role")
    for target, message in (
        (world.arn("queue"), "The provided execution role does not have permissions to call SendMessage on SQS"),
        (world.arn("topic"), "The provided execution role does not have permissions to call Publish on SNS"),
    ):
        error = client_error(create, world=world, name="dlq-refused", role=role, target=target)
        assert_error(error, 400, "InvalidParameterValueException", message)
        assert "does not have permissions" in error.response["Error"]["Message"]
    assert "dlq-refused" not in {f["FunctionName"] for f in world.lam.list_functions()["Functions"]}
    name = world.function_with_role("dlq-refused-update", role)["name"]
    error = client_error(
        world.lam.update_function_configuration, FunctionName=name, DeadLetterConfig={"TargetArn": world.arn("queue")}
    )
    assert_error(
        error,
        400,
        "InvalidParameterValueException",
        "The provided execution role does not have permissions to call SendMessage on SQS",
    )
    assert target_of(world.lam.get_function(FunctionName=name)["Configuration"]) is None


def test_c19_the_role_checked_is_the_new_one_when_the_update_changes_it(world: World) -> None:
    queue = world.arn("queue")
    bare = world.new_role("dlq-switch-bare")
    sender = world.new_role("dlq-switch-sender", allow("sqs:SendMessage", queue))
    name = world.function_with_role("dlq-switch", bare)["name"]
    client_error(world.lam.update_function_configuration, FunctionName=name, DeadLetterConfig={"TargetArn": queue})
    updated = world.lam.update_function_configuration(
        FunctionName=name, Role=sender, DeadLetterConfig={"TargetArn": queue}
    )
    assert (updated["Role"], target_of(updated)) == (sender, queue)


def test_c19_a_queue_policy_naming_the_role_counts_as_for_destinations(world: World) -> None:
    sqs = world.clients.sqs
    url = sqs.create_queue(QueueName="dlq-by-policy")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role = world.new_role("dlq-by-policy-role")
    statement = {"Principal": {"AWS": role}, **allow("sqs:SendMessage", arn)}
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}
    )
    assert target_of(create(world, "dlq-by-policy", role, arn)) == arn


def test_c19_a_dead_letter_queue_on_a_key_the_role_may_not_use_is_accepted(world: World) -> None:
    key = fixtures.create_key(world.clients, "alias/dlq-locked", fixtures.admin_only_key_policy(ACCOUNT))
    queue = fixtures.create_encrypted_queue(world.clients, "dlq-locked", key["arn"])
    role = world.new_role("dlq-locked-role", allow("sqs:SendMessage", queue["arn"]))
    assert target_of(create(world, "dlq-locked", role, queue["arn"])) == queue["arn"]


def test_emulator_choice_a_target_of_another_service_is_refused(world: World) -> None:
    bucket = world.arn("bucket")
    error = client_error(create, world=world, name="dlq-bucket", role=world.created["role"]["arn"], target=bucket)
    assert error.response["Error"]["Code"] == "InvalidParameterValueException"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
