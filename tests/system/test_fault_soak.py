"""Fault soak (issue 5): 200 module runs under 30 % throttling, 10 % conflicts on writes and 5 % server errors.

A seeded planner writes a plan of create / update / remove-destination / delete steps (plus re-runs that must
change nothing) for eight targets: four functions, each on $LATEST and on its alias `live`. It tracks the state
each step must leave, so every step carries the full expected config (all four settings, or none) and the
exact `changed`. One ansible-playbook run works through the plan, one host per target, so 200 module runs cost
one process start. After each step the playbook asks a reader served by this test what AWS now holds: the
reader reads straight from the Lambda API with a boto3 client that retries through every injected fault, so
what it answers is the truth, and comparing the whole config also shows that no setting the step did not name
was lost.
"""

from __future__ import annotations

import collections
import json
import random
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import Optional

import pytest
from conftest import DELETE
from conftest import GET
from conftest import PUT
from conftest import LoopbackServer

STEPS = 200
SEED = 20261123
QUALIFIERS = ("$LATEST", "live")
FAULTS = {"throttle_rate": 0.3, "conflict_rate": 0.1, "error_rate": 0.05, "seed": SEED}
# botocore's default of 10 attempts gives up on 0.335**10 = 2e-5 of the calls (a 30 % + 5 % fault rate), about
# one soak in a hundred over ~450 calls. 15 attempts makes a spurious give-up about one soak in 30,000.
MAX_ATTEMPTS = 15
RETRY_ATTEMPTS = (0, 1, 2)
EVENT_AGES = (60, 600, 3600, 21600)
NUMBERS = ("maximum_retry_attempts", "maximum_event_age_in_seconds")
HALVES = ("on_success", "on_failure")
ACTIONS = ("create", "update", "remove-destination", "delete", "rerun")


# ---------------------------------------------------------------------------------------------- the plan


def unset() -> dict[str, Any]:
    return dict.fromkeys(NUMBERS + HALVES)


class Planner:
    """Writes random but reproducible steps, each with the state it must leave (the model of AWS)."""

    def __init__(self, rng: random.Random, world: dict[str, Any]) -> None:
        self.rng = rng
        self.world = world

    def destinations(self, half: str, function_index: int) -> list[str]:
        world = self.world
        common = [world["queue"]["arn"], world["topic"]["arn"], world["event_bus"]["arn"]]
        if half == "on_failure":
            return [*common, world["bucket"]["arn"]]  # S3 only on failure
        neighbour = world["functions"][(function_index + 1) % len(world["functions"])]["arn"]
        return [*common, neighbour]  # another function, never the function itself

    def value(self, field: str, function_index: int, other_than: Any = None) -> Any:
        if field in HALVES:
            choices = self.destinations(field, function_index)
        else:
            choices = RETRY_ATTEMPTS if field == "maximum_retry_attempts" else EVENT_AGES
        return self.rng.choice([choice for choice in choices if choice != other_than])

    def action(self, current: Optional[dict[str, Any]]) -> str:
        if current is None:
            return self.rng.choices(["create", "delete"], [85, 15])[0]
        actions, weights = ["update", "rerun", "delete"], [40, 15, 20]
        if current["on_success"] or current["on_failure"]:
            actions.append("remove-destination")
            weights.append(30)
        return self.rng.choices(actions, weights)[0]

    def step(self, function_index: int, qualifier: str, current: Optional[dict[str, Any]]) -> dict[str, Any]:
        """One step: its action, the settings it names ("" removes a destination), and what it must leave."""
        action = self.action(current)
        named: dict[str, Any] = {}
        if action == "create":
            for field in self.rng.sample(NUMBERS + HALVES, self.rng.randint(1, 4)):
                named[field] = self.value(field, function_index)
        elif action == "update":
            for field in self.rng.sample(NUMBERS + HALVES, self.rng.randint(1, 2)):
                named[field] = self.value(field, function_index, other_than=current[field])
        elif action == "remove-destination":
            named[self.rng.choice([half for half in HALVES if current[half]])] = ""
        elif action == "rerun":
            # The current value of one or two settings: nothing to change. An unset number cannot be named.
            nameable = [field for field in NUMBERS + HALVES if field in HALVES or current[field] is not None]
            for field in self.rng.sample(nameable, min(len(nameable), self.rng.randint(1, 2))):
                named[field] = current[field] if current[field] is not None else ""
        if action == "delete":
            expected = None
        else:
            expected = {**(current or unset()), **{key: None if value == "" else value for key, value in named.items()}}
        return {
            "action": action,
            "args": {**self.target_args(function_index, qualifier, action), **self.settings_args(named)},
            "expected": expected,
            "changed": expected != current,
        }

    def target_args(self, function_index: int, qualifier: str, action: str) -> dict[str, Any]:
        """The function and qualifier in one of the forms the module accepts."""
        function = self.world["functions"][function_index]
        form = self.rng.choice(["option", "embedded", "arn"] + (["implicit"] if qualifier == "$LATEST" else []))
        args: dict[str, Any] = {"state": "absent"} if action == "delete" else {}
        if form == "option":
            return {**args, "function_name": function["name"], "qualifier": qualifier}
        if form == "embedded":
            return {**args, "function_name": f"{function['name']}:{qualifier}"}
        if form == "arn":
            return {**args, "function_name": f"{function['arn']}:{qualifier}"}
        return {**args, "function_name": function["name"]}  # no qualifier means $LATEST

    def settings_args(self, named: dict[str, Any]) -> dict[str, Any]:
        """Destinations as on_success/on_failure or, half the time, as destination_config."""
        args = {key: value for key, value in named.items() if key in NUMBERS}
        halves = {key: value for key, value in named.items() if key in HALVES}
        if halves and self.rng.random() < 0.5:
            # A half given with no or an empty destination removes that destination.
            args["destination_config"] = {
                half: {"destination": arn} if arn or self.rng.random() < 0.5 else {} for half, arn in halves.items()
            }
        else:
            args.update(halves)
        return args


