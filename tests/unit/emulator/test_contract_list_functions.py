"""Contract: ListFunctions paged like AWS (moto answers everything in one page and ignores MaxItems).

AWS (botocore model): MaxItems is 1-10000, and "ListFunctions returns a maximum of 50 items in each response, even if
you set the number higher".
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.emulator import list_functions
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.emulator.wire import LambdaError
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import NO_RETRIES
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import REGION
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import assert_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error

NAMES = ["lf-c", "lf-a", "lf-e", "lf-b", "lf-d"]  # created out of order on purpose


@pytest.fixture
def five_functions(fresh_emulator: Emulator) -> Any:
    """Exactly five functions (and nothing else) in a reset emulator; each has version 1."""
    clients = fixtures.Clients(fresh_emulator.endpoint_url, REGION)
    role = fixtures.create("lf", fresh_emulator.endpoint_url, REGION, functions=0, clients=clients)["role"]["arn"]
    for name in NAMES:
        fixtures.create_function(clients, name, role)
    fresh_emulator.clear_requests()
    return fresh_emulator.client("lambda", retries=NO_RETRIES)


def walk(lam: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page from the first (or from kwargs' Marker) to the one without NextMarker."""
    pages = []
    while True:
        page = lam.list_functions(**kwargs)
        pages.append(page)
        if "NextMarker" not in page:
            return pages
        kwargs["Marker"] = page["NextMarker"]


def test_max_items_one_walks_every_function_in_name_order(five_functions: Any) -> None:
    pages = walk(five_functions, MaxItems=1)
    assert [len(page["Functions"]) for page in pages] == [1] * 5
    assert [page["Functions"][0]["FunctionName"] for page in pages] == sorted(NAMES)
    assert all("NextMarker" in page for page in pages[:-1])
    assert "NextMarker" not in pages[-1]


def test_pages_union_is_every_function_with_moto_s_item_shape(five_functions: Any) -> None:
    everything = five_functions.list_functions()
    assert "NextMarker" not in everything
    union = [item for page in walk(five_functions, MaxItems=2) for item in page["Functions"]]
    assert [item["FunctionName"] for item in union] == sorted(NAMES)
    # Paging changes nothing in the items themselves.
    by_name = {item["FunctionName"]: item for item in everything["Functions"]}
    assert all(item == by_name[item["FunctionName"]] for item in union)


def test_function_version_all_pages_latest_then_versions(five_functions: Any) -> None:
    items = [item for page in walk(five_functions, MaxItems=3, FunctionVersion="ALL") for item in page["Functions"]]
    assert [(item["FunctionName"], item["Version"]) for item in items] == [
        (name, version) for name in sorted(NAMES) for version in ("$LATEST", "1")
    ]


def test_c20_every_item_carries_role_and_its_dead_letter_queue_on_every_page(
    five_functions: Any, fresh_emulator: Emulator
) -> None:
    """DOCUMENTED (FunctionConfiguration): ListFunctions items carry Role and DeadLetterConfig.TargetArn, so an audit
    can check every function's dead-letter queue without one GetFunction each."""
    clients = fixtures.Clients(fresh_emulator.endpoint_url, REGION)
    created = fixtures.create("lf", fresh_emulator.endpoint_url, REGION, functions=0, clients=clients)
    role, queue, topic = created["role"]["arn"], created["queue"]["arn"], created["topic"]["arn"]
    fixtures.create_function(clients, "lf-dlq", role, dead_letter_target=queue)  # version 1 keeps the queue
    clients.awslambda.update_function_configuration(FunctionName="lf-dlq", DeadLetterConfig={"TargetArn": topic})
    for version in ("$LATEST", "ALL"):
        items = [
            item for page in walk(five_functions, MaxItems=1, FunctionVersion=version) for item in page["Functions"]
        ]
        assert {item["Role"] for item in items} == {role}
        targets = {(i["FunctionName"], i["Version"]): i.get("DeadLetterConfig", {}).get("TargetArn") for i in items}
        assert targets[("lf-dlq", "$LATEST")] == topic
        assert all(target is None for (name, _version), target in targets.items() if name != "lf-dlq")
        if version == "ALL":
            assert targets[("lf-dlq", "1")] == queue


