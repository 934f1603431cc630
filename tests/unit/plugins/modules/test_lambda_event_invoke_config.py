"""lambda_event_invoke_config end to end against the emulator: results, changed, diff, and the exact API calls."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config as module

GET = "GetFunctionEventInvokeConfig"
PUT = "PutFunctionEventInvokeConfig"
DELETE = "DeleteFunctionEventInvokeConfig"
GET_FUNCTION = "GetFunction"


def fn(run) -> dict:
    return run.world["functions"][0]


def arn(run, resource: str) -> str:
    return run.world[resource]["arn"]


def present(run, check: bool = False, diff: bool = False, **params):
    params.setdefault("function_name", fn(run)["name"])
    return run(module, check=check, diff=diff, **params)


# ---------------------------------------------------------------------------------------------- create / update


def test_create_returns_the_config_and_makes_one_read_and_one_write(run):
    result = present(run, maximum_retry_attempts=1, on_failure=arn(run, "queue"))
    assert result["changed"] is True and not result["failed"]
    config = result["event_invoke_config"]
    assert config["function_arn"] == f"{fn(run)['arn']}:$LATEST"
    assert config["function_name"] == fn(run)["name"]
    assert config["qualifier"] == "$LATEST"
    assert config["maximum_retry_attempts"] == 1
    assert config["maximum_event_age_in_seconds"] is None  # unset is reported as unset, not AWS's default (C3)
    assert config["destination_config"] == {"on_success": {}, "on_failure": {"destination": arn(run, "queue")}}
    assert isinstance(config["last_modified"], str) and "T" in config["last_modified"]
    assert run.calls() == [GET, PUT]


def test_nothing_to_change_makes_exactly_one_read(run):
    present(run, maximum_retry_attempts=0, maximum_event_age_in_seconds=600)
    run.clear()
    result = present(run, maximum_retry_attempts=0, maximum_event_age_in_seconds=600)
    assert result["changed"] is False
    assert result["event_invoke_config"]["maximum_retry_attempts"] == 0  # 0 is a value, not "unset"
    assert run.calls() == [GET]


def test_update_keeps_every_setting_the_task_does_not_name(run):
    present(run, maximum_retry_attempts=2, on_success=arn(run, "topic"), on_failure=arn(run, "queue"))
    run.clear()
    result = present(run, maximum_event_age_in_seconds=120)
    config = result["event_invoke_config"]
    assert result["changed"] is True
    assert (config["maximum_retry_attempts"], config["maximum_event_age_in_seconds"]) == (2, 120)
    assert config["destination_config"] == {
        "on_success": {"destination": arn(run, "topic")},
        "on_failure": {"destination": arn(run, "queue")},
    }
    assert run.calls() == [GET, PUT]  # no re-read: Put's response is the result


def test_empty_string_removes_one_destination_and_keeps_the_other(run):
    present(run, on_success=arn(run, "topic"), on_failure=arn(run, "queue"), maximum_retry_attempts=1)
    result = present(run, on_success="")
    config = result["event_invoke_config"]
    assert result["changed"] is True
    assert config["destination_config"] == {"on_success": {}, "on_failure": {"destination": arn(run, "queue")}}
    assert config["maximum_retry_attempts"] == 1
    assert present(run, on_success="")["changed"] is False


@pytest.mark.parametrize(
    "halves, expected_success, expected_failure",
    [
        ({"on_success": {"destination": None}}, None, "queue"),
        ({"on_success": {"destination": ""}}, None, "queue"),
        ({"on_success": {}}, None, "queue"),
        ({"on_failure": {"destination": None}}, "topic", None),
        ({}, "topic", "queue"),
    ],
    ids=["success-null", "success-empty", "success-no-key", "failure-null", "nothing-named"],
)
def test_destination_config_half_without_destination_removes_it_and_a_missing_half_is_kept(
    run, halves, expected_success, expected_failure
):
    present(run, on_success=arn(run, "topic"), on_failure=arn(run, "queue"))
    result = present(run, destination_config=halves, maximum_retry_attempts=0)
    halves_after = result["event_invoke_config"]["destination_config"]
    assert halves_after["on_success"].get("destination") == (arn(run, expected_success) if expected_success else None)
    assert halves_after["on_failure"].get("destination") == (arn(run, expected_failure) if expected_failure else None)


def test_removing_the_last_setting_leaves_an_empty_config(run):
    present(run, on_failure=arn(run, "queue"))
    result = present(run, on_failure="")
    assert result["changed"] is True
    assert result["event_invoke_config"]["destination_config"] == {"on_success": {}, "on_failure": {}}
    assert present(run, on_failure="")["changed"] is False


def test_s3_is_accepted_for_on_failure(run):
    result = present(run, on_failure=arn(run, "bucket"))
    assert result["event_invoke_config"]["destination_config"]["on_failure"] == {"destination": arn(run, "bucket")}


# ---------------------------------------------------------------------------------------------- qualifiers / forms


def test_alias_version_and_latest_are_separate_configs(run):
    present(run, maximum_retry_attempts=0)
    present(run, qualifier="live", maximum_retry_attempts=1)
    present(run, qualifier="1", maximum_retry_attempts=2)
    for qualifier, retries in (("$LATEST", 0), ("live", 1), ("1", 2)):
        result = present(run, qualifier=qualifier, maximum_retry_attempts=retries)
        assert result["changed"] is False
        assert result["event_invoke_config"]["function_arn"] == f"{fn(run)['arn']}:{qualifier}"
        assert result["event_invoke_config"]["qualifier"] == qualifier


# Every FunctionName form AWS accepts (C10), with {name}, {arn}, {account} and {q} filled in when the case runs.
FORMS = [
    {"function_name": "{name}", "qualifier": "{q}"},
    {"function_name": "{name}:{q}"},
    {"function_name": "{name}:{q}", "qualifier": "{q}"},
    {"function_name": "{arn}", "qualifier": "{q}"},
    {"function_name": "{arn}:{q}"},
    {"function_name": "{account}:function:{name}", "qualifier": "{q}"},
    {"function_name": "{account}:function:{name}:{q}"},
]
LATEST_FORMS = [{"function_name": "{name}"}, {"function_name": "{arn}"}]  # no qualifier at all means $LATEST (C9)


@pytest.mark.parametrize(
    ("qualifier", "form"),
    [(q, form) for q in ("$LATEST", "live", "1") for form in FORMS] + [("$LATEST", form) for form in LATEST_FORMS],
)
def test_every_function_name_form_addresses_the_same_config(run, qualifier, form):
    present(run, qualifier=qualifier, maximum_event_age_in_seconds=300)
    run.clear()
    values = {"name": fn(run)["name"], "arn": fn(run)["arn"], "account": fn(run)["arn"].split(":")[4], "q": qualifier}
    result = present(run, maximum_event_age_in_seconds=300, **{k: v.format(**values) for k, v in form.items()})
    assert result["changed"] is False
    assert result["event_invoke_config"]["function_arn"] == f"{fn(run)['arn']}:{qualifier}"
    assert run.calls() == [GET]


# ---------------------------------------------------------------------------------------------- check and diff


def test_check_mode_create_predicts_the_real_result_and_only_reads(run):
    params = {"qualifier": "live", "maximum_retry_attempts": 1, "on_success": arn(run, "topic")}
    predicted = present(run, check=True, diff=True, **params)
    assert predicted["changed"] is True
    assert run.writes() == []
    assert run.calls() == [GET, "GetFunction"]  # GetFunction has its own quota; it supplies the qualified ARN
    assert present(run, check=True, **params)["changed"] is True  # still nothing written
    real = present(run, diff=True, **params)
    without_time = {key: value for key, value in real["event_invoke_config"].items() if key != "last_modified"}
    assert {k: v for k, v in predicted["event_invoke_config"].items() if k != "last_modified"} == without_time
    assert predicted["event_invoke_config"]["last_modified"] is None
    assert predicted["diff"] == real["diff"]
    after = {**without_time, "maximum_event_age_in_seconds": "unset (AWS default 21600)"}
    header = f"{fn(run)['name']}:live"
    assert real["diff"] == {"before": {}, "after": after, "before_header": header, "after_header": header}


def test_check_mode_update_is_exact_and_only_reads(run):
    present(run, maximum_retry_attempts=1, on_failure=arn(run, "queue"))
    run.clear()
    predicted = present(run, check=True, diff=True, maximum_retry_attempts=2)
    assert predicted["changed"] is True
    assert run.calls() == [GET]
    assert predicted["diff"]["before"]["maximum_retry_attempts"] == 1
    assert predicted["diff"]["after"]["maximum_retry_attempts"] == 2
    assert predicted["diff"]["after"]["destination_config"]["on_failure"] == {"destination": arn(run, "queue")}
    assert present(run, check=True, maximum_retry_attempts=1)["changed"] is False


def test_check_mode_create_on_a_missing_qualifier_fails_like_a_real_run(run):
    checked = present(run, check=True, qualifier="nosuchalias", maximum_retry_attempts=1)
    real = present(run, qualifier="nosuchalias", maximum_retry_attempts=1)
    assert checked["failed"] and real["failed"]
    for result in (checked, real):  # both name the target, not only AWS's "The function doesn't exist."
        assert f"The function {fn(run)['name']} or its qualifier nosuchalias does not exist" in result["msg"]
        assert result["error"]["code"] == "ResourceNotFoundException"
    assert "a real run would fail the same way" in checked["msg"]
    # Issue 22: a create on a version or alias reads GetFunction (its own 100/s quota) before it writes, so one that
    # does not exist costs no refused Put on the shared 15/s.
    assert run.writes() == []
    run.clear()
    present(run, qualifier="nosuchalias", maximum_retry_attempts=1)
    assert run.calls() == [GET, GET_FUNCTION]


# ---------------------------------------------------------------------------------------------- absent


def test_absent_deletes_then_is_idempotent(run):
    present(run, qualifier="live", maximum_retry_attempts=0)
    run.clear()
    checked = present(run, check=True, diff=True, qualifier="live", state="absent")
    assert checked["changed"] is True and checked["event_invoke_config"] == {}
    assert checked["diff"]["after"] == {} and checked["diff"]["before"]["qualifier"] == "live"
    assert run.calls() == [GET]
    run.clear()
    assert present(run, qualifier="live", state="absent")["changed"] is True
    assert run.calls() == [GET, DELETE]
    run.clear()
    gone = present(run, qualifier="live", state="absent")
    assert gone["changed"] is False and not gone.get("warnings")
    # No config to delete: one GetFunction tells "already gone" from "no such alias" (issue 22, a typo warns).
    assert run.calls() == [GET, GET_FUNCTION]
    assert present(run, qualifier="live", check=True, state="absent")["changed"] is False


def test_absent_on_a_missing_qualifier_warns_that_there_is_nothing_to_delete(run):
    result = present(run, qualifier="nosuchalias", state="absent")
    assert result["changed"] is False and not result["failed"]
    (warning,) = result["warnings"]
    assert "qualifier nosuchalias does not exist" in warning and "There is nothing to delete." in warning
    assert run.writes() == []


def test_absent_on_a_missing_function_is_not_a_failure(run):
    result = present(run, function_name="no-such-function", state="absent")
    assert result["changed"] is False and not result["failed"]
    assert result["event_invoke_config"] == {}
    (warning,) = result["warnings"]  # a typo in the name is said once, never a silent "unchanged" (issue 22)
    assert "no-such-function" in warning and "does not exist" in warning and "nothing to delete" in warning


# ---------------------------------------------------------------------------------------------- failures


def test_nothing_to_set_and_no_config_fails_without_writing(run):
    result = present(run)
    assert result["failed"] and "sets nothing" in result["msg"]
    assert run.calls() == [GET]


@pytest.mark.parametrize("check", [False, True])
def test_only_removing_destinations_where_no_config_exists_is_ok_and_unchanged(run, check):
    """The destination is already absent: there is nothing to do, so nothing fails and nothing is written. Get's 404
    cannot tell a missing config from a missing function (C7): GetFunction tells."""
    result = present(run, check=check, on_success="", destination_config=None)
    assert not result["failed"] and result["changed"] is False
    assert result["event_invoke_config"] == {}
    result = present(run, check=check, destination_config={"on_failure": {}})
    assert not result["failed"] and result["changed"] is False
    assert run.calls() == [GET, "GetFunction", GET, "GetFunction"]


@pytest.mark.parametrize("check", [False, True])
@pytest.mark.parametrize(
    ("function_name", "qualifier"), [("no-such-function", None), (None, "no-such-alias")], ids=["function", "alias"]
)
def test_only_removing_on_a_missing_function_or_qualifier_fails_naming_it(run, check, function_name, qualifier):
    name = function_name or fn(run)["name"]
    result = present(run, check=check, function_name=name, qualifier=qualifier, on_failure="")
    assert result["failed"] and not result.get("changed")
    assert f"The function {name} or its qualifier {qualifier or '$LATEST'} does not exist" in result["msg"]
    assert ("a real run would fail the same way" in result["msg"]) is check
    assert run.calls() == [GET, "GetFunction"] and run.writes() == []


def test_a_caller_that_may_not_call_get_function_gets_unverified_and_one_warning_in_check_mode(run):
    run.emulator.set_faults(denied_actions=["lambda:GetFunction"])
    result = present(run, check=True, on_failure=arn(run, "queue"), on_success=arn(run, "topic"))
    assert result["changed"] is True and not result["failed"]
    assert [(c["exists"], c["allowed"], c["outcome"]) for c in result["preflight"]] == [(True, None, "unverified")] * 2
    assert "lambda:GetFunction" in result["preflight"][0]["message"]
    assert len(result["warnings"]) == 1 and "lambda:GetFunction" in result["warnings"][0]
    assert result["event_invoke_config"]["function_arn"] is None  # GetFunction gives a new config's ARN
    assert run.writes() == []


def test_a_refused_write_whose_diagnosis_may_not_call_get_function_still_fails_naming_the_cause(run):
    """The existence read does not need the role: a mistyped event bus (not read before a default real write) is
    still told, with AWS's own message."""
    run.emulator.set_faults(denied_actions=["lambda:GetFunction"])
    bus = arn(run, "event_bus") + "-typo"
    result = present(run, on_failure=bus, retry_timeout=5)
    assert result["failed"] and "is invalid" in result["msg"] and "does not exist in region" in result["msg"]
    assert "AccessDenied" not in result["msg"]
    assert run.calls() == [GET, PUT, "GetFunction"]
    assert run.reads_elsewhere() == ["events:DescribeEventBus"]


