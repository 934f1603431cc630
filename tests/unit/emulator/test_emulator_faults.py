"""Fault injection, and the wire format of the transient errors it produces (reference C18, Lambda quotas)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.emulator.faults import FaultInjector
from ansible_collections.cloudops.aws_lambda.tests.emulator.faults import FaultSettings
from ansible_collections.cloudops.aws_lambda.tests.emulator.faults import TokenBucket
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import NO_RETRIES
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import raw_responses

THROTTLE_BODY = {"Reason": "CallerRateLimitExceeded", "Type": "User", "message": "Rate exceeded"}


def conflict_message(name: str, qualifier: str) -> str:
    return (
        f"The EventInvokeConfig for function {fn_arn(name, qualifier)} could not be updated due to a concurrent "
        "update operation."
    )


# --- C18: wire format of the transient errors ----------------------------------------------------------------------


def test_c18_throttle_is_429_with_the_recorded_body(world: World) -> None:
    world.emulator.set_faults(throttle_rate=1.0)
    with raw_responses(world.lam) as seen:
        error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn)
    assert_error(error, 429, "TooManyRequestsException", "Rate exceeded")
    assert error.response["Reason"] == "CallerRateLimitExceeded"
    assert error.response["retryAfterSeconds"] == "1"
    status, headers, content = seen[0]
    assert status == 429
    assert headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    assert json.loads(content) == THROTTLE_BODY


def test_c18_conflict_is_409_naming_the_qualified_function(world: World) -> None:
    world.emulator.set_faults(conflict_rate=1.0)
    error = client_error(
        world.lam.put_function_event_invoke_config, FunctionName=world.fn, Qualifier="live", MaximumRetryAttempts=1
    )
    assert_error(error, 409, "ResourceConflictException", conflict_message(world.fn, "live"))
    assert error.response["Type"] == "User"
    assert error.response["message"] == conflict_message(world.fn, "live")


def test_c18_service_error_is_500_service_exception(world: World) -> None:
    world.emulator.set_faults(error_rate=1.0)
    error = client_error(world.lam.list_function_event_invoke_configs, FunctionName=world.fn)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error.response["Error"]["Code"] == "ServiceException"
    assert error.response["Type"] == "Service"


# --- throttling -----------------------------------------------------------------------------------------------------


def test_throttle_rate_hits_every_lambda_call_but_not_other_services(world: World) -> None:
    world.emulator.set_faults(throttle_rate=1.0)
    for call in (world.lam.list_functions, lambda: world.lam.get_function(FunctionName=world.fn)):
        with pytest.raises(world.lam.exceptions.TooManyRequestsException):
            call()
    assert world.clients.sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_throttle_rps_is_a_token_bucket_shared_by_all_lambda_calls(world: World) -> None:
    world.emulator.set_faults(throttle_rps=15)
    started = time.monotonic()
    outcomes = []
    for index in range(40):
        call = world.lam.list_functions if index % 2 else world.lam.list_function_event_invoke_configs
        try:
            call() if index % 2 else call(FunctionName=world.fn)
            outcomes.append("ok")
        except world.lam.exceptions.TooManyRequestsException:
            outcomes.append("throttled")
    elapsed = time.monotonic() - started
    allowed = outcomes.count("ok")
    assert 15 <= allowed <= 15 + int(15 * elapsed) + 1
    assert outcomes[:15] == ["ok"] * 15
    time.sleep(0.2)  # three tokens come back
    world.lam.list_functions()


def _burst(client: Any, calls: int) -> list[str]:
    """``calls`` ListFunctions as fast as they go: "ok" or "throttled" each."""
    outcomes = []
    for _call in range(calls):
        try:
            client.list_functions()
            outcomes.append("ok")
        except client.exceptions.TooManyRequestsException:
            outcomes.append("throttled")
    return outcomes


def test_quota_is_per_region_each_region_gets_the_full_rate(world: World) -> None:
    """AWS keeps the 15 requests/s per account and Region (reference, Lambda quotas): a client working in two
    regions at once gets 15 in each, and one region still gets only its own 15."""
    # A small quota keeps the test about buckets, not speed: 5 tokens, 1 back every 0.2 s, on a loaded machine too.
    world.emulator.set_faults(throttle_rps=5)
    east = world.lam  # us-east-1
    west = world.emulator.client("lambda", region="eu-west-1", retries=NO_RETRIES)
    started = time.monotonic()
    in_east = _burst(east, 15)
    elapsed = time.monotonic() - started
    in_west = _burst(west, 5)
    assert in_east[:5] == ["ok"] * 5
    assert in_east.count("ok") <= 5 + int(5 * elapsed) + 1  # one region: its own quota, and what came back meanwhile
    assert in_east.count("throttled") > 0
    assert in_west == ["ok"] * 5  # us-east-1's empty bucket is not eu-west-1's
    throttled = world.emulator.requests(fault="throttle")
    assert {entry["region"] for entry in throttled} == {"us-east-1"}


def test_quota_scopes_are_separate_buckets_for_accounts_and_regions() -> None:
    injector = FaultInjector(FaultSettings(throttle_rps=3))
    scopes = [("123456789012", "us-east-1"), ("123456789012", "eu-west-1"), ("210987654321", "us-east-1")]
    for scope in scopes:
        assert [injector.throttle(scope=scope) for _call in range(3)] == [None, None, None]
    for scope in scopes:  # each bucket is now empty, and only its own calls emptied it
        assert injector.throttle(scope=scope) == 1
    injector.update({"throttle_rps": 3})  # a new quota starts every scope with a full bucket
    assert injector.throttle(scope=scopes[0]) is None


def test_get_function_has_a_quota_of_its_own_and_does_not_spend_the_shared_bucket(world: World) -> None:
    """AWS: GetFunction 100 requests/s; every other control-plane call shares 15 (reference, Lambda quotas)."""
    world.emulator.set_faults(throttle_rps=15)
    for _call in range(30):  # twice the bucket: any charge to it would throttle some of these
        world.lam.get_function(FunctionName=world.fn)
    passed = 0
    for _call in range(15):  # the bucket is still full: a whole second's worth goes through
        world.lam.list_function_event_invoke_configs(FunctionName=world.fn)
        passed += 1
    assert passed == 15
    assert [r for r in world.emulator.requests() if r["fault"]] == []


def test_token_bucket_refills_at_its_rate_up_to_one_second(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    bucket = TokenBucket(15, clock=lambda: now[0])
    assert [bucket.take() for _draw in range(16)] == [True] * 15 + [False]
    assert bucket.seconds_until_token() == 1
    now[0] += 0.2
    assert [bucket.take() for _draw in range(4)] == [True, True, True, False]
    now[0] += 60
    assert sum(bucket.take() for _draw in range(20)) == 15  # capacity is one second's worth


def test_throttle_rate_share_is_close_to_the_setting_and_reproducible() -> None:
    def draws(seed: int) -> list[bool]:
        injector = FaultInjector(FaultSettings(throttle_rate=0.3, seed=seed))
        return [injector.throttle() is not None for _draw in range(2000)]

    first = draws(42)
    assert 0.25 < sum(first) / len(first) < 0.35
    assert draws(42) == first
    assert draws(43) != first


# --- conflicts ------------------------------------------------------------------------------------------------------


def test_conflicts_hit_writes_only_and_change_nothing(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.emulator.set_faults(conflict_rate=1.0)
    put = client_error(world.lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=2)
    update = client_error(
        world.lam.update_function_event_invoke_config, FunctionName=world.fn, MaximumEventAgeInSeconds=60
    )
    delete = client_error(world.lam.delete_function_event_invoke_config, FunctionName=world.fn)
    for error in (put, update, delete):
        assert_error(error, 409, "ResourceConflictException", conflict_message(world.fn, "$LATEST"))
    # Reads are never conflicted, and see the config exactly as before.
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    assert got["MaximumRetryAttempts"] == 1
    assert "MaximumEventAgeInSeconds" not in got
    assert len(world.lam.list_function_event_invoke_configs(FunctionName=world.fn)["FunctionEventInvokeConfigs"]) == 1
    assert world.lam.get_function(FunctionName=world.fn)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_conflicted_put_of_a_new_config_writes_nothing(world: World) -> None:
    world.emulator.set_faults(conflict_rate=1.0)
    client_error(world.lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=2)
    world.emulator.set_faults(conflict_rate=0.0)
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn)
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


# --- errors, latency, propagation -----------------------------------------------------------------------------------


def test_injected_server_errors_change_nothing(world: World) -> None:
    world.emulator.set_faults(error_rate=1.0)
    client_error(world.lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=2)
    world.emulator.set_faults(error_rate=0.0)
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn)
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def test_latency_is_added_to_lambda_calls(world: World) -> None:
    world.emulator.set_faults(latency_ms=150)
    started = time.monotonic()
    world.lam.list_function_event_invoke_configs(FunctionName=world.fn)
    assert time.monotonic() - started >= 0.15


def test_propagation_failures_fail_the_next_puts_that_name_a_destination(world: World) -> None:
    queue = world.arn("queue")
    world.emulator.set_faults(propagation_failures=2)
    # A Put without a destination does not use up the budget.
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    for _draw in range(2):
        error = client_error(
            world.lam.put_function_event_invoke_config,
            FunctionName=world.fn,
            DestinationConfig={"OnFailure": {"Destination": queue}},
        )
        assert_error(error, 400, "InvalidParameterValueException", f"The destination ARN {queue} is invalid.")
    assert world.lam.get_function_event_invoke_config(FunctionName=world.fn)["MaximumRetryAttempts"] == 1
    put = world.lam.put_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": queue}
    faults = [e["fault"] for e in world.emulator.requests(operation="PutFunctionEventInvokeConfig")]
    assert faults == [None, "propagation", "propagation", None]
    assert world.emulator.faults()["propagation_failures"] == 0


def test_faults_are_off_by_default(fresh_emulator: Emulator) -> None:
    assert fresh_emulator.faults() == FaultSettings().to_dict()


@pytest.mark.parametrize(
    "bad",
    [{"throttle_rate": 1.5}, {"latency_ms": -1}, {"propagation_failures": 1.5}, {"nonsense": 1}, {"seed": "x"}],
)
def test_invalid_fault_settings_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        FaultInjector().update(bad)


def test_permission_propagation_failures_refuse_the_next_writes_that_name_a_destination(world: World) -> None:
    """What AWS answers while a just-written role policy has not reached Lambda (C11, C18): "does not have
    permissions", though the role is allowed."""
    topic = world.arn("topic")
    refused = f"The function's execution role does not have permissions to call Publish on {topic}"
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.emulator.set_faults(permission_propagation_failures=2)
    world.lam.update_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=0)  # no destination
    put = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": topic}},
    )
    update = client_error(
        world.lam.update_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": topic}},
    )
    for error in (put, update):
        assert_error(error, 400, "InvalidParameterValueException", refused)
        assert error.response["message"] == refused
    got = world.lam.get_function_event_invoke_config(FunctionName=world.fn)
    assert (got["MaximumRetryAttempts"], got["DestinationConfig"]["OnSuccess"]) == (0, {})
    world.lam.update_function_event_invoke_config(
        FunctionName=world.fn, DestinationConfig={"OnSuccess": {"Destination": topic}}
    )
    writes = [e for e in world.emulator.requests() if e["operation"].endswith("FunctionEventInvokeConfig")]
    assert [(e["operation"][:3], e["fault"]) for e in writes] == [
        ("Put", None),
        ("Upd", None),
        ("Put", "propagation"),
        ("Upd", "propagation"),
        ("Get", None),
        ("Upd", None),
    ]
    assert world.emulator.faults()["permission_propagation_failures"] == 0