def make_plan(world: dict[str, Any], steps: int = STEPS) -> tuple[dict[str, list[dict[str, Any]]], dict]:
    """{host: steps} for one host per (function, qualifier), and the final state of each target."""
    planner = Planner(random.Random(SEED), world)
    targets = [(index, qualifier) for index in range(len(world["functions"])) for qualifier in QUALIFIERS]
    plan: dict[str, list[dict[str, Any]]] = {}
    final: dict[tuple[str, str], Optional[dict[str, Any]]] = {}
    for position, (index, qualifier) in enumerate(targets):
        name = world["functions"][index]["name"]
        host = f"{name}-{'latest' if qualifier == '$LATEST' else qualifier}"
        state = None
        plan[host] = []
        for number in range(position, steps, len(targets)):
            step = planner.step(index, qualifier, state)
            state = step["expected"]
            # The reader answers {} when there is no config.
            plan[host].append(
                {"index": number, "function": name, "qualifier": qualifier, **step, "expected": state or {}}
            )
        final[(name, qualifier)] = state
    return plan, final


# ---------------------------------------------------------------------------------------------- the reader


class DirectReader(LoopbackServer):
    """GET /FUNCTION/QUALIFIER -> the config's four settings as the Lambda API holds them, {} when none.

    Served on 127.0.0.1 from a thread of this test for the playbook's lookups, so that a check costs one HTTP
    request instead of a boto3 import in a new process. Counts the reads it answered.
    """

    def __init__(self, emulator) -> None:
        self.emulator = emulator
        self.reads = 0
        self.answers: dict[str, list[Any]] = collections.defaultdict(list)  # "function:qualifier" -> answers
        self._lock = threading.Lock()
        super().__init__(ThreadingHTTPServer(("127.0.0.1", 0), self._handler()), "direct-reader")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def _handler(self) -> type:
        reader = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the name http.server calls  pylint: disable=invalid-name
                function, qualifier = (urllib.parse.unquote(part) for part in self.path.strip("/").split("/"))
                answer = reader.emulator.read_config(function, qualifier) or {}
                with reader._lock:
                    reader.reads += 1
                    reader.answers[f"{function}:{qualifier}"].append(answer)
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reports what matters."""

        return Handler


# ---------------------------------------------------------------------------------------------- the test


def test_plan_mixes_every_action_on_both_qualifiers(emulator):
    """The soak proves something only if its plan has every kind of step on $LATEST and on the alias."""
    plan, _final = make_plan(emulator.world)
    steps = [step for host_steps in plan.values() for step in host_steps]
    assert sorted(step["index"] for step in steps) == list(range(STEPS))
    kinds = collections.Counter((step["action"], step["qualifier"]) for step in steps)
    for action in ACTIONS:
        for qualifier in QUALIFIERS:
            assert kinds[(action, qualifier)] >= 3, kinds
    assert any("destination_config" in step["args"] for step in steps)
    assert any(step["action"] == "delete" and not step["changed"] for step in steps)  # deleting nothing


@pytest.mark.slow
def test_two_hundred_runs_under_faults_each_end_in_the_planned_state(ansible, emulator, tmp_path, record_property):
    plan, final = make_plan(emulator.world)
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("[soak]\n" + "".join(f"{host} ansible_connection=local\n" for host in plan))
    emulator.set_faults(**FAULTS)

    with DirectReader(emulator) as reader:
        extra_vars = tmp_path / "soak.json"
        extra_vars.write_text(
            json.dumps({"soak_plan": plan, "soak_reader": reader.url, "soak_max_attempts": MAX_ATTEMPTS})
        )
        outcome = ansible.playbook("soak.yml", "-i", str(inventory), "-e", f"@{extra_vars}", "--forks", str(len(plan)))

    assert outcome.rc == 0, f"{outcome.transcript}\n--- the reader's answers, in order\n{json.dumps(reader.answers)}"
    recap = outcome.recap()
    assert sorted(recap) == sorted(plan), outcome.transcript
    assert all(counts["failed"] == 0 and counts["unreachable"] == 0 for counts in recap.values()), outcome.transcript
    assert reader.reads == STEPS  # every step was checked by a direct read

    log = emulator.requests()
    emulator.set_faults(throttle_rate=0, conflict_rate=0, error_rate=0)
    for (function, qualifier), state in final.items():
        assert emulator.read_config(function, qualifier) == state, (function, qualifier)

    module_calls = [entry for entry in log if entry["operation"] in (GET, PUT, DELETE)]
    # Each module run makes exactly one read that gets through (check mode is not used here).
    assert sum(1 for entry in module_calls if entry["operation"] == GET and entry["fault"] is None) == STEPS
    injected = collections.Counter(entry["fault"] for entry in module_calls if entry["fault"])
    reader_faults = collections.Counter(entry["fault"] for entry in log if entry["fault"]) - injected
    # Shown at the end of the run by conftest.pytest_terminal_summary (also under xdist).
    record_property("fault soak", f"{len(module_calls)} module calls; faults injected into them: {dict(injected)}")
    record_property("fault soak", f"faults injected into the direct reads: {dict(reader_faults)}")
    # The soak proves nothing unless every kind of fault hit the modules.
    assert injected["throttle"] > 0 and injected["conflict"] > 0 and injected["error"] > 0, injected
