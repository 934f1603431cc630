"""Contract: ListFunctionEventInvokeConfigs content and pagination (reference C13, C14)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ParamValidationError

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn


def put_three(world: World) -> None:
    """The recorded C14 set: $LATEST {age 60, retries 0}, version 1 {retries 1}, alias {retries 1}."""
    put = world.lam.put_function_event_invoke_config
    put(FunctionName=world.fn, MaximumRetryAttempts=0, MaximumEventAgeInSeconds=60)
    put(FunctionName=world.fn, Qualifier="1", MaximumRetryAttempts=1)
    put(FunctionName=world.fn, Qualifier="live", MaximumRetryAttempts=1)


def without_metadata(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# --- C13: pagination ----------------------------------------------------------------------------------------------


def test_c13_max_items_one_pages_through_two_configs(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, Qualifier="1", MaximumEventAgeInSeconds=120)
    first = world.lam.list_function_event_invoke_configs(FunctionName=world.fn, MaxItems=1)
    assert len(first["FunctionEventInvokeConfigs"]) == 1
    second = world.lam.list_function_event_invoke_configs(FunctionName=world.fn, MaxItems=1, Marker=first["NextMarker"])
    assert len(second["FunctionEventInvokeConfigs"]) == 1
    assert "NextMarker" not in second
    union = {item["FunctionArn"] for page in (first, second) for item in page["FunctionEventInvokeConfigs"]}
    assert union == {fn_arn(world.fn, "$LATEST"), fn_arn(world.fn, "1")}


def test_c13_max_items_two_of_three_has_a_next_marker(world: World) -> None:
    put_three(world)
    page = world.lam.list_function_event_invoke_configs(FunctionName=world.fn, MaxItems=2)
    assert len(page["FunctionEventInvokeConfigs"]) == 2
    assert page["NextMarker"]


def test_c13_single_page_has_no_next_marker_key(world: World) -> None:
    put_three(world)
    page = world.lam.list_function_event_invoke_configs(FunctionName=world.fn)
    assert len(page["FunctionEventInvokeConfigs"]) == 3
    assert "NextMarker" not in page


def test_c13_function_without_configs_lists_empty(world: World) -> None:
    page = world.lam.list_function_event_invoke_configs(FunctionName=world.fn)
    assert page["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert without_metadata(page) == {"FunctionEventInvokeConfigs": []}


def test_c13_max_items_zero_fails_in_botocore(world: World) -> None:
    with pytest.raises(ParamValidationError, match="valid min value: 1"):
        world.strict.list_function_event_invoke_configs(FunctionName=world.fn, MaxItems=0)


def test_c13_paginator_returns_every_config(world: World) -> None:
    put_three(world)
    paginator = world.strict.get_paginator("list_function_event_invoke_configs")
    pages = list(paginator.paginate(FunctionName=world.fn, PaginationConfig={"PageSize": 1}))
    assert len(pages) == 3
    arns = [item["FunctionArn"] for page in pages for item in page["FunctionEventInvokeConfigs"]]
    assert sorted(arns) == sorted(fn_arn(world.fn, q) for q in ("$LATEST", "1", "live"))


def test_emulator_choice_max_items_above_fifty_is_a_validation_exception(world: World) -> None:
    error = client_error(world.lam.list_function_event_invoke_configs, FunctionName=world.fn, MaxItems=51)
    message = (
        "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value "
        "less than or equal to 50"
    )
    assert_error(error, 400, "ValidationException", message)


def test_emulator_choice_default_page_size_is_fifty(world: World) -> None:
    own = world.new_function("c13-many")["name"]
    for index in range(51):
        world.lam.create_alias(FunctionName=own, Name=f"a{index:02d}", FunctionVersion="1")
        world.lam.put_function_event_invoke_config(FunctionName=own, Qualifier=f"a{index:02d}", MaximumRetryAttempts=1)
    first = world.lam.list_function_event_invoke_configs(FunctionName=own)
    assert len(first["FunctionEventInvokeConfigs"]) == 50
    rest = world.lam.list_function_event_invoke_configs(FunctionName=own, Marker=first["NextMarker"])
    assert len(rest["FunctionEventInvokeConfigs"]) == 1
    assert "NextMarker" not in rest


def test_emulator_choice_marker_survives_a_write_between_pages(world: World) -> None:
    put_three(world)
    first = world.lam.list_function_event_invoke_configs(FunctionName=world.fn, MaxItems=1)
    world.lam.delete_function_event_invoke_config(FunctionName=first["FunctionEventInvokeConfigs"][0]["FunctionArn"])
    rest = world.lam.list_function_event_invoke_configs(FunctionName=world.fn, Marker=first["NextMarker"])
    assert len(rest["FunctionEventInvokeConfigs"]) == 2


def test_emulator_choice_invalid_marker_is_rejected(world: World) -> None:
    error = client_error(world.lam.list_function_event_invoke_configs, FunctionName=world.fn, Marker="garbage")
    assert error.response["Error"]["Code"] == "InvalidParameterValueException"


# --- C14: content ---------------------------------------------------------------------------------------------------


def test_c14_list_items_have_the_get_shape(world: World) -> None:
    put_three(world)
    listed = world.lam.list_function_event_invoke_configs(FunctionName=world.fn)["FunctionEventInvokeConfigs"]
    gets = [
        without_metadata(world.lam.get_function_event_invoke_config(FunctionName=world.fn, Qualifier=q))
        for q in ("$LATEST", "1", "live")
    ]
    # No order is guaranteed: compare as sets of items.
    assert sorted(listed, key=lambda item: item["FunctionArn"]) == sorted(gets, key=lambda item: item["FunctionArn"])
    by_arn = {item["FunctionArn"]: item for item in listed}
    latest = by_arn[fn_arn(world.fn, "$LATEST")]
    assert (latest["MaximumEventAgeInSeconds"], latest["MaximumRetryAttempts"]) == (60, 0)
    assert "MaximumEventAgeInSeconds" not in by_arn[fn_arn(world.fn, "1")]
    assert by_arn[fn_arn(world.fn, "live")]["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}


def test_c14_list_accepts_the_unqualified_arn(world: World) -> None:
    put_three(world)
    listed = world.lam.list_function_event_invoke_configs(FunctionName=fn_arn(world.fn))
    assert len(listed["FunctionEventInvokeConfigs"]) == 3
