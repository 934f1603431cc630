"""lambda_event_invoke_configs end to end against the emulator: each state, scope, check mode, failures, and calls."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config as single
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config_info as info
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_configs as module
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

REGION = "us-east-1"  # the module tests' region (conftest)
GET_FUNCTION = "GetFunction"
LIST = "ListFunctionEventInvokeConfigs"
LIST_FUNCTIONS = "ListFunctions"
PUT = "PutFunctionEventInvokeConfig"
DELETE = "DeleteFunctionEventInvokeConfig"
OTHER_REGION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:m-fn-1"


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


def strip(config: dict) -> dict:
    return {k: v for k, v in config.items() if k != "last_modified"}


def without_time(changes: list[dict]) -> list[dict]:
    return [{**c, "before": strip(c["before"]), "after": strip(c["after"])} for c in changes]


def counts(created=0, updated=0, deleted=0, failed=0, unchanged=0) -> dict[str, int]:
    return {"created": created, "updated": updated, "deleted": deleted, "failed": failed, "unchanged": unchanged}


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
    # the create on the alias reads GetFunction first (issue 22: a missing one costs no refused write)
    assert sorted(run.calls()) == sorted([LIST_FUNCTIONS, LIST, LIST, GET_FUNCTION, PUT, PUT, PUT])

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


def test_deleted_naming_what_does_not_exist_warns_once_and_changes_nothing_else(run):
    """Issue 22: a typo in a deletion is said (once, grouped, with the region), never a silent "unchanged"."""
    first, _second = names(run)
    put(run, first, "live", maximum_retry_attempts=0)
    config = [
        {"function_name": "m-no-such-fn"},
        {"function_name": first, "qualifier": "nosuchalias"},
        {"function_name": first, "qualifier": "live"},
    ]
    for check in (True, False):
        result = apply(run, check=check, state="deleted", config=config)
        assert (result["changed"], result["failed"]) == (True, False)
        assert summary(result) == [(first, "live", "deleted")]
        (warning,) = result["warnings"]
        assert warning == (
            f"2 config(s) named for deletion are on a function or qualifier that does not exist in region us-east-1: "
            f"{first}:nosuchalias, m-no-such-fn:$LATEST; there is nothing to delete."
        )
    run.clear()
    # what was deleted a moment ago is simply gone: no warning for it
    again = apply(run, state="deleted", config=[{"function_name": first, "qualifier": "live"}])
    assert (again["changed"], again["warnings"]) == (False, [])
    assert run.writes() == []


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
    assert result["summary"] == counts(created=2, failed=2)
    # re-run: converges on what can converge, and fails again only for what cannot
    again = apply(run, config=config)
    assert again["failed"] and again["changes"] == []
    assert again["summary"] == counts(failed=2, unchanged=2)


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
    ("destination", "cause", "reads", "puts", "diagnosed"),
    [
        # a queue is read before a default real write (its KMS key, C19): missing (GetFunction tells the function's
        # account from another one the caller cannot see), no config is written at all
        pytest.param(lambda run: arn(run, "queue") + "-typo", "does not exist", [GET_FUNCTION] * 5, 1, 0, id="missing"),
        # a denied role is this role's cause: the others' GetFunction (own quota) tells whether they share it
        pytest.param(not_granted_queue, "is not allowed", [GET_FUNCTION] * 5, 2, 1, id="role-denied"),
    ],
)
def test_one_refused_write_per_cause_and_one_sentence_for_it(run, destination, cause, reads, puts, diagnosed):
    first, _second = names(run)
    bad = destination(run)
    config = [
        {"function_name": "m-fn-*", "on_failure": bad},
        {"function_name": "m-fn-*", "qualifier": "live", "on_failure": bad},
        {"function_name": first, "qualifier": "1", "on_failure": arn(run, "queue")},  # another destination goes on
    ]
    result = apply(run, config=config)
    assert result["failed"]
    assert run.calls().count(PUT) == puts  # at most the first write of the bad destination, and the good one
    assert sorted(c for c in run.calls() if c != PUT) == sorted([LIST, LIST, LIST_FUNCTIONS, *reads])
    assert summary(result) == [(first, "1", "created")]
    assert len(result["failed_configs"]) == 4  # one item per config
    assert result["msg"].count(cause) == 1 and "4 configs (" in result["msg"], result["msg"]
    assert sum("not retried" in f["error"] for f in result["failed_configs"]) == diagnosed  # the refused write's
    assert sum("Not written" in f["error"] for f in result["failed_configs"]) == 3 * diagnosed


def test_a_glob_with_a_qualifier_the_functions_lack_writes_nothing_and_says_it_once(run):
    """Issue 22: a glob with `qualifier: nosuchalias` over many functions: each create reads GetFunction (its own
    100/s quota) and none is a refused Put on the shared 15/s; the message is one cause, 20 names and a count."""
    clients = fixtures.Clients(run.emulator.endpoint_url, REGION)
    for i in range(22):
        fixtures.create_function(clients, f"m-glob-{i:02d}", run.world["role"]["arn"])
    run.clear()
    config = [{"function_name": "m-glob-*", "qualifier": "nosuchalias", "maximum_retry_attempts": 1}]
    for check in (True, False):
        result = apply(run, check=check, config=config)
        message = result["msg"]
        assert result["failed"] and len(result["failed_configs"]) == 22
        assert message.count("does not exist") == 1 and "region us-east-1" in message, message
        assert "22 configs (m-glob-00:nosuchalias, " in message and "m-glob-19:nosuchalias and 2 more)" in message
        assert "m-glob-20:" not in message and len(message) < 2048
    assert run.writes() == []
    assert run.calls().count(GET_FUNCTION) == 44  # one per config per run, on GetFunction's own quota


def test_a_queue_url_is_written_as_its_arn_and_the_same_task_again_changes_nothing(run):
    """Issue 21: the queue's URL (what CloudFormation's Ref gives) names the queue; the ARN is what is written,
    returned and compared, in both writing modules, with no call to learn it."""
    first, second = names(run)
    queue = arn(run, "queue")
    url = f"https://sqs.us-east-1.amazonaws.com/{queue.split(':')[4]}/{queue.split(':')[5]}"
    config = [{"function_name": first, "on_failure": url}]
    created = apply(run, config=config)
    assert [c["after"]["destination_config"]["on_failure"]["destination"] for c in created["changes"]] == [queue]
    assert apply(run, config=config)["changed"] is False
    single_run = run(single, function_name=second, on_failure=url)
    assert single_run["event_invoke_config"]["destination_config"]["on_failure"]["destination"] == queue
    run.clear()
    assert run(single, function_name=second, on_failure=url)["changed"] is False
    assert "GetQueueUrl" not in run.reads_elsewhere() and run.calls() == ["GetFunctionEventInvokeConfig"]


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
        # issue 16: no entries, for a state that writes them
        pytest.param({"config": []}, "config", id="merged-empty"),
        pytest.param({}, "config", id="merged-missing"),
        pytest.param({"state": "replaced", "config": []}, "config", id="replaced-empty"),
        pytest.param({"state": "overridden", "scope": ["m-fn-*"], "config": []}, "config", id="overridden-empty"),
        pytest.param({"state": "overridden"}, "config", id="overridden-neither"),
        # issue 16: the identity of returned configs
        pytest.param(
            {"config": [{"function_arn": "m-fn-1:live", "maximum_retry_attempts": 1}]},
            "config[0].function_arn",
            id="arn-form",
        ),
        pytest.param(
            {"config": [{"function_arn": f"{OTHER_REGION_ARN}:live", "maximum_retry_attempts": 1}]},
            "config[0].function_arn",
            id="arn-region",
        ),
        pytest.param(
            {"config": [{"function_name": "m-fn-1"}, {"function_name": OTHER_REGION_ARN, "maximum_retry_attempts": 1}]},
            "config[1].function_name",
            id="name-region",
        ),
        pytest.param(
            {"config": [{"qualifier": "live", "maximum_retry_attempts": 1}]},
            "config[0].function_name",
            id="no-function",
        ),
        # issue 16: what core cannot read as entries (an ad hoc -a "config=[...]" arrives as a string)
        pytest.param({"config": '[{"function_name":"m-fn-1","maximum_retry_attempts":1}]'}, "config", id="k=v"),
        pytest.param({"config": [3]}, "config[0]", id="not-a-dict"),
        # issue 20: kinds no registry entry has, refused from the ARN (a glob entry's too)
        pytest.param(
            {"config": [{"function_name": "m-fn-*", "on_success": "arn:aws:events:us-east-1:123456789012:rule/r"}]},
            "config[0].on_success",
            id="events-rule",
        ),
        pytest.param(
            {"config": [{"function_name": "m-fn-1", "on_failure": "arn:aws:lambda:us-east-1:123456789012:layer:l:1"}]},
            "config[0].on_failure",
            id="lambda-layer",
        ),
        pytest.param(
            {"config": [{"function_name": "m-fn-1", "on_failure": "arn:aws:s3:::bucket/records/x"}]},
            "config[0].on_failure",
            id="s3-object",
        ),
    ],
)
def test_bad_input_is_refused_before_any_call(run, params, option):
    result = apply(run, **params)
    assert result["failed"] and result.get("option") == option, result
    assert run.calls() == [] and run.reads_elsewhere() == []


def test_an_empty_config_is_refused_saying_how_to_empty_a_scope(run):
    """Issue 16: overridden with config: [] used to delete every config in scope."""
    first, _second = names(run)
    put(run, first, maximum_retry_attempts=1)
    run.clear()
    result = apply(run, state="overridden", scope=["m-fn-*"], config=[])
    assert result["failed"] and result["option"] == "config" and run.calls() == []
    assert "would delete every config in scope" in result["msg"]
    assert 'state: deleted with scope (scope: ["*"] is the whole region)' in result["msg"]
    assert run(single, function_name=first, maximum_retry_attempts=1)["changed"] is False  # still there


def test_a_list_given_as_a_string_is_refused_naming_config_and_showing_the_json_form(run):
    """What `ansible -m ... -a 'config=[{"function_name":"x"}]'` hands the module: core would say only "dictionary
    requested, could not parse JSON or key=value"."""
    result = apply(run, config='[{"function_name":"m-fn-1","maximum_retry_attempts":1}]')
    assert result["failed"] and result["option"] == "config" and run.calls() == []
    assert result["msg"].startswith("config arrived as the string '[{")
    assert """-a '{"config": [{"function_name": "my-function", "maximum_retry_attempts": 1}]}'""" in result["msg"]
    # a string core does read as one entry (key=value) is still an entry
    read = apply(run, check=True, config="function_name=m-fn-1 maximum_retry_attempts=1")
    assert not read["failed"] and summary(read) == [("m-fn-1", "$LATEST", "created")]


