"""Contract: a function whose execution role was deleted (docs/aws-behaviour.md C25).

Old accounts hold such functions: the role is deleted (its policies first, as IAM requires) and the function keeps
naming it. Lambda still describes the function; IAM no longer knows the role; a destination cannot be written because
the role can use nothing.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error


def orphan(world: World, name: str) -> tuple[str, str]:
    """A function (version 1, alias live) whose role, allowed every world destination, is then deleted with
    fixtures.delete_role. Returns (function name, role ARN)."""
    role = world.new_role(f"{name}-role", allow(["sqs:SendMessage", "sns:Publish", "events:PutEvents"], "*"))
    function = world.function_with_role(name, role)["name"]
    assert world.lam.put_function_event_invoke_config(
        FunctionName=function, DestinationConfig={"OnFailure": {"Destination": world.arn("queue")}}
    )
    fixtures.delete_role(world.clients, f"{name}-role")
    return function, role


def refusal(action: str, destination: str) -> str:
    return f"The function's execution role does not have permissions to call {action} on {destination}"


def test_c25_get_function_and_list_functions_still_name_the_deleted_role(world: World) -> None:
    function, role = orphan(world, "c25-describe")
    error = client_error(world.clients.iam.get_role, RoleName="c25-describe-role")
    assert error.response["Error"]["Code"] == "NoSuchEntity"
    assert world.lam.get_function(FunctionName=function)["Configuration"]["Role"] == role
    assert world.lam.get_function(FunctionName=function, Qualifier="live")["Configuration"]["Role"] == role
    listed = {f["FunctionName"]: f for f in world.lam.list_functions()["Functions"]}
    assert listed[function]["Role"] == role


def test_c25_simulating_the_deleted_role_is_no_such_entity(world: World) -> None:
    _function, role = orphan(world, "c25-simulate")
    error = client_error(
        world.clients.iam.simulate_principal_policy,
        PolicySourceArn=role,
        ActionNames=["sqs:SendMessage"],
        ResourceArns=[world.arn("queue")],
    )
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error.response["Error"]["Code"] == "NoSuchEntity"
    assert error.response["Error"]["Message"] == "The role with name c25-simulate-role cannot be found."


@pytest.mark.parametrize("qualifier", ["$LATEST", "1", "live"])
def test_c25_put_and_update_refuse_any_destination_the_role_would_need(world: World, qualifier: str) -> None:
    function, _role = orphan(world, f"c25-put-{qualifier.strip('$').lower()}")
    queue, topic = world.arn("queue"), world.arn("topic")
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=function,
        Qualifier=qualifier,
        DestinationConfig={"OnSuccess": {"Destination": topic}, "OnFailure": {"Destination": queue}},
    )
    assert_error(error, 400, "InvalidParameterValueException", refusal("Publish", topic))
    if qualifier == "$LATEST":  # the config written while the role existed
        error = client_error(
            world.lam.update_function_event_invoke_config,
            FunctionName=function,
            DestinationConfig={"OnFailure": {"Destination": queue}},
        )
        assert_error(error, 400, "InvalidParameterValueException", refusal("SendMessage", queue))


def test_c25_settings_without_a_destination_are_still_written(world: World) -> None:
    function, _role = orphan(world, "c25-numbers")
    put = world.lam.put_function_event_invoke_config(FunctionName=function, Qualifier="live", MaximumRetryAttempts=0)
    assert (put["MaximumRetryAttempts"], put["DestinationConfig"]) == (0, {"OnSuccess": {}, "OnFailure": {}})
    updated = world.lam.update_function_event_invoke_config(FunctionName=function, MaximumEventAgeInSeconds=60)
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": world.arn("queue")}  # kept from before
    world.lam.delete_function_event_invoke_config(FunctionName=function)
    listed = world.lam.list_function_event_invoke_configs(FunctionName=function)["FunctionEventInvokeConfigs"]
    assert [item["FunctionArn"].rsplit(":", 1)[-1] for item in listed] == ["live"]


def delivery_check(world: World, role: str, destination: str) -> dict[str, Any] | None:
    query = urllib.parse.urlencode({"role": role, "destination": destination})
    with urllib.request.urlopen(f"{world.emulator.endpoint_url}/_emulator/delivery-check?{query}") as response:
        verdict: dict[str, Any] | None = json.loads(response.read())["refused"]
    return verdict


def test_c25_delivery_and_a_dead_letter_queue_are_refused_too(world: World) -> None:
    function, role = orphan(world, "c25-deliver")
    queue = world.arn("queue")
    assert delivery_check(world, role, queue) == {
        "action": "sqs:SendMessage",
        "resource": queue,
        "error": "AccessDenied",
    }
    error = client_error(
        world.lam.update_function_configuration, FunctionName=function, DeadLetterConfig={"TargetArn": queue}
    )
    assert_error(
        error,
        400,
        "InvalidParameterValueException",
        "The provided execution role does not have permissions to call SendMessage on SQS",
    )
