# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bringing many functions' configs to a desired state as fast as Lambda's quota allows (the I/O side of
desired_state.py). Each config goes down the same path as under lambda_event_invoke_config (config_path.py); this
adds only what is about many:

    read      one ListFunctionEventInvokeConfigs per function (never a Get per qualifier), concurrently, and the
              plan of each function (desired_state.plan_function);
    identify  GetFunction where the path needs it, concurrently;
    check     one preflight over every planned write's new destinations: each destination read once, each role
              simulated once; a config AWS would refuse fails before any write;
    finish    check mode predicts; a real run writes only what differs, a function's writes one after another (AWS
              answers 409 to concurrent writes on one function), different functions concurrently.

Every Lambda call goes through one client shared by a bounded pool, paced by the task's token bucket and botocore's
adaptive retries. One config's failure never stops the others: it is collected, and the task fails at the end with
every failure and every change that was made.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import Change
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import ConfigPath
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import PathOptions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import WRITING_STATES
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import Desired
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import Expansion
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import plan_function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DENIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import LATEST
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Refused


class Options(NamedTuple):
    state: str
    path: PathOptions  # check mode, preflight, retry_timeout: what each config's path needs
    concurrency: int
    delete_unlisted: bool  # state=deleted with no config: every config in scope goes


class Failure(NamedTuple):
    function_name: str
    qualifier: str
    error: str
    cause: str  # what configs that failed for the same reason share (the error, less what is this config's own)

    def to_result(self) -> dict[str, str]:
        return {"function_name": self.function_name, "qualifier": self.qualifier, "error": self.error}


NAMES_SHOWN = 20  # per cause in the failure message; failed_configs lists every config


def failure_message(failures: list[Failure]) -> str:
    """The failures grouped by cause, most common first: "N configs: <cause> (names, shortened past 20)". One
    missing destination named by a glob over 300 functions is one sentence, not 300."""
    by_cause: dict[str, list[Failure]] = {}
    for failure in failures:
        by_cause.setdefault(failure.cause, []).append(failure)
    parts = []
    for cause, group in sorted(by_cause.items(), key=lambda item: -len(item[1])):
        names = [f"{f.function_name}:{f.qualifier}" for f in group[:NAMES_SHOWN]]
        more = f" and {len(group) - NAMES_SHOWN} more" if len(group) > NAMES_SHOWN else ""
        count = f"{len(group)} config{'s' if len(group) != 1 else ''}"
        parts.append(f"{count} ({', '.join(names)}{more}): {cause.rstrip('.')}.")
    return " ".join(parts)


class Outcome(NamedTuple):
    changes: list[Change]
    failures: list[Failure]
    configs: list[EventInvokeConfig]  # everything read (state=gathered returns it)
    checks: list[DestinationCheck]


class _Function:
    """One function's work: its configs as read, its planned actions, and what became of them."""

    def __init__(self, target: Target, desired: dict[str, Desired]) -> None:
        self.target = target
        self.desired = desired
        self.current: Optional[list[EventInvokeConfig]] = None
        self.actions: list[Action] = []
        self.unconfigured: list[Target] = []  # qualifiers asked for with no config and nothing to write
        self.changes: list[Change] = []
        self.failures: list[Failure] = []

    def fail(self, qualifier: str, error: AwsError) -> None:
        cause = error.cause if isinstance(error, Refused) else str(error)
        self.failures.append(Failure(self.target.name, qualifier, str(error), cause))

    def walk(self, step: Callable[[Action], object]) -> None:
        """`step` on each planned action in turn; an action whose step fails is failed and dropped from the plan."""
        for action in list(self.actions):
            try:
                step(action)
            except AwsError as error:
                self.fail(action.target.qualifier, error)
                self.actions.remove(action)


def converge(connection: Connection, expansion: Expansion, options: Options, warn: Callable[[str], None]) -> Outcome:
    path = ConfigPath(connection, options.path, warn)
    work = [
        _Function(target, {q: d for (name, q), d in expansion.desired.items() if name == target.name})
        for target in sorted(expansion.functions.values(), key=lambda t: t.name)
    ]
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        list(pool.map(lambda item: _read_and_plan(path.client, item, options), work))
        list(pool.map(lambda item: _identify(path, item), work))
        checks = path.check([use for item in work for action in item.actions for use in path.uses(action)])
        for item in work:
            item.walk(lambda a: _refuse(path, a))
        gates = FirstWrites(path)
        list(pool.map(lambda item: item.walk(lambda a: _record(item, gates.finish(a))), [i for i in work if i.actions]))
    return Outcome(
        changes=sorted((c for item in work for c in item.changes), key=lambda c: c.key),
        failures=sorted((f for item in work for f in item.failures), key=lambda f: (f.function_name, f.qualifier)),
        configs=sorted((c for item in work for c in item.current or []), key=lambda c: c.key),
        checks=checks,
    )


