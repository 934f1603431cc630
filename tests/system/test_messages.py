"""What a newcomer's second week trips over, through `ansible` as they would run it: diff headers and AWS's
defaults, an endpoint that does not answer, a real run on a missing alias, removing a destination that is not set."""

from __future__ import annotations

import socket

from conftest import GET
from conftest import MODULE
from conftest import REGION


def test_diff_names_the_config_and_shows_what_aws_applies_for_unset_numbers(ansible, emulator):
    name = emulator.function()["name"]

    outcome = ansible.adhoc(f"function_name={name} qualifier=live maximum_retry_attempts=0", "--check", "--diff")

    assert outcome.status == "CHANGED", outcome.transcript
    assert f"--- before: {name}:live" in outcome.stdout, outcome.transcript
    assert f"+++ after: {name}:live" in outcome.stdout, outcome.transcript
    assert '"maximum_event_age_in_seconds": "unset (AWS default 21600)"' in outcome.stdout, outcome.transcript
    assert '"maximum_retry_attempts": 0' in outcome.stdout, outcome.transcript
    # the returned config keeps null: only the diff explains it
    assert outcome.result["event_invoke_config"]["maximum_event_age_in_seconds"] is None


def test_an_endpoint_that_does_not_answer_fails_saying_how_often_and_how_long_it_tried(ansible, emulator):
    with socket.socket() as probe:  # a port on which nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    outcome = ansible.adhoc(f"function_name={emulator.function()['name']}", env={"AWS_URL": f"http://127.0.0.1:{port}"})

    assert outcome.status == "FAILED", outcome.transcript
    message = outcome.result["msg"]
    assert "no answer from the endpoint after 3 attempts over" in message, message
    assert f"127.0.0.1:{port}" in message and "endpoint_url" in message, message


def test_an_endpoint_without_a_scheme_is_refused_naming_the_option_before_any_call(ansible, emulator):
    """botocore said only "Invalid endpoint: localhost:4566"."""
    outcome = ansible.adhoc(f"function_name={emulator.function()['name']}", env={"AWS_URL": "localhost:4566"})

    assert outcome.status == "FAILED", outcome.transcript
    message = outcome.result["msg"]
    assert message.startswith("endpoint_url 'localhost:4566' (the option, its alias aws_endpoint_url, or the AWS_URL")
    assert "http://HOST[:PORT] or https://HOST[:PORT] (did you mean 'http://localhost:4566'?)" in message, message
    assert outcome.result["option"] == "endpoint_url"
    assert emulator.requests() == []


def test_a_real_run_on_a_missing_alias_names_it(ansible, emulator):
    name = emulator.function()["name"]

    outcome = ansible.adhoc(f"function_name={name} qualifier=nosuchalias maximum_retry_attempts=1")

    assert outcome.status == "FAILED", outcome.transcript
    assert (
        f"The function {name} or its qualifier nosuchalias does not exist in region {REGION} " in outcome.result["msg"]
    )
    assert outcome.result["error"]["code"] == "ResourceNotFoundException"


def test_a_real_run_in_a_mistyped_region_names_the_region_it_looked_in(ansible, emulator):
    """A typo in region looks exactly like a missing function to AWS: the message says where it looked."""
    name = emulator.function()["name"]

    outcome = ansible.adhoc(f"function_name={name} maximum_retry_attempts=1", env={"AWS_REGION": "us-east-2"})

    assert outcome.status == "FAILED", outcome.transcript
    assert f"The function {name} or its qualifier $LATEST does not exist in region us-east-2 " in outcome.result["msg"]


def test_removing_a_destination_that_is_not_set_where_no_config_exists_is_ok(ansible, emulator):
    name = emulator.function()["name"]

    for flags in (("--check",), ()):
        outcome = ansible.adhoc(f'{{"function_name": "{name}", "on_success": ""}}', *flags, module=MODULE)
        assert outcome.status == "SUCCESS", outcome.transcript
        assert outcome.result["changed"] is False
    # Get's 404 cannot tell a missing config from a missing function or qualifier (C7): GetFunction tells (issue 16)
    assert emulator.lambda_calls() == [GET, "GetFunction", GET, "GetFunction"]
    outcome = ansible.adhoc(f'{{"function_name": "{name}", "qualifier": "nope", "on_success": ""}}', module=MODULE)
    assert outcome.status == "FAILED" and "qualifier nope does not exist" in outcome.transcript, outcome.transcript
