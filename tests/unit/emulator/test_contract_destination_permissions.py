"""Contract: Put/Update refuse a destination the execution role may not use (reference C11, "Execution role lacks
permission for the destination").

Every test here runs its function as a role of its own: the world's role grants every fixture destination.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import policy_document

SUBSTRING = "does not have permissions"  # what clients should match on (the message prefix is not recorded)


def refusal(api_name: str, arn: str) -> str:
    return f"The function's execution role does not have permissions to call {api_name} on {arn}"


# (destination key, api name in the message, grant that makes it pass)
SERVICES = [
    ("queue", "SendMessage", lambda arn: [allow("sqs:SendMessage", arn)]),
    ("topic", "Publish", lambda arn: [allow("sns:Publish", arn)]),
    ("event_bus", "PutEvents", lambda arn: [allow("events:PutEvents", arn)]),
    ("function", "InvokeFunction", lambda arn: [allow("lambda:InvokeFunction", arn)]),
    ("bucket", "PutObject", lambda arn: [allow(["s3:PutObject", "s3:ListBucket"], [arn, f"{arn}/*"])]),
]


def destination(world: World, key: str) -> str:
    return fn_arn(world.fn2) if key == "function" else world.arn(key)


def on_failure(arn: str) -> dict[str, Any]:
    return {"OnFailure": {"Destination": arn}}


def own_function(world: World, name: str, *statements: dict[str, Any], managed: list[str] | None = None) -> str:
    """A function named NAME running as role NAME-role with these grants; returns the function name."""
    role = world.new_role(f"{name}-role", *statements, managed=managed)
    return world.function_with_role(name, role)["name"]


# --- refused without the grant, accepted with it -------------------------------------------------------------------


@pytest.mark.parametrize(("key", "api_name", "_grant"), SERVICES)
def test_c11_put_refuses_a_destination_the_role_may_not_use(world: World, key: str, api_name: str, _grant: Any) -> None:
    name = own_function(world, f"deny-put-{key.replace('_', '-')}")
    arn = destination(world, key)
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(arn)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal(api_name, arn))
    assert error.response["message"] == refusal(api_name, arn)  # lowercase key, like every InvalidParameterValue
    assert error.response["Type"] == "User"
    assert SUBSTRING in error.response["Error"]["Message"]
    assert isinstance(error, world.lam.exceptions.InvalidParameterValueException)


@pytest.mark.parametrize(("key", "api_name", "_grant"), SERVICES)
def test_c11_update_refuses_a_destination_the_role_may_not_use(
    world: World, key: str, api_name: str, _grant: Any
) -> None:
    name = own_function(world, f"deny-update-{key.replace('_', '-')}")
    world.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    arn = destination(world, key)
    error = client_error(
        world.lam.update_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(arn)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal(api_name, arn))
    got = world.lam.get_function_event_invoke_config(FunctionName=name)
    assert (got["MaximumRetryAttempts"], got["DestinationConfig"]["OnFailure"]) == (1, {})


@pytest.mark.parametrize(("key", "_api_name", "grant"), SERVICES)
def test_c11_put_and_update_accept_a_destination_an_inline_policy_grants(
    world: World, key: str, _api_name: str, grant: Any
) -> None:
    arn = destination(world, key)
    name = own_function(world, f"inline-{key.replace('_', '-')}", *grant(arn))
    put = world.lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig=on_failure(arn))
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": arn}
    updated = world.lam.update_function_event_invoke_config(FunctionName=name, DestinationConfig=on_failure(arn))
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": arn}


@pytest.mark.parametrize(("key", "_api_name", "grant"), SERVICES)
def test_c11_an_attached_managed_policy_grants_as_well(world: World, key: str, _api_name: str, grant: Any) -> None:
    arn = destination(world, key)
    managed = world.clients.iam.create_policy(
        PolicyName=f"managed-{key.replace('_', '-')}", PolicyDocument=policy_document(*grant(arn))
    )["Policy"]["Arn"]
    name = own_function(world, f"managed-{key.replace('_', '-')}", managed=[managed])
    put = world.lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig=on_failure(arn))
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": arn}


def test_c11_only_the_default_version_of_a_managed_policy_counts(world: World) -> None:
    queue = world.arn("queue")
    iam = world.clients.iam
    managed = iam.create_policy(PolicyName="versioned", PolicyDocument=policy_document(allow("sns:Publish", "*")))
    policy_arn = managed["Policy"]["Arn"]
    grant = policy_document(allow("sqs:SendMessage", queue))
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=grant, SetAsDefault=False)
    name = own_function(world, "versioned-fn", managed=[policy_arn])
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(queue)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("SendMessage", queue))
    iam.set_default_policy_version(PolicyArn=policy_arn, VersionId="v2")
    world.lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig=on_failure(queue))


def test_c11_explicit_deny_in_the_role_wins_over_its_allow(world: World) -> None:
    queue = world.arn("queue")
    name = own_function(world, "deny-wins", allow("sqs:*", "*"), allow("sqs:SendMessage", queue, effect="Deny"))
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(queue)
    )
    assert SUBSTRING in error.response["Error"]["Message"]


def test_c11_both_halves_are_checked_on_success_first(world: World) -> None:
    queue, topic = world.arn("queue"), world.arn("topic")
    name = own_function(world, "both-halves", allow("sqs:SendMessage", queue))
    config = {"OnSuccess": {"Destination": topic}, "OnFailure": {"Destination": queue}}
    error = client_error(world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=config)
    assert_error(error, 400, "InvalidParameterValueException", refusal("Publish", topic))
    swapped = {"OnSuccess": {"Destination": queue}, "OnFailure": {"Destination": topic}}
    error = client_error(world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=swapped)
    assert_error(error, 400, "InvalidParameterValueException", refusal("Publish", topic))


def test_c11_a_function_destination_is_checked_as_written_qualifier_included(world: World) -> None:
    target = fn_arn(world.fn2)
    name = own_function(world, "qualified-target", allow("lambda:InvokeFunction", target))
    world.lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig=on_failure(target))
    qualified = fn_arn(world.fn2, "live")
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(qualified)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("InvokeFunction", qualified))


def test_emulator_choice_s3_names_list_bucket_when_only_put_object_is_granted(world: World) -> None:
    bucket = world.arn("bucket")
    name = own_function(world, "s3-put-only", allow("s3:PutObject", f"{bucket}/*"))
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(bucket)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("ListBucket", bucket))


def test_emulator_choice_s3_put_object_is_checked_on_the_objects_not_the_bucket(world: World) -> None:
    bucket = world.arn("bucket")
    name = own_function(world, "s3-bucket-only", allow(["s3:PutObject", "s3:ListBucket"], bucket))
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(bucket)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("PutObject", bucket))


# --- resource policies --------------------------------------------------------------------------------------------


def test_c11_a_queue_policy_naming_the_role_is_enough_in_the_same_account(world: World) -> None:
    queue = world.clients.sqs.create_queue(QueueName="policy-granted")["QueueUrl"]
    arn = world.clients.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role = world.new_role("queue-policy-role")
    name = world.function_with_role("queue-policy-fn", role)["name"]
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(arn)
    )
    assert SUBSTRING in error.response["Error"]["Message"]
    grant = {"Principal": {"AWS": role}, **allow("sqs:SendMessage", arn)}
    world.clients.sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": policy_document(grant)})
    world.lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig=on_failure(arn))


def test_c11_a_deny_in_the_queue_policy_wins_over_the_roles_allow(world: World) -> None:
    queue = world.clients.sqs.create_queue(QueueName="policy-denied")["QueueUrl"]
    arn = world.clients.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = own_function(world, "queue-deny-fn", allow("sqs:SendMessage", arn))
    deny = {"Principal": "*", **allow("sqs:SendMessage", arn, effect="Deny")}
    world.clients.sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": policy_document(deny)})
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(arn)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("SendMessage", arn))


def test_c11_a_function_permission_for_the_account_lets_the_role_invoke(world: World) -> None:
    target = world.new_function("permission-target")["name"]
    name = own_function(world, "permission-caller")
    arn = fn_arn(target)
    client_error(world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(arn))
    world.lam.add_permission(
        FunctionName=target, StatementId="same-account", Action="lambda:InvokeFunction", Principal=ACCOUNT
    )
    world.lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig=on_failure(arn))


def test_emulator_choice_the_default_topic_policy_does_not_grant_publish(world: World) -> None:
    # Its Allow is conditioned on AWS:SourceOwner; conditions are not evaluated and a conditional grant counts as none.
    topic = world.arn("topic")
    attributes = world.clients.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert "SNS:Publish" in json.loads(attributes["Policy"])["Statement"][0]["Action"]
    name = own_function(world, "default-topic-policy")
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(topic)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("Publish", topic))


# --- which role: the qualifier's ----------------------------------------------------------------------------------


@pytest.fixture
def two_roles(world: World) -> dict[str, str]:
    """A function whose version 1 (and alias live) runs as a role that may send to the queue, and whose $LATEST
    now runs as one that may not; version 2 is published with the new role and alias next points at it."""
    queue = world.arn("queue")
    suffix = uuid.uuid4().hex[:8]  # one set per parametrised case: roles and functions outlive the test
    granted = world.new_role(f"qualifier-granted-{suffix}", allow("sqs:SendMessage", queue))
    bare = world.new_role(f"qualifier-bare-{suffix}")
    name = world.function_with_role(f"qualifier-fn-{suffix}", granted)["name"]
    world.lam.update_function_configuration(FunctionName=name, Role=bare)
    world.lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    version = world.lam.publish_version(FunctionName=name)["Version"]
    world.lam.create_alias(FunctionName=name, Name="next", FunctionVersion=version)
    return {"name": name, "queue": queue, "new_version": version}


@pytest.mark.parametrize(
    ("qualifier", "allowed"),
    [("$LATEST", False), (None, False), ("1", True), ("live", True), ("2", False), ("next", False)],
)
def test_c11_the_role_is_the_one_of_the_qualifier_being_configured(
    world: World, two_roles: dict[str, str], qualifier: str | None, allowed: bool
) -> None:
    assert two_roles["new_version"] == "2"
    extra = {"Qualifier": qualifier} if qualifier else {}
    call = world.lam.put_function_event_invoke_config
    kwargs = {"FunctionName": two_roles["name"], "DestinationConfig": on_failure(two_roles["queue"]), **extra}
    if allowed:
        assert call(**kwargs)["DestinationConfig"]["OnFailure"] == {"Destination": two_roles["queue"]}
    else:
        expected = refusal("SendMessage", two_roles["queue"])
        assert_error(client_error(call, **kwargs), 400, "InvalidParameterValueException", expected)


# --- order of checks ----------------------------------------------------------------------------------------------


def test_c11_existence_and_self_checks_come_before_permissions(world: World) -> None:
    name = own_function(world, "order-fn")
    missing = "arn:aws:sqs:us-east-1:123456789012:doesnotexist"
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(missing)
    )
    assert_error(error, 400, "InvalidParameterValueException", f"The destination ARN {missing} is invalid.")
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(fn_arn(name))
    )
    assert_error(
        error, 400, "InvalidParameterValueException", "You can't specify the function as a destination for itself."
    )


def test_c11_permissions_come_before_injected_write_faults(world: World) -> None:
    name = own_function(world, "before-faults")
    queue = world.arn("queue")
    world.emulator.set_faults(conflict_rate=1.0, propagation_failures=1)
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, DestinationConfig=on_failure(queue)
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("SendMessage", queue))
    assert world.emulator.faults()["propagation_failures"] == 1  # not spent: the write would not have succeeded
    assert [e["fault"] for e in world.emulator.requests(operation="PutFunctionEventInvokeConfig")] == [None]


def test_c11_a_put_without_destinations_needs_no_permission(world: World) -> None:
    name = own_function(world, "no-destination")
    put = world.lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnSuccess": {}, "OnFailure": {}}
    )
    assert put["MaximumRetryAttempts"] == 0
