"""Contract: validation, missing resources and destination checks (reference C6, C7, C8, C11)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ParamValidationError

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import EMPTY_DESTINATIONS
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn

DESTINATION_PATTERN = (
    r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
    r"((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)
FUNCTION_MISSING = "The function doesn't exist."


def no_config(name: str, qualifier: str) -> str:
    return f"The function {fn_arn(name, qualifier)} doesn't have an EventInvokeConfig"


def constraint(value: object, path: str, rule: str) -> str:
    return f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must {rule}"


# --- C6: out-of-range values and missing settings -----------------------------------------------------------------


@pytest.mark.parametrize("retries", [3, 5])
def test_c6_retry_attempts_above_two_is_a_server_validation_exception(world: World, retries: int) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=retries
    )
    expected = constraint(retries, "maximumRetryAttempts", "have value less than or equal to 2")
    assert_error(error, 400, "ValidationException", expected)
    # Not a modeled Lambda exception: the specific exception class must not catch it.
    assert not isinstance(error, world.lam.exceptions.InvalidParameterValueException)


def test_c6_event_age_above_max_is_a_server_validation_exception(world: World) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumEventAgeInSeconds=21601
    )
    expected = constraint(21601, "maximumEventAgeInSeconds", "have value less than or equal to 21600")
    assert_error(error, 400, "ValidationException", expected)


@pytest.mark.parametrize(
    ("settings", "text"),
    [
        ({"MaximumEventAgeInSeconds": 59}, "Invalid value for parameter MaximumEventAgeInSeconds, value: 59"),
        ({"MaximumRetryAttempts": -1}, "Invalid value for parameter MaximumRetryAttempts, value: -1"),
    ],
)
def test_c6_minimums_fail_in_botocore_before_any_request(world: World, settings: dict, text: str) -> None:
    with pytest.raises(ParamValidationError, match=text):
        world.strict.put_function_event_invoke_config(FunctionName=world.fn, **settings)
    assert world.emulator.requests(service="lambda") == []


def test_c6_no_settings_is_rejected_before_the_function_lookup(world: World) -> None:
    error = client_error(world.lam.put_function_event_invoke_config, FunctionName="doesnotexist")
    message = "You must specify at least one of error handling or destination setting."
    assert_error(error, 400, "InvalidParameterValueException", message)
    assert error.response["Type"] == "User"


def test_c6_update_mismatched_value_updates_nothing(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    client_error(world.lam.update_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=3)
    assert world.lam.get_function_event_invoke_config(FunctionName=world.fn)["MaximumRetryAttempts"] == 1


def test_emulator_choice_event_age_below_min_sent_anyway_is_a_validation_exception(world: World) -> None:
    error = client_error(world.lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumEventAgeInSeconds=59)
    expected = constraint(59, "maximumEventAgeInSeconds", "have value greater than or equal to 60")
    assert_error(error, 400, "ValidationException", expected)


def test_emulator_choice_several_violations_are_listed_together(world: World) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        MaximumRetryAttempts=3,
        MaximumEventAgeInSeconds=21601,
    )
    assert error.response["Error"]["Message"] == (
        "2 validation errors detected: "
        "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or "
        "equal to 2; Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have "
        "value less than or equal to 21600"
    )


def test_emulator_choice_function_name_violations_use_the_model_constraints(world: World) -> None:
    too_long = "a" * 257
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=too_long)
    expected = constraint(too_long, "functionName", "have length less than or equal to 256")
    assert_error(error, 400, "ValidationException", expected)
    bad = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn, Qualifier="bad qual!")
    assert bad.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'bad qual!' at 'qualifier' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: "
    )


# --- C7: the function does not exist ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["doesnotexist", fn_arn("doesnotexist")])
def test_c7_put_on_missing_function_says_function_does_not_exist(world: World, name: str) -> None:
    error = client_error(world.lam.put_function_event_invoke_config, FunctionName=name, MaximumRetryAttempts=1)
    assert_error(error, 404, "ResourceNotFoundException", FUNCTION_MISSING)
    assert error.response["Type"] == "User"
    assert error.response["Message"] == FUNCTION_MISSING


def test_c7_list_on_missing_function_says_function_does_not_exist(world: World) -> None:
    error = client_error(world.lam.list_function_event_invoke_configs, FunctionName="doesnotexist")
    assert_error(error, 404, "ResourceNotFoundException", FUNCTION_MISSING)


def test_c7_get_on_missing_function_says_no_event_invoke_config(world: World) -> None:
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName="doesnotexist")
    assert_error(error, 404, "ResourceNotFoundException", no_config("doesnotexist", "$LATEST"))


def test_c7_delete_on_missing_function_says_no_event_invoke_config(world: World) -> None:
    error = client_error(world.lam.delete_function_event_invoke_config, FunctionName="doesnotexist")
    assert_error(error, 404, "ResourceNotFoundException", no_config("doesnotexist", "$LATEST"))


# --- C8: missing alias or version ---------------------------------------------------------------------------------


def test_c8_put_on_missing_alias_says_function_does_not_exist(world: World) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        Qualifier="livedoesnotexist",
        MaximumRetryAttempts=1,
    )
    assert_error(error, 404, "ResourceNotFoundException", FUNCTION_MISSING)


def test_c8_get_on_missing_qualifier_says_no_event_invoke_config(world: World) -> None:
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn, Qualifier="doesnotexist")
    assert_error(error, 404, "ResourceNotFoundException", no_config(world.fn, "doesnotexist"))


def test_c8_publishing_a_version_does_not_copy_the_latest_config(world: World) -> None:
    own = world.new_function("c8-publish")["name"]
    world.lam.put_function_event_invoke_config(FunctionName=own, MaximumRetryAttempts=1)
    world.lam.update_function_configuration(FunctionName=own, Description="changed, so a new version")
    version = world.lam.publish_version(FunctionName=own)["Version"]
    assert version == "2"
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=own, Qualifier=version)
    assert_error(error, 404, "ResourceNotFoundException", no_config(own, version))


def test_emulator_choice_put_on_missing_version_says_function_does_not_exist(world: World) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=world.fn, Qualifier="99", MaximumRetryAttempts=1
    )
    assert_error(error, 404, "ResourceNotFoundException", FUNCTION_MISSING)


# --- C11: destinations --------------------------------------------------------------------------------------------


def test_c11_malformed_destination_arn_is_a_validation_exception(world: World) -> None:
    bad = fn_arn(world.fn2).replace(":lambda:", ":_-/!lambda:")
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnFailure": {"Destination": bad}},
    )
    expected = constraint(
        bad, "destinationConfig.onFailure.destination", f"satisfy regular expression pattern: {DESTINATION_PATTERN}"
    )
    assert_error(error, 400, "ValidationException", expected)


def test_emulator_choice_malformed_on_success_destination_names_its_own_path(world: World) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": "bogus"}},
    )
    assert "at 'destinationConfig.onSuccess.destination'" in error.response["Error"]["Message"]


def test_c11_unsupported_destination_service_is_rejected(world: World) -> None:
    iam_arn = fn_arn(world.fn).replace(":lambda:", ":iam:")
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": iam_arn}},
    )
    message = (
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination={iam_arn}), "
        "onFailure=null) is invalid."
    )
    assert_error(error, 400, "InvalidParameterValueException", message)


def test_c11_s3_bucket_is_rejected_as_on_success(world: World) -> None:
    bucket = world.arn("bucket")
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": bucket}},
    )
    message = (
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination={bucket}), "
        "onFailure=null) is invalid."
    )
    assert_error(error, 400, "InvalidParameterValueException", message)


def test_c11_s3_bucket_is_accepted_as_on_failure(world: World) -> None:
    # DOCUMENTED: S3 is a valid on-failure destination.
    put = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnFailure": {"Destination": world.arn("bucket")}}
    )
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": world.arn("bucket")}


@pytest.mark.parametrize(
    "missing",
    [
        fn_arn("doesnotexist"),
        "arn:aws:sns:us-east-1:123456789012:doesnotexist",
        "arn:aws:events:us-east-1:123456789012:event-bus/doesnotexist",
    ],
)
def test_c11_destination_that_does_not_exist_is_invalid(world: World, missing: str) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": missing}},
    )
    assert_error(error, 400, "InvalidParameterValueException", f"The destination ARN {missing} is invalid.")


@pytest.mark.parametrize(
    "missing",
    ["arn:aws:sqs:us-east-1:123456789012:doesnotexist", "arn:aws:s3:::doesnotexist-bucket", fn_arn("w-fn-2", "9")],
)
def test_emulator_choice_missing_queue_bucket_or_version_is_invalid(world: World, missing: str) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnFailure": {"Destination": missing}},
    )
    assert_error(error, 400, "InvalidParameterValueException", f"The destination ARN {missing} is invalid.")


def test_c11_function_as_its_own_destination_is_rejected(world: World) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": fn_arn(world.fn)}},
    )
    assert_error(
        error, 400, "InvalidParameterValueException", "You can't specify the function as a destination for itself."
    )


@pytest.mark.parametrize("half", ["OnSuccess", "OnFailure"])
def test_c11_half_without_destination_is_accepted_and_counts_as_a_setting(world: World, half: str) -> None:
    put = world.lam.put_function_event_invoke_config(FunctionName=world.fn, DestinationConfig={half: {}})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["DestinationConfig"] == EMPTY_DESTINATIONS


@pytest.mark.parametrize("key", ["queue", "topic", "event_bus"])
def test_c11_existing_destinations_are_accepted(world: World, key: str) -> None:
    arn = world.arn(key)
    put = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": arn}, "OnFailure": {"Destination": arn}},
    )
    assert put["DestinationConfig"] == {"OnSuccess": {"Destination": arn}, "OnFailure": {"Destination": arn}}


def test_c11_another_existing_function_is_accepted(world: World) -> None:
    other = fn_arn(world.fn2)
    put = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnSuccess": {"Destination": other}}
    )
    assert put["DestinationConfig"]["OnSuccess"] == {"Destination": other}


def test_c11_rejected_destination_leaves_the_config_unchanged(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnFailure": {"Destination": fn_arn("doesnotexist")}},
    )
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    assert (got["MaximumRetryAttempts"], got["DestinationConfig"]) == (1, EMPTY_DESTINATIONS)


def test_emulator_choice_empty_destination_string_is_rejected(world: World) -> None:
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": ""}},
    )
    message = (
        "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=), onFailure=null) "
        "is invalid."
    )
    assert_error(error, 400, "InvalidParameterValueException", message)
