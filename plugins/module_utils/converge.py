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


class Options(NamedTuple):
    state: str
    path: PathOptions  # check mode, preflight, retry_timeout: what each config's path needs
    concurrency: int
    delete_unlisted: bool  # state=deleted with no config: every config in scope goes


class Failure(NamedTuple):
    function_name: str
    qualifier: str
    error: str

    def to_result(self) -> dict[str, str]:
        return self._asdict()


class Outcome(NamedTuple):
    changes: list[Change]
    failures: list[Failure]
    configs: list[EventInvokeConfig]  # everything read (state=gathered returns it)
    checks: list[DestinationCheck]
    missing: list[str]  # functions not read: their list call answered 404, or failed (see failures)


class _Function:
    """One function's work: its configs as read, its planned actions, and what became of them."""

    def __init__(self, target: Target, desired: dict[str, Desired]) -> None:
        self.target = target
        self.desired = desired
        self.current: Optional[list[EventInvokeConfig]] = None
        self.actions: list[Action] = []
        self.changes: list[Change] = []
        self.failures: list[Failure] = []

    def fail(self, qualifier: str, error: str) -> None:
        self.failures.append(Failure(self.target.name, qualifier, error))

    def walk(self, step: Callable[[Action], object]) -> None:
        """`step` on each planned action in turn; an action whose step fails is failed and dropped from the plan."""
        for action in list(self.actions):
            try:
                step(action)
            except AwsError as error:
                self.fail(action.target.qualifier, str(error))
                self.actions.remove(action)


def converge(connection: Connection, expansion: Expansion, options: Options, warn: Callable[[str], None]) -> Outcome:
    path = ConfigPath(connection, options.path, warn)
    work = [
        _Function(target, {q: d for (name, q), d in expansion.desired.items() if name == target.name})
        for target in sorted(expansion.functions.values(), key=lambda t: t.name)
    ]
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        list(pool.map(lambda item: _read_and_plan(path.client, item, options), work))
        list(pool.map(lambda item: item.walk(lambda a: path.needs_function(a) and path.function(a.target)), work))
        checks = path.check([use for item in work for action in item.actions for use in path.uses(action)])
        for item in work:
            item.walk(lambda a: _refuse(path, a))
        list(pool.map(lambda item: item.walk(lambda a: _record(item, path.finish(a))), [i for i in work if i.actions]))
    return Outcome(
        changes=sorted((c for item in work for c in item.changes), key=lambda c: c.key),
        failures=sorted((f for item in work for f in item.failures), key=lambda f: (f.function_name, f.qualifier)),
        configs=sorted((c for item in work for c in item.current or []), key=lambda c: c.key),
        checks=checks,
        missing=sorted(item.target.name for item in work if item.current is None),
    )


def _read_and_plan(client: object, item: _Function, options: Options) -> None:
    try:
        item.current = api.list_configs(client, item.target.function_name)
    except AwsError as error:
        for qualifier in sorted(item.desired) or ["*"]:
            item.fail(qualifier, str(error))
        return
    if item.current is None and options.state in WRITING_STATES:
        missing = str(api.missing_function(item.target, "ListFunctionEventInvokeConfigs"))
        for qualifier in sorted(item.desired):
            item.fail(qualifier, missing)
        return
    item.actions = plan_function(options.state, item.target, item.desired, item.current, options.delete_unlisted)


def _refuse(path: ConfigPath, action: Action) -> None:
    refusal = path.refusal(action)
    if refusal:
        raise refusal


def _record(item: _Function, change: Optional[Change]) -> None:
    if change:
        item.changes.append(change)
