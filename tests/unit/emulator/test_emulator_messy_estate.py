"""world.py's messy-estate helpers: each plants one defect old accounts hold, through the public API only."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import policy_document


def test_delete_function_role_leaves_the_function_naming_a_role_iam_does_not_know(world: World) -> None:
    role = world.new_role("mess-role", allow("sqs:SendMessage", "*"))
    managed = world.clients.iam.create_policy(
        PolicyName="mess-managed", PolicyDocument=policy_document(allow("*", "*"))
    )
    world.clients.iam.attach_role_policy(RoleName="mess-role", PolicyArn=managed["Policy"]["Arn"])
    function = world.function_with_role("mess-orphan", role)["name"]
    assert fixtures.delete_function_role(world.clients, function) == role
    with pytest.raises(ClientError) as missing:
        world.clients.iam.get_role(RoleName="mess-role")
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"
    assert world.lam.get_function(FunctionName=function)["Configuration"]["Role"] == role
    assert fixtures.delete_role(world.clients, "mess-role") is False


def test_disable_key_and_schedule_key_deletion_take_any_key_reference(world: World) -> None:
    disabled = fixtures.create_key(world.clients, "alias/mess-disabled")
    assert fixtures.disable_key(world.clients, "alias/mess-disabled") == {
        "id": disabled["id"],
        "arn": disabled["arn"],
        "state": "Disabled",
    }
    doomed = fixtures.create_key(world.clients, "alias/mess-doomed")
    scheduled = fixtures.schedule_key_deletion(world.clients, doomed["id"], days=8)
    assert (scheduled["arn"], scheduled["state"]) == (doomed["arn"], "PendingDeletion")
    assert scheduled["deletion_date"][:4].isdigit()
    assert world.clients.kms.describe_key(KeyId=doomed["arn"])["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_create_pending_import_key_is_idempotent(world: World) -> None:
    first = fixtures.create_pending_import_key(world.clients, "alias/mess-external")
    assert first["state"] == "PendingImport"
    assert fixtures.create_pending_import_key(world.clients, "alias/mess-external") == first


def test_delete_alias_leaving_config_keeps_the_config_listed(world: World) -> None:
    fresh = world.new_function("mess-ghost")["name"]
    ghost = fixtures.delete_alias_leaving_config(world.clients, fresh)
    assert ghost == {"function": fresh, "qualifier": "live", "function_arn": fn_arn(fresh, "live")}
    with pytest.raises(ClientError):
        world.lam.get_alias(FunctionName=fresh, Name="live")
    listed = world.lam.list_function_event_invoke_configs(FunctionName=fresh)["FunctionEventInvokeConfigs"]
    assert [(item["FunctionArn"], item["MaximumRetryAttempts"]) for item in listed] == [(fn_arn(fresh, "live"), 0)]

    kept = world.new_function("mess-ghost-kept")["name"]
    world.lam.put_function_event_invoke_config(FunctionName=kept, Qualifier="live", MaximumEventAgeInSeconds=120)
    fixtures.delete_alias_leaving_config(world.clients, kept)
    config = world.lam.get_function_event_invoke_config(FunctionName=kept, Qualifier="live")
    assert (config["MaximumEventAgeInSeconds"], "MaximumRetryAttempts" in config) == (120, False)


def test_set_reserved_concurrency_zero_switches_the_function_off(world: World) -> None:
    function = world.new_function("mess-off")["name"]
    assert fixtures.set_reserved_concurrency(world.clients, function) == {"reserved_concurrent_executions": 0}
    assert world.lam.get_function_concurrency(FunctionName=function)["ReservedConcurrentExecutions"] == 0


def test_put_fifo_destination_config_writes_what_another_tool_would(world: World) -> None:
    role = world.new_role("mess-fifo-role")
    function = world.function_with_role("mess-fifo", role)["name"]
    planted = fixtures.put_fifo_destination_config(world.clients, function, "mess-fifo.fifo", qualifier="live")
    queue = planted["queue"]
    assert queue["arn"].endswith(":mess-fifo.fifo")
    assert planted["config"]["FunctionArn"] == fn_arn(function, "live")
    got = world.lam.get_function_event_invoke_config(FunctionName=function, Qualifier="live")
    assert got["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": queue["arn"]}}
    assert "fifo-destination" in world.clients.iam.list_role_policies(RoleName="mess-fifo-role")["PolicyNames"]
