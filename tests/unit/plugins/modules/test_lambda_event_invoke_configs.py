"""lambda_event_invoke_configs end to end against the emulator: each state, scope, check mode, failures, and calls."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config as single
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_configs as module

GET_FUNCTION = "GetFunction"
LIST = "ListFunctionEventInvokeConfigs"
LIST_FUNCTIONS = "ListFunctions"
PUT = "PutFunctionEventInvokeConfig"
DELETE = "DeleteFunctionEventInvokeConfig"


def names(run) -> tuple[str, str]:
    return run.world["functions"][0]["name"], run.world["functions"][1]["name"]


def arn(run, resource: str) -> str:
    return run.world[resource]["arn"]


def apply(run, check=False, diff=False, **params):
    return run(module, check=check, diff=diff, **params)


def put(run, function_name, qualifier="$LATEST", **settings):
    result = run(single, function_name=function_name, qualifier=qualifier, **settings)
    assert result["changed"] and not result["failed"], result


def summary(result) -> list[tuple[str, str, str]]:
    return [(c["function_name"], c["qualifier"], c["action"]) for c in result["changes"]]


def without_time(changes: list[dict]) -> list[dict]:
    def strip(config: dict) -> dict:
        return {k: v for k, v in config.items() if k != "last_modified"}

    return [{**c, "before": strip(c["before"]), "after": strip(c["after"])} for c in changes]


# ---------------------------------------------------------------------------------------------- merged


def test_merged_with_a_glob_check_mode_predicts_the_real_run_then_converges(run):
    first, second = names(run)
    config = [
        {"function_name": "m-fn-*", "maximum_retry_attempts": 1, "on_failure": arn(run, "queue")},
        {"function_name": first, "qualifier": "live", "maximum_event_age_in_seconds": 600},
    ]
    predicted = apply(run, check=True, diff=True, config=config)
    assert not predicted["failed"] and predicted["changed"]
    assert summary(predicted) == [
        (first, "$LATEST", "created"),
        (first, "live", "created"),
        (second, "$LATEST", "created"),
    ]
    assert run.writes() == []
    calls = run.calls()
    assert calls.count(LIST_FUNCTIONS) == 1 and calls.count(LIST) == 2 and calls.count(GET_FUNCTION) == 3
    assert [check["outcome"] for check in predicted["preflight"]] == ["ok"]  # one queue, one role: checked once
    assert len(predicted["diff"]) == 3 and predicted["diff"][0]["before_header"] == f"{first}:$LATEST"

    run.clear()
    real = apply(run, config=config)
    assert without_time(real["changes"]) == without_time(predicted["changes"])
    assert sorted(run.calls()) == sorted([LIST_FUNCTIONS, LIST, LIST, PUT, PUT, PUT])

    run.clear()
    again = apply(run, config=config)
    assert again["changed"] is False and again["changes"] == []
    assert sorted(run.calls()) == sorted([LIST_FUNCTIONS, LIST, LIST])  # a no-change run only reads


def test_merged_keeps_unnamed_settings_and_configs_and_names_need_no_listing(run):
    first, _second = names(run)
    put(run, first, maximum_retry_attempts=2, maximum_event_age_in_seconds=900)
    put(run, first, "live", maximum_retry_attempts=0)
    run.clear()
    result = apply(run, config=[{"function_name": first, "maximum_retry_attempts": 1}])
    [change] = result["changes"]
    assert (change["action"], change["after"]["maximum_retry_attempts"]) == ("updated", 1)
    assert change["after"]["maximum_event_age_in_seconds"] == 900
    assert run.calls() == [LIST, PUT]  # no ListFunctions without a glob; live untouched


def test_a_later_entry_overrides_an_earlier_one_setting_by_setting(run):
    first, second = names(run)
    config = [
        {"function_name": "m-fn-*", "maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 60},
        {"function_name": second, "maximum_retry_attempts": 0},
    ]
    result = apply(run, config=config)
    after = {c["function_name"]: c["after"] for c in result["changes"]}
    assert (after[first]["maximum_retry_attempts"], after[first]["maximum_event_age_in_seconds"]) == (2, 60)
    assert (after[second]["maximum_retry_attempts"], after[second]["maximum_event_age_in_seconds"]) == (0, 60)


# ---------------------------------------------------------------------------------------------- replaced / overridden


def test_replaced_returns_unnamed_settings_to_aws_defaults(run):
    first, _second = names(run)
    put(run, first, maximum_retry_attempts=2, on_failure=arn(run, "queue"))
    result = apply(run, state="replaced", config=[{"function_name": first, "maximum_event_age_in_seconds": 120}])
    [change] = result["changes"]
    assert change["after"]["maximum_retry_attempts"] is None
    assert change["after"]["maximum_event_age_in_seconds"] == 120
    assert change["after"]["destination_config"] == {"on_success": {}, "on_failure": {}}
    assert (
        apply(run, state="replaced", config=[{"function_name": first, "maximum_event_age_in_seconds": 120}])["changed"]
        is False
    )


def test_overridden_deletes_what_no_entry_names_and_nothing_outside_scope(run):
    first, second = names(run)
    put(run, first, maximum_retry_attempts=1)
    put(run, first, "live", maximum_retry_attempts=1)
    put(run, second, maximum_retry_attempts=1)
    run.clear()
    params = {
        "state": "overridden",
        "scope": [first],
        "config": [{"function_name": first, "maximum_retry_attempts": 1}],
    }
    predicted = apply(run, check=True, **params)
    assert summary(predicted) == [(first, "live", "deleted")]
    real = apply(run, **params)
    assert real["changes"] == predicted["changes"]
    assert {entry["function_name"] for entry in run.emulator.requests() if entry["service"] == "lambda"} == {first}
    assert apply(run, **params)["changed"] is False
    # the second function was outside the scope: never read, never touched
    assert run(single, function_name=second, maximum_retry_attempts=1)["changed"] is False


# ---------------------------------------------------------------------------------------------- gathered / deleted


def test_gathered_applied_back_with_overridden_changes_nothing(run):
    first, second = names(run)
    put(run, first, maximum_retry_attempts=0, on_success=arn(run, "topic"))
    put(run, first, "1", maximum_event_age_in_seconds=60)
    put(run, second, "live", on_failure=arn(run, "bucket"))
    run.clear()
    gathered = apply(run, state="gathered", scope=["m-fn-*"])
    assert gathered["changed"] is False and run.writes() == []
    assert sorted(run.calls()) == sorted(["ListFunctions", LIST, LIST])
    assert gathered["gathered"] == [
        {"function_name": first, "qualifier": "$LATEST", "maximum_retry_attempts": 0, "on_success": arn(run, "topic")},
        {"function_name": first, "qualifier": "1", "maximum_event_age_in_seconds": 60},
        {"function_name": second, "qualifier": "live", "on_failure": arn(run, "bucket")},
    ]
    run.clear()
    applied = apply(run, state="overridden", scope=["m-fn-*"], config=gathered["gathered"])
    assert applied["changed"] is False and run.writes() == []


def test_deleted_with_no_config_deletes_every_config_in_scope_only(run):
    first, second = names(run)
    put(run, first, maximum_retry_attempts=0)
    put(run, first, "live", maximum_retry_attempts=0)
    put(run, second, maximum_retry_attempts=0)
    result = apply(run, state="deleted", scope=[first])
    assert summary(result) == [(first, "$LATEST", "deleted"), (first, "live", "deleted")]
    assert apply(run, state="deleted", scope=[first])["changed"] is False
    assert run(single, function_name=second, maximum_retry_attempts=0)["changed"] is False


def test_deleted_with_config_deletes_only_the_listed_configs(run):
    first, _second = names(run)
    put(run, first, maximum_retry_attempts=0)
    put(run, first, "live", maximum_retry_attempts=0)
    result = apply(run, state="deleted", config=[{"function_name": first, "qualifier": "live"}])
    assert summary(result) == [(first, "live", "deleted")]


# ---------------------------------------------------------------------------------------------- failures


def test_one_failure_does_not_stop_the_others_and_the_task_fails_listing_it(run):
    first, second = names(run)
    config = [
        {"function_name": first, "maximum_retry_attempts": 1},
        {"function_name": "no-such-function", "maximum_retry_attempts": 1},
        {"function_name": second, "qualifier": "nosuchalias", "maximum_retry_attempts": 1},
        {"function_name": second, "maximum_retry_attempts": 1},
    ]
    result = apply(run, config=config)
    assert result["failed"]
    assert summary(result) == [(first, "$LATEST", "created"), (second, "$LATEST", "created")]
    failed = {(f["function_name"], f["qualifier"]) for f in result["failed_configs"]}
    assert failed == {("no-such-function", "$LATEST"), (second, "nosuchalias")}
    assert "2 config(s) failed; 2 other change(s) were made" in result["msg"]
    assert ".;" not in result["msg"] and ".." not in result["msg"]
    # re-run: converges on what can converge, and fails again only for what cannot
    again = apply(run, config=config)
    assert again["failed"] and again["changes"] == []


def test_check_mode_fails_where_the_real_run_would_with_zero_writes(run):
    first, _second = names(run)
    missing_queue = arn(run, "queue") + "-typo"
    config = [
        {"function_name": first, "on_failure": missing_queue},
        {"function_name": first, "qualifier": "live", "maximum_retry_attempts": 0},
    ]
    predicted = apply(run, check=True, config=config)
    assert predicted["failed"] and run.writes() == []
    assert [(f["function_name"], f["qualifier"]) for f in predicted["failed_configs"]] == [(first, "$LATEST")]
    assert "does not exist" in predicted["failed_configs"][0]["error"]
    assert predicted["failed_configs"][0]["error"].endswith("a real run would fail the same way.")
    assert summary(predicted) == [(first, "live", "created")]


def not_granted_queue(run) -> str:
    """A queue that exists but that the fixture role is not granted sqs:SendMessage on."""
    sqs = run.emulator.client("sqs")
    url = sqs.create_queue(QueueName="m-not-granted")["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@pytest.mark.parametrize(
    ("destination", "cause", "reads"),
    [
        pytest.param(lambda run: arn(run, "queue") + "-typo", "does not exist", [GET_FUNCTION], id="missing"),
        # a denied role is this role's cause: the others' GetFunction (own quota) tells whether they share it
        pytest.param(not_granted_queue, "is not allowed", [GET_FUNCTION] * 4, id="role-denied"),
    ],
)
def test_one_refused_write_per_cause_and_one_sentence_for_it(run, destination, cause, reads):
    first, _second = names(run)
    bad = destination(run)
    config = [
        {"function_name": "m-fn-*", "on_failure": bad},
        {"function_name": "m-fn-*", "qualifier": "live", "on_failure": bad},
        {"function_name": first, "qualifier": "1", "on_failure": arn(run, "queue")},  # another destination goes on
    ]
    result = apply(run, config=config)
    assert result["failed"]
    assert run.calls().count(PUT) == 2  # the first write of the bad destination, and the good one
    assert sorted(c for c in run.calls() if c != PUT) == sorted([LIST, LIST, LIST_FUNCTIONS, *reads])
    assert summary(result) == [(first, "1", "created")]
    assert len(result["failed_configs"]) == 4  # one item per config
    assert result["msg"].count(cause) == 1 and "4 configs (" in result["msg"], result["msg"]
    assert sum("not retried" in f["error"] for f in result["failed_configs"]) == 1  # the refused write's own
    assert sum("Not written" in f["error"] for f in result["failed_configs"]) == 3


def test_a_failure_message_names_twenty_configs_per_cause_and_counts_the_rest():
    from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import Failure
    from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import failure_message

    failures = [Failure(f"fn-{i}", "$LATEST", f"own error {i}", "The queue does not exist.") for i in range(300)]
    failures.append(Failure("other", "live", "Throttled.", "Throttled."))
    message = failure_message(failures)
    assert message.startswith("300 configs (fn-0:$LATEST, ") and "fn-19:$LATEST and 280 more): The queue" in message
    assert "fn-20:" not in message and message.endswith("1 config (other:live): Throttled.")
    assert len(message) < 2048


def test_only_removing_on_a_qualifier_that_does_not_exist_fails_naming_it(run):
    first, _second = names(run)
    config = [{"function_name": first, "qualifier": "nosuchalias", "on_failure": ""}]
    for check in (True, False):
        run.clear()
        result = apply(run, check=check, config=config)
        assert result["failed"] and "qualifier nosuchalias does not exist" in result["msg"]
        assert run.calls() == [LIST, GET_FUNCTION] and run.writes() == []
    # an existing qualifier with no config: nothing to do, and no failure
    run.clear()
    ok = apply(run, config=[{"function_name": first, "qualifier": "live", "on_failure": ""}])
    assert not ok["failed"] and not ok["changed"] and run.calls() == [LIST, GET_FUNCTION]


def test_a_caller_that_may_not_call_get_function_gets_unverified_checks_and_one_warning(run):
    run.emulator.set_faults(denied_actions=["lambda:GetFunction"])
    result = apply(run, check=True, config=[{"function_name": "m-fn-*", "on_failure": arn(run, "queue")}])
    assert not result["failed"] and result["changed"]
    assert [c["outcome"] for c in result["preflight"]] == ["unverified"]
    assert [w for w in result["warnings"] if "lambda:GetFunction" in w] == result["warnings"]
    assert len(result["warnings"]) == 1


@pytest.mark.parametrize(
    ("params", "option"),
    [
        pytest.param({"state": "gathered"}, "scope", id="gathered-needs-scope"),
        pytest.param({"state": "deleted"}, "scope", id="deleted-needs-scope"),
        pytest.param(
            {"config": [{"function_name": "a", "maximum_retry_attempts": 3}]},
            "config[0].maximum_retry_attempts",
            id="range",
        ),
        pytest.param(
            {"config": [{"function_name": "a", "maximum_retry_attempts": True}]},
            "config[0].maximum_retry_attempts",
            id="bool",
        ),
        pytest.param(
            {"config": [{"function_name": "a b*", "maximum_retry_attempts": 1}]}, "config[0].function_name", id="glob"
        ),
        pytest.param(
            {"state": "overridden", "scope": ["x-*"], "config": [{"function_name": "a"}]}, "scope", id="scope"
        ),
    ],
)
def test_bad_input_is_refused_before_any_call(run, params, option):
    result = apply(run, **params)
    assert result["failed"] and result.get("option") == option, result
    assert run.calls() == []
