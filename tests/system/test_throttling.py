"""Every call throttled (issue 5): the modules give up after exactly max_attempts calls and say they were throttled.

max_attempts is small here because botocore's backoff doubles up to 20 s a retry: the default of 10 attempts
would make this test wait about a minute. The bound is checked on the request log, not on a clock.
"""

from __future__ import annotations

import pytest
from conftest import GET
from conftest import INFO_MODULE
from conftest import LIST
from conftest import MODULE


@pytest.mark.parametrize(
    "module, args, max_attempts, operation",
    [
        (MODULE, "maximum_retry_attempts=1", 3, GET),
        (MODULE, "qualifier=live state=absent", 2, GET),
        (INFO_MODULE, "", 2, LIST),
    ],
    ids=["present", "absent", "info"],
)
def test_fails_after_max_attempts_saying_it_was_throttled(ansible, emulator, module, args, max_attempts, operation):
    name = emulator.function()["name"]
    emulator.set_faults(throttle_rate=1.0)

    outcome = ansible.adhoc(f"function_name={name} {args} max_attempts={max_attempts}", module=module)

    assert outcome.rc != 0, outcome.transcript
    assert outcome.status == "FAILED", outcome.transcript
    message = outcome.result["msg"]
    assert "throttled" in message, message
    assert f"all {max_attempts} attempts" in message, message
    assert "max_attempts" in message, message  # tells the user what to raise
    assert outcome.result["error"]["code"] == "TooManyRequestsException"
    calls = [(entry["operation"], entry["fault"]) for entry in emulator.requests()]
    assert calls == [(operation, "throttle")] * max_attempts
