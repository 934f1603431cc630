"""Contract: reserved concurrency (docs/aws-behaviour.md C20). PutFunctionConcurrency, GetFunctionConcurrency and
DeleteFunctionConcurrency, and GetFunction's ``Concurrency``, which AWS sends whenever reserved concurrency is set, 0
included (moto 5.2.5 leaves 0 out)."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn


def concurrency(world: World, name: str, qualifier: str | None = None) -> Any:
    """GetFunction's Concurrency, or "absent"."""
    extra = {"Qualifier": qualifier} if qualifier else {}
    return world.lam.get_function(FunctionName=name, **extra).get("Concurrency", "absent")


def test_c20_no_concurrency_until_one_is_reserved(world: World) -> None:
    name = world.new_function("c20-unset")["name"]
    assert concurrency(world, name) == "absent"
    answer = world.lam.get_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in answer


@pytest.mark.parametrize("reserved", [0, 5])
def test_c20_get_function_shows_the_reserved_concurrency_zero_included(world: World, reserved: int) -> None:
    name = world.new_function(f"c20-reserved-{reserved}")["name"]
    put = world.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    assert put["ReservedConcurrentExecutions"] == reserved
    assert world.lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == reserved
    for qualifier in (None, "$LATEST", "1", "live"):
        assert concurrency(world, name, qualifier) == {"ReservedConcurrentExecutions": reserved}
    assert concurrency(world, fn_arn(name)) == {"ReservedConcurrentExecutions": reserved}


def test_c20_delete_function_concurrency_removes_it(world: World) -> None:
    name = world.new_function("c20-deleted")["name"]
    world.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    world.lam.delete_function_concurrency(FunctionName=name)
    assert concurrency(world, name) == "absent"
    assert concurrency(world, name, "live") == "absent"
    assert "ReservedConcurrentExecutions" not in world.lam.get_function_concurrency(FunctionName=name)


def test_c20_a_new_value_replaces_the_old(world: World) -> None:
    name = world.new_function("c20-changed")["name"]
    world.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    world.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert concurrency(world, name) == {"ReservedConcurrentExecutions": 0}


def test_c20_list_functions_carries_no_concurrency(world: World) -> None:
    name = world.new_function("c20-listed")["name"]
    world.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    listed = {f["FunctionName"]: f for f in world.lam.list_functions()["Functions"]}
    assert "Concurrency" not in listed[name]
    assert "ReservedConcurrentExecutions" not in listed[name]


def test_c20_the_concurrency_calls_share_the_control_plane_quota(world: World) -> None:
    name = world.new_function("c20-quota")["name"]
    # Half a token a second, and at most one second's worth in store: the shared bucket never holds a whole token, so
    # every call charged to it is refused, however slow the machine; GetFunction, on a quota of its own, is not.
    world.emulator.set_faults(throttle_rps=0.5)
    for call, extra in (
        (world.lam.put_function_concurrency, {"ReservedConcurrentExecutions": 0}),
        (world.lam.get_function_concurrency, {}),
        (world.lam.delete_function_concurrency, {}),
    ):
        with pytest.raises(world.lam.exceptions.TooManyRequestsException):
            call(FunctionName=name, **extra)
    assert concurrency(world, name) == "absent"  # GetFunction has a quota of its own, and nothing was written