def test_marker_survives_a_function_created_between_pages(five_functions: Any, fresh_emulator: Emulator) -> None:
    first = five_functions.list_functions(MaxItems=2)
    clients = fixtures.Clients(fresh_emulator.endpoint_url, REGION)
    fixtures.create_function(clients, "lf-0-early", first["Functions"][0]["Role"])
    rest = walk(five_functions, MaxItems=2, Marker=first["NextMarker"])
    names = [item["FunctionName"] for page in [first, *rest] for item in page["Functions"]]
    assert names == sorted(NAMES)  # the new one sorts before the marker: not seen, nothing seen twice


def test_max_items_above_fifty_is_accepted_and_capped_at_fifty(five_functions: Any) -> None:
    page = five_functions.list_functions(MaxItems=51)
    assert len(page["Functions"]) == 5
    assert "NextMarker" not in page


def test_max_items_above_the_model_maximum_is_a_validation_exception(five_functions: Any) -> None:
    error = client_error(five_functions.list_functions, MaxItems=10001)
    message = (
        "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: Member must have "
        "value less than or equal to 10000"
    )
    assert_error(error, 400, "ValidationException", message)


def test_emulator_choice_a_marker_the_emulator_did_not_give_is_invalid(five_functions: Any) -> None:
    error = client_error(five_functions.list_functions, Marker="garbage")
    assert_error(error, 400, "InvalidParameterValueException", "Invalid marker: garbage")


def test_list_functions_spends_the_shared_quota(five_functions: Any, fresh_emulator: Emulator) -> None:
    """Lambda quotas: every control-plane call but GetFunction shares the 15 requests/s bucket."""
    # A small quota keeps the test about the bucket, not speed (as the per-region test does): 2 tokens, one back every
    # 0.5 s. With 15 tokens, 40 calls had to outrun the refill to see a 429, which a loaded 2-core machine need not
    # do; here 10 calls would have to take 4 s for none to be refused.
    fresh_emulator.set_faults(throttle_rps=2)
    started = time.monotonic()
    outcomes = []
    for _call in range(10):
        try:
            five_functions.list_functions(MaxItems=1)
            outcomes.append("ok")
        except five_functions.exceptions.TooManyRequestsException:
            outcomes.append("throttled")
    elapsed = time.monotonic() - started
    assert outcomes[:2] == ["ok"] * 2
    assert outcomes.count("ok") <= 2 + int(2 * elapsed) + 1  # the bucket, and what came back meanwhile
    assert outcomes.count("throttled") > 0
    throttled = fresh_emulator.requests(operation="ListFunctions", fault="throttle")
    assert len(throttled) == outcomes.count("throttled")


# --- the pager on its own (more than one page of 50 without creating 60 functions) --------------------------------


def synthetic(count: int) -> list[dict[str, Any]]:
    return [{"FunctionName": f"fn-{index:03d}", "Version": "$LATEST"} for index in range(count)]


@pytest.mark.parametrize(
    ("max_items", "sizes"), [(None, [50, 10]), ("51", [50, 10]), ("10000", [50, 10]), ("7", [7] * 8 + [4])]
)
def test_pages_hold_at_most_fifty(max_items: str | None, sizes: list[int]) -> None:
    functions = synthetic(60)
    seen: list[int] = []
    marker = None
    while True:
        page = list_functions.page(functions, marker, max_items)
        seen.append(len(page["Functions"]))
        marker = page.get("NextMarker")
        if marker is None:
            break
    assert seen == sizes


@pytest.mark.parametrize(("max_items", "code"), [("0", "ValidationException"), ("x", "SerializationException")])
def test_page_size_refuses_what_the_model_refuses(max_items: str, code: str) -> None:
    with pytest.raises(LambdaError) as info:
        list_functions.page_size(max_items)
    assert info.value.code == code
