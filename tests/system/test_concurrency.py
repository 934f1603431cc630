"""Eight concurrent ansible-playbook runs, each writing a different qualifier of the same function (issue 5).

Real Lambda answers concurrent writes to one function's configs with 409 ResourceConflictException, even on
different qualifiers; the emulator serialises writes itself, so its conflict_rate stands in for those 409s,
and its token bucket enforces Lambda's control-plane quota of 15 requests per second.
"""

from __future__ import annotations

import collections
import json
from concurrent.futures import ThreadPoolExecutor

from conftest import CONCURRENT_QUALIFIERS
from conftest import WRITES

FAULTS = {"conflict_rate": 0.3, "throttle_rps": 15, "seed": 8}


def desired_state(emulator, index: int) -> dict:
    """Different values for every run, so a write landing on the wrong qualifier would show."""
    destinations = [emulator.arn("queue"), emulator.arn("topic"), emulator.arn("event_bus")]
    return {
        "retries": index % 3,
        "event_age": 60 * (index + 1),
        "success_destination": destinations[index % 3],
        "first_failure_destination": emulator.arn("bucket"),
    }


def test_eight_runs_on_the_qualifiers_of_one_function_all_converge(ansible, emulator):
    function = emulator.function()["name"]
    runs = {qualifier: desired_state(emulator, index) for index, qualifier in enumerate(CONCURRENT_QUALIFIERS)}
    emulator.set_faults(**FAULTS)

    def play(qualifier: str):
        extra_vars = json.dumps({"function": function, "qualifier": qualifier, **runs[qualifier]})
        return ansible.playbook("qualifier.yml", "-e", extra_vars)

    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        started = {qualifier: pool.submit(play, qualifier) for qualifier in runs}
        outcomes = {qualifier: future.result() for qualifier, future in started.items()}

    for qualifier, outcome in outcomes.items():
        assert outcome.rc == 0, f"{qualifier}:\n{outcome.transcript}"
        assert outcome.recap()["localhost"]["failed"] == 0, outcome.transcript

    log = emulator.requests()
    emulator.set_faults(conflict_rate=0, throttle_rps=0)
    assert emulator.read_configs(function) == {
        qualifier: {
            "maximum_retry_attempts": state["retries"],
            "maximum_event_age_in_seconds": state["event_age"],
            "on_success": state["success_destination"],
            "on_failure": None,
        }
        for qualifier, state in runs.items()
    }
    # The runs did write concurrently and were answered with conflicts, and every qualifier got its writes.
    writes = [entry for entry in log if entry["operation"] in WRITES]
    assert sum(1 for entry in writes if entry["fault"] == "conflict") > 0
    landed = collections.Counter(entry["qualifier"] for entry in writes if entry["status"] == 200)
    assert landed == dict.fromkeys(runs, 2)  # create, then change; the re-run writes nothing
