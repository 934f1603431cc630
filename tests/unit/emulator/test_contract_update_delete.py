"""Contract: Put replaces, Update merges, Delete (reference C4, C5, C12, C17)."""

from __future__ import annotations

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import EMPTY_DESTINATIONS
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import body
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import raw_responses


def no_config(name: str, qualifier: str) -> str:
    return f"The function {fn_arn(name, qualifier)} doesn't have an EventInvokeConfig"


# --- C4: Update merges, Put replaces ------------------------------------------------------------------------------


def test_c4_update_one_field_keeps_the_other(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumEventAgeInSeconds=60)
    updated = world.lam.update_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    for response in (updated, got):
        assert response["MaximumEventAgeInSeconds"] == 60
        assert response["MaximumRetryAttempts"] == 1


def test_c4_update_retries_to_zero_keeps_event_age(world: World) -> None:
    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60
    )
    world.lam.update_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (0, 60)


def test_c4_update_destination_only_keeps_numbers(world: World) -> None:
    # DOCUMENTED (botocore example): an Update carrying only OnFailure kept both numeric settings.
    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, MaximumRetryAttempts=0, MaximumEventAgeInSeconds=3600
    )
    updated = world.lam.update_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnFailure": {"Destination": world.arn("queue")}}
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 3600)
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": world.arn("queue")}


def test_c4_put_replaces_the_whole_config(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
    second = world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumEventAgeInSeconds=60)
    assert "MaximumRetryAttempts" not in second

    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60
    )
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    assert got["MaximumRetryAttempts"] == 0
    assert "MaximumEventAgeInSeconds" not in got


def test_c4_put_without_destination_removes_it(world: World) -> None:
    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnFailure": {"Destination": world.arn("queue")}}
    )
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    assert got["DestinationConfig"] == EMPTY_DESTINATIONS


def test_c4_put_and_update_with_unchanged_values_succeed(world: World) -> None:
    for _attempt in range(2):
        put = world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
        assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    for _attempt in range(2):
        update = world.lam.update_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
        assert update["ResponseMetadata"]["HTTPStatusCode"] == 200


# --- C5: Update when no config exists -----------------------------------------------------------------------------


def test_c5_update_without_config_is_404_naming_latest(world: World) -> None:
    error = client_error(
        world.lam.update_function_event_invoke_config, FunctionName=fn_arn(world.fn), MaximumRetryAttempts=0
    )
    assert_error(error, 404, "ResourceNotFoundException", no_config(world.fn, "$LATEST"))
    assert error.response["Type"] == "User"
    assert error.response["Message"] == no_config(world.fn, "$LATEST")  # capital M in ResourceNotFound bodies


def test_c5_update_without_config_on_alias_arn_names_the_alias(world: World) -> None:
    error = client_error(
        world.lam.update_function_event_invoke_config,
        FunctionName=fn_arn(world.fn, "live"),
        MaximumRetryAttempts=0,
    )
    assert_error(error, 404, "ResourceNotFoundException", no_config(world.fn, "live"))


def test_c5_update_is_not_an_upsert(world: World) -> None:
    client_error(world.lam.update_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=0)
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn)
    assert_error(error, 404, "ResourceNotFoundException", no_config(world.fn, "$LATEST"))


def test_c5_update_on_missing_function_says_function_does_not_exist(world: World) -> None:
    error = client_error(
        world.lam.update_function_event_invoke_config, FunctionName="doesnotexist", MaximumRetryAttempts=0
    )
    assert_error(error, 404, "ResourceNotFoundException", "The function doesn't exist.")


# --- C12: Delete --------------------------------------------------------------------------------------------------


def test_c12_delete_returns_204_with_empty_body(world: World) -> None:
    for qualifier in ("$LATEST", "1", "live"):
        world.lam.put_function_event_invoke_config(FunctionName=world.fn, Qualifier=qualifier, MaximumRetryAttempts=1)
    with raw_responses(world.lam) as seen:
        for qualifier in ("$LATEST", "1", "live"):
            world.lam.delete_function_event_invoke_config(FunctionName=world.fn, Qualifier=qualifier)
    assert [(status, content) for status, _headers, content in seen] == [(204, b"")] * 3
    listed = world.lam.list_function_event_invoke_configs(FunctionName=world.fn)
    assert listed["FunctionEventInvokeConfigs"] == []


def test_c12_delete_when_none_exists_is_404(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.lam.delete_function_event_invoke_config(FunctionName=world.fn)
    error = client_error(world.lam.delete_function_event_invoke_config, FunctionName=world.fn)
    assert_error(error, 404, "ResourceNotFoundException", no_config(world.fn, "$LATEST"))


def test_c12_get_after_delete_is_404_via_alias_arn(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, Qualifier="live", MaximumRetryAttempts=1)
    world.lam.delete_function_event_invoke_config(FunctionName=world.fn, Qualifier="live")
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=fn_arn(world.fn, "live"))
    assert_error(error, 404, "ResourceNotFoundException", no_config(world.fn, "live"))


def test_c12_delete_only_touches_its_qualifier(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, Qualifier="live", MaximumRetryAttempts=2)
    world.lam.delete_function_event_invoke_config(FunctionName=world.fn, Qualifier="live")
    assert world.lam.get_function_event_invoke_config(FunctionName=world.fn)["MaximumRetryAttempts"] == 1


# --- C17: removing a single destination ---------------------------------------------------------------------------


def test_c17_put_with_only_the_kept_half_drops_the_other(world: World) -> None:
    queue, topic = world.arn("queue"), world.arn("topic")
    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": queue}, "OnFailure": {"Destination": topic}},
    )
    put = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnFailure": {"Destination": topic}}
    )
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": topic}}


def test_c17_put_with_empty_on_success_leaves_both_halves_empty(world: World) -> None:
    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnSuccess": {"Destination": fn_arn(world.fn2)}}
    )
    put = world.lam.put_function_event_invoke_config(FunctionName=world.fn, DestinationConfig={"OnSuccess": {}})
    assert body(put) == {"FunctionArn": fn_arn(world.fn, "$LATEST"), "DestinationConfig": EMPTY_DESTINATIONS}


def test_emulator_choice_update_with_an_empty_half_clears_only_that_half(world: World) -> None:
    queue, topic = world.arn("queue"), world.arn("topic")
    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnSuccess": {"Destination": queue}, "OnFailure": {"Destination": topic}},
    )
    updated = world.lam.update_function_event_invoke_config(FunctionName=world.fn, DestinationConfig={"OnSuccess": {}})
    assert updated["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": topic}}
    assert updated["MaximumRetryAttempts"] == 1


def test_emulator_choice_update_with_empty_destination_config_keeps_both_halves(world: World) -> None:
    queue = world.arn("queue")
    world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    updated = world.lam.update_function_event_invoke_config(FunctionName=world.fn, DestinationConfig={})
    assert updated["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": queue}}
