"""Issue 3's ad hoc runs: `ansible localhost -m ... -a "function_name=... maximum_retry_attempts=0"` with the
connection only in environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_URL)."""

from __future__ import annotations

import pytest
from conftest import GET
from conftest import INFO_MODULE
from conftest import LIST
from conftest import PUT
from conftest import SECRET_KEY
from conftest import SESSION_TOKEN

MASKED = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"  # what Ansible shows for a no_log option that has a value


def unset(**settings):
    """The four settings, None unless given."""
    return {
        "maximum_retry_attempts": None,
        "maximum_event_age_in_seconds": None,
        "on_success": None,
        "on_failure": None,
        **settings,
    }


def test_create_then_nothing_to_change(ansible, emulator):
    name = emulator.function()["name"]

    created = ansible.adhoc(f"function_name={name} maximum_retry_attempts=0")
    assert created.rc == 0, created.transcript
    assert created.status == "CHANGED", created.transcript
    config = created.result["event_invoke_config"]
    assert (config["qualifier"], config["maximum_retry_attempts"]) == ("$LATEST", 0)
    assert emulator.lambda_calls() == [GET, PUT]
    assert emulator.read_config(name) == unset(maximum_retry_attempts=0)

    emulator.clear_requests()
    again = ansible.adhoc(f"function_name={name} maximum_retry_attempts=0")
    assert again.rc == 0, again.transcript
    assert again.status == "SUCCESS", again.transcript
    assert again.result["changed"] is False
    assert emulator.lambda_calls() == [GET]  # nothing to change: exactly one read


def test_check_and_diff_predict_without_writing(ansible, emulator):
    name = emulator.function()["name"]

    predicted = ansible.adhoc(f"function_name={name} maximum_retry_attempts=0", "--check", "--diff")
    assert predicted.status == "CHANGED", predicted.transcript
    assert "-{}" in predicted.stdout and '+    "maximum_retry_attempts": 0,' in predicted.stdout, predicted.transcript
    assert predicted.result["event_invoke_config"]["maximum_retry_attempts"] == 0
    assert emulator.writes() == []
    assert emulator.read_config(name) is None

    assert ansible.adhoc(f"function_name={name} maximum_retry_attempts=0").status == "CHANGED"

    emulator.clear_requests()
    converged = ansible.adhoc(f"function_name={name} maximum_retry_attempts=0", "--check", "--diff")
    assert converged.status == "SUCCESS", converged.transcript
    assert "--- before" not in converged.stdout, converged  # no difference, no diff
    assert emulator.lambda_calls() == [GET]

    emulator.clear_requests()
    change = ansible.adhoc(f"function_name={name} maximum_retry_attempts=2", "--check", "--diff")
    assert change.status == "CHANGED", change.transcript
    assert '-    "maximum_retry_attempts": 0,' in change.stdout, change.transcript
    assert '+    "maximum_retry_attempts": 2,' in change.stdout, change.transcript
    assert emulator.writes() == []
    assert emulator.read_config(name) == unset(maximum_retry_attempts=0)


def test_alias_qualifier_then_delete(ansible, emulator):
    name = emulator.function()["name"]
    queue = emulator.arn("queue")

    created = ansible.adhoc(f"function_name={name}:live on_failure={queue}")
    assert created.status == "CHANGED", created.transcript
    assert created.result["event_invoke_config"]["function_arn"].endswith(":live")
    assert emulator.read_configs(name) == {"live": unset(on_failure=queue)}  # $LATEST untouched

    deleted = ansible.adhoc(f"function_name={name} qualifier=live state=absent")
    assert deleted.status == "CHANGED", deleted.transcript
    assert deleted.result["event_invoke_config"] == {}
    assert emulator.read_configs(name) == {}

    emulator.clear_requests()
    gone = ansible.adhoc(f"function_name={name} qualifier=live state=absent", "--check", "--diff")
    assert gone.status == "SUCCESS", gone.transcript
    # nothing to delete: one GetFunction tells "already gone" (no warning) from a name that is wrong (a warning)
    assert emulator.lambda_calls() == [GET, "GetFunction"]
    assert "WARNING" not in gone.output, gone.transcript


def test_info_module_ad_hoc(ansible, emulator):
    name = emulator.function()["name"]
    topic = emulator.arn("topic")
    emulator.put_config(name, "$LATEST", MaximumRetryAttempts=1)
    emulator.put_config(
        name, "live", MaximumEventAgeInSeconds=600, DestinationConfig={"OnSuccess": {"Destination": topic}}
    )
    emulator.clear_requests()

    listed = ansible.adhoc(f"function_name={name}", module=INFO_MODULE)
    assert listed.status == "SUCCESS", listed.transcript
    configs = listed.result["event_invoke_configs"]
    assert [config["qualifier"] for config in configs] == ["$LATEST", "live"]  # sorted by qualifier
    assert configs[0]["maximum_retry_attempts"] == 1
    assert configs[1]["maximum_event_age_in_seconds"] == 600
    assert configs[1]["destination_config"] == {"on_success": {"destination": topic}, "on_failure": {}}
    assert emulator.lambda_calls() == [LIST]

    emulator.clear_requests()
    one = ansible.adhoc(f"function_name={name}:live", module=INFO_MODULE)
    assert [config["qualifier"] for config in one.result["event_invoke_configs"]] == ["live"], one.transcript
    assert emulator.lambda_calls() == [GET]


@pytest.mark.parametrize(
    "security_token, shown_as",
    [(SESSION_TOKEN, MASKED), (None, None)],
    ids=["AWS_SECURITY_TOKEN-set", "no-token-variable"],
)
def test_aws_security_token_alone_is_the_session_token(ansible, emulator, security_token, shown_as):
    """Older AWX injects only AWS_SECURITY_TOKEN. With ANSIBLE_INJECT_INVOCATION the result shows the module's
    arguments, masked where no_log: session_token has a value exactly when the variable is set."""
    name = emulator.function()["name"]
    env = {"AWS_SESSION_TOKEN": None, "AWS_SECURITY_TOKEN": security_token, "ANSIBLE_INJECT_INVOCATION": "true"}

    outcome = ansible.adhoc(f"function_name={name} maximum_retry_attempts=1", "-vvv", env=env)

    assert outcome.rc == 0, outcome.transcript
    assert outcome.status == "CHANGED", outcome.transcript
    module_args = outcome.result["invocation"]["module_args"]
    assert module_args["session_token"] == shown_as
    assert module_args["secret_key"] == MASKED
    assert SESSION_TOKEN not in outcome.output
    assert SECRET_KEY not in outcome.output
