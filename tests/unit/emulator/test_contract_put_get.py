"""Contract: Put and Get response shapes, $LATEST identity and FunctionName forms (reference C1-C3, C9, C10)."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import EMPTY_DESTINATIONS
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import body
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import raw_responses

MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."

# --- C1: Put response shape ---------------------------------------------------------------------------------------


def test_c1_put_all_fields_returns_exactly_these_keys(world: World) -> None:
    response = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=21600
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert body(response) == {
        "FunctionArn": fn_arn(world.fn, "$LATEST"),
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 21600,
        "DestinationConfig": EMPTY_DESTINATIONS,
    }


@pytest.mark.parametrize(
    ("function_name", "qualifier", "expected_qualifier"),
    [
        ("{fn}", None, "$LATEST"),
        ("{fn_arn}", None, "$LATEST"),
        ("{fn}", "$LATEST", "$LATEST"),
        ("{fn}", "1", "1"),
        ("{fn}", "live", "live"),
        ("{fn_arn}:live", None, "live"),
        ("{fn}:live", None, "live"),
    ],
)
def test_c1_function_arn_is_always_qualified(
    world: World, function_name: str, qualifier: str | None, expected_qualifier: str
) -> None:
    name = function_name.format(fn=world.fn, fn_arn=fn_arn(world.fn))
    extra = {"Qualifier": qualifier} if qualifier else {}
    response = world.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, **extra)
    # The alias name is kept, not resolved to the version it points at.
    assert response["FunctionArn"] == fn_arn(world.fn, expected_qualifier)


def test_c1_destination_config_always_has_both_halves(world: World) -> None:
    queue = world.arn("queue")
    both = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": queue}, "OnFailure": {"Destination": queue}},
    )
    assert both["DestinationConfig"] == {"OnSuccess": {"Destination": queue}, "OnFailure": {"Destination": queue}}
    only_success = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnSuccess": {"Destination": queue}}
    )
    assert only_success["DestinationConfig"] == {"OnSuccess": {"Destination": queue}, "OnFailure": {}}


def test_c1_retry_attempts_zero_is_returned_not_omitted(world: World) -> None:
    response = world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
    assert response["MaximumRetryAttempts"] == 0
    assert "MaximumEventAgeInSeconds" not in response


def test_c1_last_modified_is_epoch_seconds_with_millis_on_the_wire(world: World) -> None:
    with raw_responses(world.lam) as seen:
        response = world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    wire = json.loads(seen[0][2])
    assert isinstance(wire["LastModified"], (int, float))
    assert round(wire["LastModified"], 3) == wire["LastModified"]
    assert isinstance(response["LastModified"], datetime.datetime)
    assert response["LastModified"].tzinfo is not None
    assert response["LastModified"].timestamp() == pytest.approx(wire["LastModified"], abs=0.001)


# --- C2: Get after Put --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("qualifier", [None, "1", "live"])
def test_c2_get_returns_what_put_returned(world: World, qualifier: str | None) -> None:
    extra = {"Qualifier": qualifier} if qualifier else {}
    put = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn,
        MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": world.arn("topic")}},
        **extra,
    )
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn, **extra)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert body(got) == body(put)
    assert "MaximumRetryAttempts" not in got


# --- C3: unset fields are omitted, not defaulted ------------------------------------------------------------------


def test_c3_put_only_retries_omits_event_age(world: World) -> None:
    put = world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    for response in (put, got):
        assert body(response) == {
            "FunctionArn": fn_arn(world.fn, "$LATEST"),
            "MaximumRetryAttempts": 0,
            "DestinationConfig": EMPTY_DESTINATIONS,
        }


def test_c3_put_only_event_age_omits_retries(world: World) -> None:
    put = world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumEventAgeInSeconds=60)
    assert "MaximumRetryAttempts" not in put
    assert put["MaximumEventAgeInSeconds"] == 60


def test_c3_put_only_destination_omits_both_numbers(world: World) -> None:
    other = fn_arn(world.fn2)
    put = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnSuccess": {"Destination": other}}
    )
    assert body(put) == {
        "FunctionArn": fn_arn(world.fn, "$LATEST"),
        "DestinationConfig": {"OnSuccess": {"Destination": other}, "OnFailure": {}},
    }


# --- C9: no qualifier and $LATEST are one config ------------------------------------------------------------------


def test_c9_no_qualifier_and_latest_are_one_config(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    latest = world.lam.get_function_event_invoke_config(FunctionName=world.fn, Qualifier="$LATEST")
    assert latest["MaximumRetryAttempts"] == 1

    world.lam.put_function_event_invoke_config(FunctionName=world.fn, Qualifier="$LATEST", MaximumRetryAttempts=2)
    unqualified = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    assert unqualified["MaximumRetryAttempts"] == 2
    assert body(unqualified) == body(world.lam.get_function_event_invoke_config(FunctionName=world.fn))


def test_c9_delete_latest_removes_the_unqualified_config(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.lam.delete_function_event_invoke_config(FunctionName=world.fn, Qualifier="$LATEST")
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn)
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def test_c9_list_counts_latest_once_and_qualifiers_separately(world: World) -> None:
    put = world.lam.put_function_event_invoke_config
    put(FunctionName=world.fn, MaximumRetryAttempts=1)
    put(FunctionName=world.fn, Qualifier="$LATEST", MaximumRetryAttempts=1)
    put(FunctionName=world.fn, Qualifier="1", MaximumRetryAttempts=1)
    put(FunctionName=world.fn, Qualifier="live", MaximumRetryAttempts=1)
    listed = world.lam.list_function_event_invoke_configs(FunctionName=world.fn)["FunctionEventInvokeConfigs"]
    assert sorted(item["FunctionArn"] for item in listed) == sorted(
        [fn_arn(world.fn, "$LATEST"), fn_arn(world.fn, "1"), fn_arn(world.fn, "live")]
    )


def test_c8_configs_are_strictly_per_qualifier(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, Qualifier="live", MaximumEventAgeInSeconds=90)
    assert "MaximumEventAgeInSeconds" not in world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    live = world.lam.get_function_event_invoke_config(FunctionName=world.fn, Qualifier="live")
    assert "MaximumRetryAttempts" not in live
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn, Qualifier="1")
    assert_error(
        error,
        404,
        "ResourceNotFoundException",
        f"The function {fn_arn(world.fn, '1')} doesn't have an EventInvokeConfig",
    )


# --- C10: FunctionName forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function_name", "qualifier", "expected_qualifier"),
    [
        ("{fn_arn}:live", "live", "live"),  # alias ARN and the same Qualifier
        ("{fn}:live", "live", "live"),  # NAME:ALIAS and the same Qualifier
        ("{fn}:1", None, "1"),  # NAME:VERSION ("not in the docs!")
        ("{fn}:$LATEST", "$LATEST", "$LATEST"),
    ],
)
def test_c10_qualified_function_name_forms_are_accepted(
    world: World, function_name: str, qualifier: str | None, expected_qualifier: str
) -> None:
    name = function_name.format(fn=world.fn, fn_arn=fn_arn(world.fn))
    extra = {"Qualifier": qualifier} if qualifier else {}
    put = world.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, **extra)
    assert put["FunctionArn"] == fn_arn(world.fn, expected_qualifier)
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn, Qualifier=expected_qualifier)
    assert got["MaximumRetryAttempts"] == 1


def test_c10_unqualified_full_arn_means_latest_for_get_and_delete(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=fn_arn(world.fn), MaximumRetryAttempts=2)
    assert world.lam.get_function_event_invoke_config(FunctionName=world.fn)["MaximumRetryAttempts"] == 2
    deleted = world.lam.delete_function_event_invoke_config(FunctionName=fn_arn(world.fn))
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_c10_partial_arn_is_accepted(world: World) -> None:
    # DOCUMENTED as a valid form for these APIs.
    partial = f"123456789012:function:{world.fn}"
    put = world.lam.put_function_event_invoke_config(FunctionName=partial, MaximumRetryAttempts=1)
    assert put["FunctionArn"] == fn_arn(world.fn, "$LATEST")
    got = world.lam.get_function_event_invoke_config(FunctionName=f"{partial}:$LATEST")
    assert got["MaximumRetryAttempts"] == 1


@pytest.mark.parametrize(
    ("function_name", "qualifier"),
    [
        ("{fn_arn}:live", "livedoesnotexist"),  # alias ARN, different (non-existent) alias: 400, not 404
        ("{fn}:live", "livedoesnotexist"),
        ("{fn}:1", "$LATEST"),
        ("{fn}:$LATEST", "1"),
        ("{fn}:1", "live"),
    ],
)
def test_c10_derived_qualifier_mismatch_is_rejected(world: World, function_name: str, qualifier: str) -> None:
    name = function_name.format(fn=world.fn, fn_arn=fn_arn(world.fn))
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=name, Qualifier=qualifier, MaximumRetryAttempts=1
    )
    assert_error(error, 400, "InvalidParameterValueException", MISMATCH)
    assert error.response["Type"] == "User"
    assert error.response["message"] == MISMATCH  # lowercase key in InvalidParameterValueException bodies


def test_emulator_choice_list_rejects_a_qualified_function_name(world: World) -> None:
    error = client_error(world.lam.list_function_event_invoke_configs, FunctionName=f"{world.fn}:live")
    assert error.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "qualified function name" in error.response["Error"]["Message"]
