"""Contract: what happens to configs when functions, versions and aliases go away (reference C15).

Only "the function is deleted, its config is no longer readable" is recorded (indirectly); the rest are the
emulator's documented choices.
"""

from __future__ import annotations

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn


def no_config(name: str, qualifier: str) -> str:
    return f"The function {fn_arn(name, qualifier)} doesn't have an EventInvokeConfig"


def test_c15_deleting_the_function_makes_its_config_unreadable(world: World) -> None:
    own = world.new_function("c15-gone")["name"]
    world.lam.put_function_event_invoke_config(FunctionName=own, MaximumRetryAttempts=1)
    world.lam.delete_function(FunctionName=own)
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=own)
    assert_error(error, 404, "ResourceNotFoundException", no_config(own, "$LATEST"))
    listed = client_error(world.lam.list_function_event_invoke_configs, FunctionName=own)
    assert_error(listed, 404, "ResourceNotFoundException", "The function doesn't exist.")


def test_emulator_choice_recreated_function_starts_without_configs(world: World) -> None:
    own = world.new_function("c15-again")["name"]
    world.lam.put_function_event_invoke_config(FunctionName=own, MaximumRetryAttempts=1)
    world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier="live", MaximumRetryAttempts=1)
    world.lam.delete_function(FunctionName=own)
    world.new_function(own)
    listed = world.lam.list_function_event_invoke_configs(FunctionName=own)
    assert listed["FunctionEventInvokeConfigs"] == []


def assert_ghost(world: World, own: str, qualifier: str, retries: int) -> None:
    """A config whose qualifier is gone (C15): Get and List show it, Put/Update/GetFunction answer 404, Delete
    removes it."""
    got = world.lam.get_function_event_invoke_config(FunctionName=own, Qualifier=qualifier)
    assert (got["FunctionArn"], got["MaximumRetryAttempts"]) == (fn_arn(own, qualifier), retries)
    listed = world.lam.list_function_event_invoke_configs(FunctionName=own)["FunctionEventInvokeConfigs"]
    assert fn_arn(own, qualifier) in [item["FunctionArn"] for item in listed]
    for write in (world.lam.put_function_event_invoke_config, world.lam.update_function_event_invoke_config):
        error = client_error(write, FunctionName=own, Qualifier=qualifier, MaximumRetryAttempts=2)
        assert_error(error, 404, "ResourceNotFoundException", "The function doesn't exist.")
    error = client_error(world.lam.get_function, FunctionName=own, Qualifier=qualifier)
    assert_error(error, 404, "ResourceNotFoundException", f"Function not found: {fn_arn(own, qualifier)}")
    assert world.lam.get_function_event_invoke_config(FunctionName=own, Qualifier=qualifier)[
        "MaximumRetryAttempts"
    ] == (
        retries
    )  # the refused writes changed nothing
    world.lam.delete_function_event_invoke_config(FunctionName=own, Qualifier=qualifier)
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=own, Qualifier=qualifier)
    assert_error(error, 404, "ResourceNotFoundException", no_config(own, qualifier))
    listed = world.lam.list_function_event_invoke_configs(FunctionName=own)["FunctionEventInvokeConfigs"]
    assert fn_arn(own, qualifier) not in [item["FunctionArn"] for item in listed]


def test_c15_alias_config_outlives_the_alias(world: World) -> None:
    own = world.new_function("c15-alias")["name"]
    world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier="live", MaximumRetryAttempts=1)
    world.lam.put_function_event_invoke_config(FunctionName=own, MaximumRetryAttempts=0)
    world.lam.delete_alias(FunctionName=own, Name="live")
    listed = world.lam.list_function_event_invoke_configs(FunctionName=own)["FunctionEventInvokeConfigs"]
    assert [item["FunctionArn"] for item in listed] == [fn_arn(own, "$LATEST"), fn_arn(own, "live")]
    assert_ghost(world, own, "live", retries=1)
    assert world.lam.get_function_event_invoke_config(FunctionName=own)["MaximumRetryAttempts"] == 0


def test_emulator_choice_alias_config_is_writable_again_when_the_alias_comes_back(world: World) -> None:
    own = world.new_function("c15-alias-back")["name"]
    world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier="live", MaximumRetryAttempts=1)
    world.lam.delete_alias(FunctionName=own, Name="live")
    world.lam.create_alias(FunctionName=own, Name="live", FunctionVersion="1")
    assert world.lam.get_function_event_invoke_config(FunctionName=own, Qualifier="live")["MaximumRetryAttempts"] == 1
    updated = world.lam.update_function_event_invoke_config(FunctionName=own, Qualifier="live", MaximumRetryAttempts=2)
    assert updated["MaximumRetryAttempts"] == 2


def test_emulator_choice_a_deleted_versions_config_outlives_the_version(world: World) -> None:
    own = world.new_function("c15-version")["name"]
    world.lam.delete_alias(FunctionName=own, Name="live")
    world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier="1", MaximumRetryAttempts=1)
    world.lam.put_function_event_invoke_config(FunctionName=own, MaximumRetryAttempts=2)
    world.lam.delete_function(FunctionName=own, Qualifier="1")
    assert_ghost(world, own, "1", retries=1)
    assert world.lam.get_function_event_invoke_config(FunctionName=own)["MaximumRetryAttempts"] == 2


def test_emulator_choice_a_reused_version_number_does_not_inherit_the_old_config(world: World) -> None:
    """Lambda never reuses a version number; moto does. The deleted version's config is then dropped, not shown as
    the new version's."""
    own = world.new_function("c15-reused")["name"]
    world.lam.delete_alias(FunctionName=own, Name="live")
    world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier="1", MaximumRetryAttempts=1)
    world.lam.delete_function(FunctionName=own, Qualifier="1")
    assert world.lam.publish_version(FunctionName=own)["Version"] == "1"  # moto's numbering
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=own, Qualifier="1")
    assert_error(error, 404, "ResourceNotFoundException", no_config(own, "1"))
    assert world.lam.list_function_event_invoke_configs(FunctionName=own)["FunctionEventInvokeConfigs"] == []