def test_a_missing_function_fails_with_aws_message(run):
    result = present(run, function_name="no-such-function", maximum_retry_attempts=1)
    assert result["failed"]
    # the region it looked in: a typo in region fails exactly like a missing function (issue 22)
    assert "The function no-such-function or its qualifier $LATEST does not exist in region us-east-1 " in result["msg"]
    assert "PutFunctionEventInvokeConfig returned ResourceNotFoundException" in result["msg"]
    assert result["error"]["code"] == "ResourceNotFoundException"


# (id, params, option at fault). Placeholders in braces are filled from the world when the case runs: {name},
# {arn} (the first function's), {queue}, {topic}, {bucket} (destinations' ARNs).
BAD_INPUTS = [
    ("retries-high", {"maximum_retry_attempts": 3}, "maximum_retry_attempts"),
    ("retries-negative", {"maximum_retry_attempts": -1}, "maximum_retry_attempts"),
    ("age-low", {"maximum_event_age_in_seconds": 59}, "maximum_event_age_in_seconds"),
    ("age-high", {"maximum_event_age_in_seconds": 21601}, "maximum_event_age_in_seconds"),
    ("s3-on-success", {"on_success": "{bucket}"}, "on_success"),
    ("iam-destination", {"on_failure": "arn:aws:iam::123456789012:role/x"}, "on_failure"),
    ("not-an-arn", {"on_failure": "https://example.com/123456789012/q"}, "on_failure"),
    ("self-destination", {"on_success": "{arn}"}, "on_success"),
    ("self-destination-alias", {"on_failure": "{arn}:live"}, "on_failure"),
    ("conflicting-qualifier", {"function_name": "{name}:live", "qualifier": "1"}, "qualifier"),
    ("bad-qualifier", {"qualifier": "bad qual!"}, "qualifier"),
    ("empty-name", {"function_name": ""}, "function_name"),
    ("long-name", {"function_name": "f" * 65}, "function_name"),
    ("bad-name", {"function_name": "my function"}, "function_name"),
    ("arn-other-region", {"function_name": "arn:aws:lambda:eu-west-1:123456789012:function:{name}"}, "function_name"),
    ("absent-with-settings", {"state": "absent", "maximum_retry_attempts": 1}, "maximum_retry_attempts"),
    ("profile-and-keys", {"profile": "prod"}, "profile"),
    ("max-attempts-zero", {"max_attempts": 0}, "max_attempts"),
    ("retries-boolean", {"maximum_retry_attempts": True}, "maximum_retry_attempts"),
    ("age-boolean", {"maximum_event_age_in_seconds": False}, "maximum_event_age_in_seconds"),
    ("max-attempts-boolean", {"max_attempts": True}, "max_attempts"),  # a connection option: once 1 attempt, silently
    ("retry-timeout-boolean", {"retry_timeout": True}, "retry_timeout"),
    # kinds no registry entry has: refused from the ARN, naming the form Lambda wants
    ("events-rule", {"on_success": "arn:aws:events:us-east-1:123456789012:rule/nightly"}, "on_success"),
    ("lambda-layer", {"on_failure": "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"}, "on_failure"),
    ("sns-subscription", {"on_failure": "{topic}:0b3c1c2e-8b8a-4f5e-9a55-1d4c0e2f3a4b"}, "on_failure"),
    ("s3-object", {"on_failure": "{bucket}/records/x.json"}, "on_failure"),
    ("s3-access-point", {"on_failure": "arn:aws:s3:us-east-1:123456789012:accesspoint/ap"}, "on_failure"),
    ("aws-config-type", {"aws_config": {"retries": "x"}}, "aws_config"),
    ("purge-with-absent", {"state": "absent", "purge": True}, "purge"),
]


