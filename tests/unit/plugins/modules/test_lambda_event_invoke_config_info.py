"""lambda_event_invoke_config_info end to end against the emulator: scopes, pagination, sorting, round trip."""

from __future__ import annotations

import boto3
import pytest

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config as main_module
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config_info as module

LIST = "ListFunctionEventInvokeConfigs"


def lambda_client(run):
    return boto3.client(
        "lambda",
        endpoint_url=run.emulator.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def put(run, function_name: str, qualifier: str, **settings) -> dict:
    result = run(main_module, function_name=function_name, qualifier=qualifier, **settings)
    assert result["changed"] and not result["failed"], result
    return result["event_invoke_config"]


def three_configs(run) -> tuple[str, list[dict]]:
    name = run.world["functions"][0]["name"]
    queue = run.world["queue"]["arn"]
    made = [
        put(run, name, "live", maximum_retry_attempts=1),
        put(run, name, "$LATEST", maximum_retry_attempts=0, maximum_event_age_in_seconds=60, on_failure=queue),
        put(run, name, "1", maximum_event_age_in_seconds=3600),
    ]
    run.clear()
    return name, made


def test_one_function_returns_every_qualifier_sorted_in_the_main_modules_shape(run):
    name, made = three_configs(run)
    result = run(module, function_name=name)
    assert result["changed"] is False
    assert [c["qualifier"] for c in result["event_invoke_configs"]] == ["$LATEST", "1", "live"]
    assert result["event_invoke_configs"] == sorted(made, key=lambda c: c["qualifier"])
    assert run.calls() == [LIST]


@pytest.mark.parametrize("form", [{"function_name": "{name}", "qualifier": "live"}, {"function_name": "{name}:live"}])
def test_a_qualifier_costs_one_get_and_returns_one_entry(run, form):
    name, made = three_configs(run)
    run.clear()
    result = run(module, **{key: value.format(name=name) for key, value in form.items()})
    assert result["event_invoke_configs"] == [made[0]]
    assert run.calls() == ["GetFunctionEventInvokeConfig"]


@pytest.mark.parametrize(
    "form",
    [
        {"function_name": "no-such-function"},
        {"function_name": "{name}", "qualifier": "nope"},
        {"function_name": "{other}"},
    ],
    ids=["missing-function", "missing-qualifier", "function-without-configs"],
)
def test_missing_function_or_qualifier_is_an_empty_list(run, form):
    three_configs(run)
    names = {"name": run.world["functions"][0]["name"], "other": run.world["functions"][1]["name"]}
    result = run(module, **{key: value.format(**names) for key, value in form.items()})
    assert result["event_invoke_configs"] == [] and not result["failed"]


def test_feeding_every_entry_back_changes_nothing(run):
    three_configs(run)
    entries = run(module, function_name=run.world["functions"][0]["name"])["event_invoke_configs"]
    run.clear()
    for entry in entries:
        fed = {key: entry[key] for key in ("function_name", "qualifier", "destination_config")}
        fed.update({key: entry[key] for key in ("maximum_retry_attempts", "maximum_event_age_in_seconds")})
        result = run(main_module, **fed)
        assert result["changed"] is False, entry
        assert result["event_invoke_config"] == entry
    assert run.writes() == []


def test_more_than_one_page_of_configs_is_followed(run):
    client = lambda_client(run)
    name = run.world["functions"][1]["name"]
    aliases = [f"a{index:02d}" for index in range(55)]
    for alias in aliases:
        client.create_alias(FunctionName=name, Name=alias, FunctionVersion="1")
        client.put_function_event_invoke_config(FunctionName=name, Qualifier=alias, MaximumRetryAttempts=0)
    try:
        run.clear()
        result = run(module, function_name=name)
        assert [c["qualifier"] for c in result["event_invoke_configs"]] == aliases
        assert run.calls() == [LIST, LIST]  # 50 per page: the fewest calls for 55 configs
    finally:
        for alias in aliases:
            client.delete_function_event_invoke_config(FunctionName=name, Qualifier=alias)
            client.delete_alias(FunctionName=name, Name=alias)


def test_the_region_holds_every_functions_configs_sorted(run):
    _function, made = three_configs(run)
    other = put(run, run.world["functions"][1]["name"], "$LATEST", maximum_retry_attempts=2)
    run.clear()
    result = run(module, concurrency=4)
    mine = [c for c in result["event_invoke_configs"] if c["function_name"].startswith("m-")]
    assert mine == sorted([*made, other], key=lambda c: (c["function_name"], c["qualifier"]))
    calls = run.calls()
    assert calls.count("ListFunctions") == 1
    assert calls.count(LIST) == len(lambda_client(run).list_functions()["Functions"])


@pytest.mark.parametrize("check_destinations", [False, True])
def test_a_function_deleted_during_the_region_scan_is_skipped(run, monkeypatch, check_destinations):
    three_configs(run)
    real_functions = event_invoke_api.list_functions
    # The region scan reads each listed function's role and dead-letter target (the audit's), not just its name, so
    # the ghost is a listed item of a function that no longer exists.
    ghost = event_invoke_api.function_from_configuration(
        {"FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:deleted-meanwhile"},
        "deleted-meanwhile",
        "$LATEST",
    )

    def functions_with_a_ghost(client):
        yield ghost
        yield from real_functions(client)

    monkeypatch.setattr(event_invoke_api, "list_functions", functions_with_a_ghost)
    result = run(module, check_destinations=check_destinations)
    assert not result["failed"]
    # its list answered 404: no GetFunction, no finding (unlike a deleted alias, whose config is still listed)
    assert "deleted-meanwhile" not in [f["function_name"] for f in result.get("findings", [])]
    if check_destinations:  # one per config, and one per real function without a config (the audit's cost)
        configs = result["event_invoke_configs"]
        without = len(lambda_client(run).list_functions()["Functions"]) - len({c["function_name"] for c in configs})
        assert run.calls().count("GetFunction") == len(configs) + without
    assert len([c for c in result["event_invoke_configs"] if c["function_name"].startswith("m-")]) == 3


def test_region_scan_under_the_quota_finishes_without_failure(run):
    three_configs(run)
    run.emulator.set_faults(throttle_rps=15)
    try:
        result = run(module, concurrency=8)
    finally:
        run.emulator.set_faults(throttle_rps=0)
    assert not result["failed"]
    assert len([c for c in result["event_invoke_configs"] if c["function_name"].startswith("m-")]) == 3
    assert [entry for entry in run.emulator.requests() if entry["fault"]] == []  # paced, never throttled


def test_bad_input_is_refused_before_any_call(run):
    cases = [
        ({"qualifier": "live"}, "qualifier"),
        ({"function_name": "bad name"}, "function_name"),
        ({"function_name": "fn:live", "qualifier": "1"}, "qualifier"),
        ({"concurrency": 0}, "concurrency"),
        ({"rate_limit": -1}, "rate_limit"),
    ]
    for params, option in cases:
        run.clear()
        result = run(module, **params)
        assert result["failed"] and option in result["msg"], params
        assert run.calls() == [], params
