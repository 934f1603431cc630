# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bringing many functions' configs to a desired state as fast as Lambda's quota allows (the I/O side of
desired_state.py). Each config goes down the same path as under lambda_event_invoke_config (config_path.py); this
adds only what is about many:

    read      one ListFunctionEventInvokeConfigs per function (never a Get per qualifier), concurrently, and the
              plan of each function (desired_state.plan_function);
    decide    one ConfigPath.run over every planned action of every function, with the pool: it refuses, identifies,
              checks (each destination read once, each role simulated once) and predicts or writes, and returns an
              outcome per action, which is sorted here into changes and failures.

Every Lambda call goes through one client shared by a bounded pool, paced by the task's token bucket and botocore's
adaptive retries. One config's failure never stops the others: it is collected, and the task fails at the end with
every failure and every change that was made.
"""

from __future__ import annotations

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
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import unproven
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


class Converged(NamedTuple):
    changes: list[Change]
    failures: list[Failure]
    configs: list[EventInvokeConfig]  # everything read (state=gathered returns it)
    checks: list[DestinationCheck]
    missing: list[str]  # functions not read: their list call answered 404, or failed (see failures)


class FunctionWork:
    """One function's work: its configs as read, its planned actions, and what became of them."""

    def __init__(self, target: Target, desired: dict[str, Desired]) -> None:
        self.target = target
        self.desired = desired
        self.current: Optional[list[EventInvokeConfig]] = None
        self.actions: list[Action] = []
        self.unproven: list[Target] = []  # qualifiers named with no config and nothing to write (unproven())
        self.changes: list[Change] = []
        self.failures: list[Failure] = []

    def fail(self, qualifier: str, error: AwsError) -> None:
        cause = error.cause if isinstance(error, Refused) else str(error)
        self.failures.append(Failure(self.target.name, qualifier, str(error), cause))


def converge(connection: Connection, expansion: Expansion, options: Options, warn: Callable[[str], None]) -> Converged:
    path = ConfigPath(connection, options.path, warn)
    work = {
        target.name: FunctionWork(target, {q: d for (name, q), d in expansion.desired.items() if name == target.name})
        for target in sorted(expansion.functions.values(), key=lambda t: t.name)
    }
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        list(pool.map(lambda item: _read_and_plan(path.client, item, options), work.values()))
        decided = path.run(
            [action for item in work.values() for action in item.actions],
            [target for item in work.values() for target in item.unproven],
            pool,
        )
    for outcome in decided.outcomes:
        item = work[outcome.target.name]
        if outcome.failure is not None:
            item.fail(outcome.target.qualifier, outcome.failure)
        elif outcome.change is not None:
            item.changes.append(outcome.change)
    return Converged(
        changes=sorted((c for item in work.values() for c in item.changes), key=lambda c: c.key),
        failures=sorted(
            (f for item in work.values() for f in item.failures), key=lambda f: (f.function_name, f.qualifier)
        ),
        configs=sorted((c for item in work.values() for c in item.current or []), key=lambda c: c.key),
        checks=decided.checks,
        missing=sorted(item.target.name for item in work.values() if item.current is None),
    )


def _read_and_plan(client: object, item: FunctionWork, options: Options) -> None:
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
        written = {action.target.qualifier for action in item.actions}
        configured = {config.qualifier: config for config in item.current or []}
        item.unproven = [
            wanted.target
            for qualifier, wanted in sorted(item.desired.items())
            if unproven(wanted.target, configured.get(qualifier), qualifier in written, listed=True)
        ]