def filled(run, params: dict) -> dict:
    world = {"name": fn(run)["name"], "arn": fn(run)["arn"], **{k: arn(run, k) for k in ("queue", "topic", "bucket")}}
    return {k: v.format(**world) if isinstance(v, str) else v for k, v in params.items()}


@pytest.mark.parametrize(("case", "params", "option"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_is_refused_before_any_api_call(run, case, params, option):
    params = filled(run, params)
    if not case.startswith(("absent", "purge")):
        params = {"maximum_retry_attempts": 1, **params}
    result = present(run, **params)
    assert result["failed"]
    assert option in result["msg"], result["msg"]
    assert result.get("option") in (option, None)
    assert run.calls() == []


@pytest.mark.parametrize("check", [True, False], ids=["check-mode", "real-run"])
def test_two_wrong_halves_are_named_in_one_message_before_any_call(run, check):
    rule, layer = "arn:aws:events:us-east-1:123456789012:rule/x", "arn:aws:lambda:us-east-1:123456789012:layer:l:1"
    result = present(run, check=check, on_success=rule, on_failure=layer)
    assert result["failed"] and rule in result["msg"] and layer in result["msg"] and "event-bus/NAME" in result["msg"]
    assert run.calls() == [] and run.reads_elsewhere() == []


def fifo_queue_the_role_may_use(run) -> str:
    """A FIFO queue whose policy lets the function's role send: what another tool may have set (AWS accepts it)."""
    role = run.emulator.client("lambda").get_function(FunctionName=fn(run)["name"])["Configuration"]["Role"]
    sqs = run.emulator.client("sqs")
    policy = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": role}, "Action": "sqs:SendMessage"}]}
    url = sqs.create_queue(QueueName="m-jobs.fifo", Attributes={"FifoQueue": "true", "Policy": json.dumps(policy)})
    return sqs.get_queue_attributes(QueueUrl=url["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_a_new_fifo_destination_is_refused_in_both_modes_and_one_already_there_is_no_change(run):
    """C11: Lambda accepts a FIFO queue at write time and drops every record. A new one is refused (one read, no
    write, the same in check mode and a real run); one another tool wrote is restated without a change."""
    fifo = fifo_queue_the_role_may_use(run)
    for check in (True, False):
        run.clear()
        result = present(run, check=check, on_failure=fifo)
        assert result["failed"] and fifo in result["msg"] and "FIFO queue" in result["msg"], result["msg"]
        assert result["preflight"][0]["outcome"] == "unsupported"
        assert run.calls() == [GET] and run.reads_elsewhere() == []
    run.emulator.client("lambda").put_function_event_invoke_config(
        FunctionName=fn(run)["name"], DestinationConfig={"OnFailure": {"Destination": fifo}}
    )
    run.clear()
    kept = present(run, on_failure=fifo, maximum_retry_attempts=None)
    assert kept["changed"] is False and run.calls() == [GET]
    changed = present(run, maximum_retry_attempts=1)  # another setting: the FIFO destination is kept, not new
    assert changed["changed"] is True and changed["event_invoke_config"]["destination_config"]["on_failure"] == {
        "destination": fifo
    }


def test_mutually_exclusive_options_are_refused(run):
    result = present(run, on_success=arn(run, "topic"), destination_config={"on_failure": {"destination": ""}})
    assert result["failed"] and "mutually exclusive" in result["msg"]
    assert run.calls() == []


def test_no_region_anywhere_is_a_clear_failure(run, monkeypatch, tmp_path):
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    result = present(run, region=None, maximum_retry_attempts=1)
    assert result["failed"] and "No AWS region" in result["msg"] and result["option"] == "region"
    assert run.calls() == []


# ---------------------------------------------------------------------------------------------- faults


def test_conflicts_and_throttling_are_retried_until_the_write_lands(run):
    run.emulator.set_faults(conflict_rate=0.5, throttle_rate=0.3, seed=7)
    result = present(run, maximum_retry_attempts=0, on_failure=arn(run, "queue"), retry_timeout=30)
    run.emulator.set_faults(conflict_rate=0.0, throttle_rate=0.0)
    assert result["changed"] is True and not result["failed"]
    assert present(run, maximum_retry_attempts=0, on_failure=arn(run, "queue"))["changed"] is False


def test_permanent_throttling_fails_after_max_attempts_saying_so(run):
    run.emulator.set_faults(throttle_rate=1.0)
    result = present(run, maximum_retry_attempts=0, max_attempts=3)
    run.emulator.set_faults(throttle_rate=0.0)
    assert result["failed"]
    assert "throttled" in result["msg"] and "3 attempts" in result["msg"]
    assert result["error"]["code"] == "TooManyRequestsException"
    assert run.calls() == [GET, GET, GET]


def test_destination_propagation_errors_are_diagnosed_once_then_retried_within_retry_timeout(run):
    """The queue exists and the role may use it, so "The destination ARN ... is invalid." is propagation."""
    run.emulator.set_faults(propagation_failures=2)
    result = present(run, on_failure=arn(run, "queue"), retry_timeout=20)
    assert result["changed"] is True and not result["failed"]
    assert run.calls() == [GET, PUT, "GetFunction", PUT, PUT]
    assert run.reads_elsewhere() == ["sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"]


def test_a_conflict_that_never_clears_gives_up_at_retry_timeout_and_says_why(run):
    run.emulator.set_faults(conflict_rate=1.0)
    result = present(run, maximum_retry_attempts=1, retry_timeout=1)
    run.emulator.set_faults(conflict_rate=0.0)
    assert result["failed"]
    assert "ResourceConflictException" in result["msg"] and "concurrent update" in result["msg"]
    assert "retry_timeout" in result["msg"]
    assert run.calls()[0] == GET and set(run.calls()[1:]) == {PUT} and len(run.calls()) >= 3


# ---------------------------------------------------------------------------------------------- purge


def test_purge_makes_the_config_exactly_what_the_task_names(run):
    present(run, maximum_retry_attempts=2, maximum_event_age_in_seconds=600, on_failure=arn(run, "queue"))
    run.clear()
    predicted = present(run, check=True, purge=True, maximum_retry_attempts=1)
    real = present(run, purge=True, maximum_retry_attempts=1)
    for result in (predicted, real):
        config = result["event_invoke_config"]
        assert result["changed"] is True
        assert (config["maximum_retry_attempts"], config["maximum_event_age_in_seconds"]) == (1, None)
        assert config["destination_config"] == {"on_success": {}, "on_failure": {}}
    assert present(run, purge=True, maximum_retry_attempts=1)["changed"] is False
    assert run.calls() == [GET, GET, PUT, GET]


# ---------------------------------------------------------------------------------------------- destination preflight


def unlisted_queue(run) -> str:
    """A queue that exists but that the fixture role is not granted sqs:SendMessage on."""
    sqs = run.emulator.client("sqs")
    url = sqs.create_queue(QueueName="m-not-granted")["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_check_mode_with_a_good_destination_predicts_changed_and_reports_what_it_checked(run):
    result = present(run, check=True, on_failure=arn(run, "queue"), on_success=arn(run, "topic"))
    assert result["changed"] is True and not result["failed"]
    assert [(c["half"], c["outcome"], c["exists"], c["allowed"]) for c in result["preflight"]] == [
        ("on_success", "ok", True, True),
        ("on_failure", "ok", True, True),
    ]
    assert run.calls() == [GET, "GetFunction"]
    assert run.reads_elsewhere() == ["sns:GetTopicAttributes", "sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"]


@pytest.mark.parametrize(
    ("destination", "cause", "real_calls"),
    [
        # a queue is read in a default real run too (its KMS key, C19): missing, it is refused before writing (and
        # GetFunction, on its own quota, tells the function's account: another account's queue would be unverified)
        pytest.param(
            lambda run: arn(run, "queue") + "-typo",
            "does not exist in region us-east-1",
            [GET, "GetFunction"],
            id="typo",
        ),
        pytest.param(
            lambda run: arn(run, "queue").replace("us-east-1", "eu-west-1"),
            "in region eu-west-1",
            [GET, "GetFunction"],
            id="region",
        ),
        # a role the queue does not grant: AWS refuses the write, and the path diagnoses it (no retry)
        pytest.param(unlisted_queue, "may not", [GET, PUT, "GetFunction"], id="role-not-granted"),
    ],
)
def test_a_destination_aws_would_refuse_fails_check_mode_and_the_real_run_at_once(run, destination, cause, real_calls):
    """One verdict: check mode and the real run fail for the same cause, naming it, with no write retried."""
    queue = destination(run)
    checked = present(run, check=True, on_failure=queue)
    assert (
        checked["failed"] and queue in checked["msg"] and cause in checked["msg"].replace("is not allowed", "may not")
    )
    assert "a real run would fail the same way" in checked["msg"]
    assert checked["preflight"][0]["outcome"] in ("missing", "denied")
    assert run.writes() == []
    run.clear()
    real = present(run, on_failure=queue)  # default retry_timeout: a permanent cause is not retried
    assert real["failed"] and queue in real["msg"] and cause in real["msg"].replace("is not allowed", "may not")
    assert real["preflight"][0]["outcome"] == checked["preflight"][0]["outcome"]
    assert run.calls() == real_calls
    if PUT in real_calls:
        assert "not retried" in real["msg"] and real["error"]["code"] == "InvalidParameterValueException"


def test_preflight_always_checks_before_the_real_write_and_writes_nothing_when_refused(run):
    result = present(run, on_failure=arn(run, "queue") + "-typo", preflight="always")
    assert result["failed"] and run.writes() == []
    assert run.calls() == [GET, "GetFunction"]
    run.clear()
    assert present(run, on_failure=arn(run, "queue"), preflight="always")["changed"] is True
    assert run.calls() == [GET, "GetFunction", PUT]


def test_preflight_never_reads_nothing_about_destinations(run):
    result = present(run, check=True, on_failure=arn(run, "queue"), preflight="never")
    assert result["changed"] is True and result["preflight"] == []
    assert run.reads_elsewhere() == []


def test_unchanged_destinations_are_not_checked_again(run):
    present(run, on_failure=arn(run, "queue"))
    run.clear()
    result = present(run, check=True, on_failure=arn(run, "queue"), maximum_retry_attempts=0)
    assert result["changed"] is True and result["preflight"] == []
    assert run.calls() == [GET] and run.reads_elsewhere() == []


def test_a_read_the_caller_may_not_make_warns_naming_the_permission_and_does_not_fail(run):
    run.emulator.set_faults(denied_actions=["iam:SimulatePrincipalPolicy"])
    result = present(run, check=True, on_failure=arn(run, "queue"))
    assert result["changed"] is True and not result["failed"]
    [check] = result["preflight"]
    assert (check["exists"], check["allowed"], check["outcome"]) == (True, None, "unverified")
    assert len(result["warnings"]) == 1 and "iam:SimulatePrincipalPolicy" in result["warnings"][0]


def encrypted_queue(run, name: str, key_policy: str | None = None) -> tuple[str, str]:
    """A queue encrypted with a new customer managed key (the default key policy unless one is given)."""
    kms = run.emulator.client("kms")
    key = kms.create_key(**({"Policy": key_policy} if key_policy else {}))["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{name}", TargetKeyId=key["KeyId"])
    sqs = run.emulator.client("sqs")
    # the queue policy lets the fixture role send: what is left to decide is the key
    grant = {"Effect": "Allow", "Principal": {"AWS": run.world["role"]["arn"]}, "Action": "sqs:SendMessage"}
    attributes = {"KmsMasterKeyId": f"alias/{name}", "Policy": json.dumps({"Statement": [grant]})}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"], key["Arn"]


def test_a_queue_whose_key_the_role_may_not_use_is_reported_in_check_mode_and_accepted_by_aws(run):
    """C19: the role may send to the queue but not use its key; AWS accepts the config and drops every record."""
    queue, key = encrypted_queue(run, "m-encrypted-default")  # the default key policy delegates to IAM
    run.clear()
    result = present(run, check=True, on_failure=queue)
    assert result["changed"] is True and not result["failed"]  # a real run would not fail either
    [check] = result["preflight"]
    assert check["outcome"] == "denied" and check["key"] == key
    assert key in check["message"] and run.world["role"]["arn"] in check["message"] and "kms:" in check["message"]
    assert any(key in warning for warning in result["warnings"])
    assert run.reads_elsewhere() == [
        "sqs:GetQueueAttributes",
        "kms:DescribeKey",
        "iam:SimulatePrincipalPolicy",
        "kms:GetKeyPolicy",
    ]
    real = present(run, on_failure=queue)
    assert real["changed"] is True and not real["failed"]


def test_a_queue_whose_key_policy_names_the_role_is_ok(run):
    role = run.world["role"]["arn"]
    policy = '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "%s"}, "Action": "kms:*", "Resource": "*"}]}'
    queue, key = encrypted_queue(run, "m-encrypted-role", policy % role)
    result = present(run, check=True, on_failure=queue)
    assert result["changed"] is True and not result["failed"]
    assert [(c["outcome"], c["key"]) for c in result["preflight"]] == [("ok", key)]