# ---------------------------------------------------------------------------------------------- scope warnings


def test_a_scope_glob_that_matches_nothing_and_a_missing_name_in_scope_warn_without_extra_calls(run):
    first, _second = names(run)
    put(run, first, maximum_retry_attempts=1)
    run.clear()
    result = apply(
        run,
        state="overridden",
        scope=["m-fn-*", "m-fnn-*"],
        config=[{"function_name": first, "maximum_retry_attempts": 1}],
    )
    assert (result["changed"], result["failed"]) == (False, False)
    assert result["warnings"] == ["scope[1] 'm-fnn-*' matches no function; nothing is read or deleted for it."]
    assert sorted(run.calls()) == sorted([LIST_FUNCTIONS, LIST, LIST])

    run.clear()
    gathered = apply(run, state="gathered", scope=[first, "m-no-such-fn"])
    assert gathered["warnings"] == [
        "scope[1] 'm-no-such-fn' matches no function in region us-east-1; nothing is read or deleted for it."
    ]
    assert run.calls() == [LIST, LIST]  # no ListFunctions: the 404 of the name's own read tells it

    run.clear()
    merged = apply(run, scope=["m-fnn-*"], config=[{"function_name": "m-fn-*", "maximum_retry_attempts": 1}])
    assert merged["warnings"] == [
        "config[0].function_name 'm-fn-*' matches no function; nothing is changed for it.",
        "scope[0] 'm-fnn-*' matches no function; nothing is read or deleted for it.",
    ]
    assert run.calls() == [LIST_FUNCTIONS]