def test_permission_propagation_names_the_first_destination_and_its_first_action(world: World) -> None:
    bucket, queue = world.arn("bucket"), world.arn("queue")
    world.emulator.set_faults(permission_propagation_failures=1)
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnSuccess": {"Destination": queue}, "OnFailure": {"Destination": bucket}},
    )
    message = f"The function's execution role does not have permissions to call SendMessage on {queue}"
    assert_error(error, 400, "InvalidParameterValueException", message)
    world.emulator.set_faults(permission_propagation_failures=1)
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=world.fn,
        DestinationConfig={"OnFailure": {"Destination": bucket}},
    )
    message = f"The function's execution role does not have permissions to call PutObject on {bucket}"
    assert_error(error, 400, "InvalidParameterValueException", message)


def test_destination_propagation_fires_before_permission_propagation(world: World) -> None:
    queue = world.arn("queue")
    world.emulator.set_faults(propagation_failures=1, permission_propagation_failures=1)
    messages = []
    for _attempt in range(3):
        try:
            world.lam.put_function_event_invoke_config(
                FunctionName=world.fn, DestinationConfig={"OnFailure": {"Destination": queue}}
            )
            messages.append("ok")
        except ClientError as error:
            messages.append(error.response["Error"]["Message"])
    assert messages == [
        f"The destination ARN {queue} is invalid.",
        f"The function's execution role does not have permissions to call SendMessage on {queue}",
        "ok",
    ]


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True])
def test_permission_propagation_failures_must_be_a_count(bad: object) -> None:
    with pytest.raises(ValueError):
        FaultInjector().update({"permission_propagation_failures": bad})