def _read_and_plan(client: object, item: _Function, options: Options) -> None:
    try:
        item.current = api.list_configs(client, item.target.function_name)
    except AwsError as error:
        for qualifier in sorted(item.desired) or ["*"]:
            item.fail(qualifier, error)
        return
    if item.current is None and options.state in WRITING_STATES:
        missing = api.missing_function(item.target, "ListFunctionEventInvokeConfigs")
        for qualifier in sorted(item.desired):
            item.fail(qualifier, missing)
        return
    item.actions = plan_function(options.state, item.target, item.desired, item.current, options.delete_unlisted)
    if options.state in WRITING_STATES:
        # A qualifier with no config and nothing to write (a removal only) changes nothing, but only if it exists:
        # $LATEST does (the List just answered); another needs GetFunction to say.
        written = {action.target.qualifier for action in item.actions}
        configured = {config.qualifier for config in item.current or []}
        item.unconfigured = [
            wanted.target
            for qualifier, wanted in sorted(item.desired.items())
            if qualifier not in written | configured and qualifier != LATEST
        ]


def _identify(path: ConfigPath, item: _Function) -> None:
    """GetFunction where the path needs it, and where a removal-only entry names a qualifier with no config."""
    item.walk(lambda a: path.needs_function(a) and path.function(a.target))
    for target in item.unconfigured:
        try:
            path.function(target)
        except AwsError as error:
            item.fail(target.qualifier, error)


def _refuse(path: ConfigPath, action: Action) -> None:
    refusal = path.refusal(action)
    if refusal:
        raise refusal


def _record(item: _Function, change: Optional[Change]) -> None:
    if change:
        item.changes.append(change)


class FirstWrites:
    """One refused write per cause (real runs). The first write that sets a destination not yet proven goes alone;
    the others that set it wait for it. Once a write setting it succeeded, it is proven and they go on together. If
    AWS refused it and the diagnosis found a permanent cause (preflight.Refused), every other write that sets that
    destination fails with the same cause without a call: a missing destination for every function, a denied role
    for the functions with that role (their GetFunction, on its own quota, tells). Any other failure leaves the
    destination unproven, and the next write that sets it goes alone. With preflight=never nothing is diagnosed,
    so nothing waits.
    """

    def __init__(self, path: ConfigPath) -> None:
        self._path = path
        self._changed = threading.Condition()
        self._in_flight: set[str] = set()
        self._proven: set[str] = set()
        self._missing: dict[str, Refused] = {}
        self._denied: dict[tuple[str, object], Refused] = {}  # (destination, role)

    def finish(self, action: Action) -> Optional[Change]:
        if self._path.options.check_mode or not self._path.options.diagnoses_refusals:
            return self._path.finish(action)
        held = self._enter(action, sorted(set(action.new_destinations().values())))
        proven = False
        try:
            change = self._path.finish(action)
            proven = True
            return change
        except Refused as refusal:
            self._learn(refusal)
            raise
        finally:
            with self._changed:
                self._in_flight.difference_update(held)
                if proven:
                    self._proven.update(held)
                self._changed.notify_all()

    def _enter(self, action: Action, destinations: list[str]) -> list[str]:
        """Wait until no other first write of these destinations is in flight; refuse with a cause already found;
        return the destinations this write is the first for."""
        role: object = _UNKNOWN
        while destinations:
            with self._changed:
                missing = next((self._missing[d] for d in destinations if d in self._missing), None)
                if missing is not None:
                    raise _same_cause(missing)
                if role is not _UNKNOWN or not any(d in destinations for d, _role in self._denied):
                    denied = next((self._denied[(d, role)] for d in destinations if (d, role) in self._denied), None)
                    if denied is not None:
                        raise _same_cause(denied)
                    if any(d in self._in_flight for d in destinations):
                        self._changed.wait()
                        continue
                    first = [d for d in destinations if d not in self._proven]
                    self._in_flight.update(first)
                    return first
            role = self._path.function(action.target).role  # a role was refused one of these: is it this one's?
        return []

    def _learn(self, refusal: Refused) -> None:
        with self._changed:
            for check in refusal.checks:
                if check.outcome == MISSING:
                    self._missing[check.destination.arn] = refusal
                elif check.outcome == DENIED:
                    self._denied[(check.destination.arn, check.role)] = refusal


_UNKNOWN = object()  # a role not read yet


def _same_cause(refusal: Refused) -> Refused:
    return Refused(f"{refusal.cause} Not written: AWS refused the same destination for another config.", refusal.checks)