# ---------------------------------------------------------------------------------------------- returned configs


@pytest.mark.parametrize(
    ("state", "scope", "reads"),
    [
        pytest.param("merged", None, [LIST, LIST], id="merged"),
        pytest.param("replaced", None, [LIST, LIST], id="replaced"),
        pytest.param("overridden", ["m-fn-*"], [LIST, LIST, LIST_FUNCTIONS], id="overridden"),
    ],
)
def test_info_output_applied_back_changes_nothing(run, state, scope, reads):
    """Issue 16: lambda_event_invoke_config_info's items are config entries as they are."""
    first, second = names(run)
    put(run, first, maximum_retry_attempts=0, on_success=arn(run, "topic"))
    put(run, first, "live", maximum_event_age_in_seconds=60)
    put(run, second, on_failure=arn(run, "queue"))
    items = [item for name in (first, second) for item in run(info, function_name=name)["event_invoke_configs"]]
    assert len(items) == 3 and all(item["function_arn"] and item["last_modified"] for item in items)
    run.clear()
    result = apply(run, state=state, scope=scope, config=items)
    assert (result["changed"], result["changes"], result["failed"]) == (False, [], False)
    assert sorted(run.calls()) == reads and run.writes() == []
    assert result["summary"] == counts(unchanged=3)
    assert result["msg"] == "3 configs: 0 created, 0 updated, 0 deleted, 3 unchanged"


