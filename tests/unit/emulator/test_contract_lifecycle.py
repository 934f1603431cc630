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


def test_emulator_choice_deleting_a_version_takes_its_config(world: World) -> None:
    own = world.new_function("c15-version")["name"]
    world.lam.delete_alias(FunctionName=own, Name="live")
    world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier="1", MaximumRetryAttempts=1)
    world.lam.put_function_event_invoke_config(FunctionName=own, MaximumRetryAttempts=2)
    world.lam.delete_function(FunctionName=own, Qualifier="1")
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=own, Qualifier="1")
    assert_error(error, 404, "ResourceNotFoundException", no_config(own, "1"))
    assert world.lam.get_function_event_invoke_config(FunctionName=own)["MaximumRetryAttempts"] == 2


def test_emulator_choice_alias_config_outlives_the_alias(world: World) -> None:
    own = world.new_function("c15-alias")["name"]
    world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier="live", MaximumRetryAttempts=1)
    world.lam.delete_alias(FunctionName=own, Name="live")

    # Still visible (an orphan), as alchemy reports and the function-URL analogue suggests...
    got = world.lam.get_function_event_invoke_config(FunctionName=own, Qualifier="live")
    assert got["FunctionArn"] == fn_arn(own, "live")
    listed = world.lam.list_function_event_invoke_configs(FunctionName=own)["FunctionEventInvokeConfigs"]
    assert [item["FunctionArn"] for item in listed] == [fn_arn(own, "live")]
    # ...but not writable while the alias is missing, and deletable.
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=own, Qualifier="live", MaximumRetryAttempts=2
    )
    assert_error(error, 404, "ResourceNotFoundException", "The function doesn't exist.")
    world.lam.delete_function_event_invoke_config(FunctionName=own, Qualifier="live")
    assert world.lam.list_function_event_invoke_configs(FunctionName=own)["FunctionEventInvokeConfigs"] == []