def test_audited_info_output_applied_back_changes_nothing(run):
    """Items read with check_destinations carry destination_checks: still an entry as it is."""
    first, _second = names(run)
    put(run, first, on_failure=arn(run, "queue"))
    items = run(info, function_name=first, check_destinations=True)["event_invoke_configs"]
    assert [len(item["destination_checks"]) for item in items] == [1]
    run.clear()
    result = apply(run, state="overridden", scope=[first], config=items)
    assert (result["changed"], result["failed"]) == (False, False), result.get("msg")
    assert run.calls() == [LIST] and run.writes() == []


def test_changes_after_applied_back_changes_nothing_and_before_undoes_the_change(run):
    """Issue 16: changes[].before and .after are config entries as they are, predicted (check mode) or real."""
    first, second = names(run)
    put(run, first, maximum_retry_attempts=0, maximum_event_age_in_seconds=600)
    config = [
        {"function_name": "m-fn-*", "maximum_retry_attempts": 1, "on_failure": arn(run, "queue")},
        {"function_name": second, "qualifier": "live", "maximum_event_age_in_seconds": 120},
    ]
    predicted = apply(run, check=True, config=config)
    real = apply(run, config=config)
    assert summary(real) == [(first, "$LATEST", "updated"), (second, "$LATEST", "created"), (second, "live", "created")]
    for source in (predicted, real):
        afters = [change["after"] for change in source["changes"]]
        for state in ("merged", "replaced"):
            run.clear()
            result = apply(run, state=state, config=afters)
            assert (result["changed"], result["failed"]) == (False, False), (state, result)
            assert sorted(run.calls()) == [LIST, LIST] and run.writes() == []

    run.clear()
    [before] = [change["before"] for change in real["changes"] if change["action"] == "updated"]
    undone = apply(run, state="replaced", config=[before])
    assert [strip(change["after"]) for change in undone["changes"]] == [strip(before)]
    assert run.calls() == [LIST, PUT]


def test_gathered_entry_of_a_config_with_no_setting_applied_with_merged_changes_nothing(run):
    """Issue 16: gathered's entry of a config with nothing set names no setting; merged used to refuse it."""
    first, _second = names(run)
    put(run, first, "live", maximum_retry_attempts=0)
    emptied = apply(run, state="replaced", config=[{"function_name": first, "qualifier": "live"}])
    assert summary(emptied) == [(first, "live", "updated")]
    gathered = apply(run, state="gathered", scope=[first])["gathered"]
    assert gathered == [{"function_name": first, "qualifier": "live"}]
    run.clear()
    result = apply(run, config=gathered)
    assert (result["changed"], result["failed"]) == (False, False)
    assert run.calls() == [LIST]


# ---------------------------------------------------------------------------------------------- summary


def test_summary_and_message_count_each_config_once_in_check_mode_and_for_real(run):
    first, second = names(run)
    put(run, first, maximum_retry_attempts=1)  # unchanged
    put(run, first, "live", maximum_retry_attempts=1)  # deleted: in scope, no entry names it
    put(run, second, maximum_retry_attempts=2)  # updated
    params = {
        "state": "overridden",
        "scope": ["m-fn-*"],
        "config": [
            {"function_name": "m-fn-*", "maximum_retry_attempts": 1},
            {"function_name": second, "qualifier": "live", "maximum_retry_attempts": 0},  # created
        ],
    }
    predicted = apply(run, check=True, **params)
    real = apply(run, **params)
    assert predicted["summary"] == real["summary"] == counts(created=1, updated=1, deleted=1, unchanged=1)
    assert predicted["msg"] == "4 configs: would create 1, update 1, delete 1; 1 unchanged"  # nothing was created
    assert real["msg"] == "4 configs: 1 created, 1 updated, 1 deleted, 1 unchanged"
    again = apply(run, **params)
    assert again["summary"] == counts(unchanged=3)
    assert again["msg"] == "3 configs: 0 created, 0 updated, 0 deleted, 3 unchanged"
    assert apply(run, state="gathered", scope=["m-fn-*"])["msg"] == "3 configs gathered"
    assert apply(run, state="deleted", scope=[first])["msg"] == "1 config: 0 created, 0 updated, 1 deleted, 0 unchanged"
