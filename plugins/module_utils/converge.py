# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bringing many functions' configs to a desired state as fast as Lambda's quota allows (the I/O side of
desired_state.py).

    read     one ListFunctionEventInvokeConfigs per function (never a Get per qualifier), concurrently;
    plan     desired_state.plan_function, per function;
    check    check mode (or preflight=always): GetFunction for each config that would be created or get a new
             destination (the identity of a new config, its execution role), then the destination preflight once
             per distinct destination and role;
    write    only what differs; a function's writes one after another (AWS answers 409 to concurrent writes on one
             function), different functions concurrently.

Every Lambda call goes through one client shared by a bounded pool, paced by the task's token bucket and botocore's
adaptive retries. One config's failure never stops the others: it is collected, and the task fails at the end with
every failure and every change that was made.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import Callable
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import CREATED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import REMOVED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import WRITING_STATES
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import Desired
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import Expansion
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.desired_state import plan_function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import refusal_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import UNSET
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import new_destinations
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DestinationUse
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Preflight
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import refusal_classifier
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import refused


class Options(NamedTuple):
    state: str
    check_mode: bool
    preflight: str  # check_mode | always | never
    retry_timeout: float
    concurrency: int
    delete_unlisted: bool  # state=deleted with no config: every config in scope goes


class Change(NamedTuple):
    action: str  # created | updated | deleted
    before: Optional[EventInvokeConfig]
    after: Optional[EventInvokeConfig]

    @property
    def key(self) -> tuple[str, str]:
        return (self.after or self.before or _NONE).key


_NONE = EventInvokeConfig(None, "", "")  # never used: every change has a before or an after


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


class _Function:
    """One function's work: its configs as read, its planned actions, and what became of them."""

    def __init__(self, target: Target, desired: dict[str, Desired]) -> None:
        self.target = target
        self.desired = desired
        self.current: Optional[list[EventInvokeConfig]] = None
        self.actions: list[Action] = []
        self.identities: dict[str, api.Function] = {}
        self.changes: list[Change] = []
        self.failures: list[Failure] = []

    def fail(self, qualifier: str, error: str) -> None:
        self.failures.append(Failure(self.target.name, qualifier, error))


def converge(connection: Connection, expansion: Expansion, options: Options, warn: Callable[[str], None]) -> Outcome:
    client = connection.lambda_client
    preflight = Preflight(connection, warn)
    work = [
        _Function(target, {q: d for (name, q), d in expansion.desired.items() if name == target.name})
        for target in sorted(expansion.functions.values(), key=lambda t: t.name)
    ]
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        list(pool.map(lambda item: _read_and_plan(client, item, options), work))
        checking = options.preflight == "always" or (options.check_mode and options.preflight == "check_mode")
        needs_identity = [item for item in work if _identities_needed(item, options, checking)]
        list(pool.map(lambda item: _read_identities(client, item, options, checking), needs_identity))
        checks = _check_destinations(preflight, work, options.check_mode) if checking else []
        if options.check_mode:
            for item in work:
                _predict(item)
        else:
            list(pool.map(lambda item: _write(client, preflight, item, options), [i for i in work if i.actions]))
    return Outcome(
        changes=sorted((c for item in work for c in item.changes), key=lambda c: c.key),
        failures=sorted((f for item in work for f in item.failures), key=lambda f: (f.function_name, f.qualifier)),
        configs=sorted((c for item in work for c in item.current or []), key=lambda c: c.key),
        checks=checks,
    )


def _read_and_plan(client: Any, item: _Function, options: Options) -> None:
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


def _identities_needed(item: _Function, options: Options, checking: bool) -> list[Action]:
    """GetFunction is needed for a config check mode would create (its ARN, and whether the qualifier exists) and
    for every config that would get a new destination while destinations are checked (the execution role)."""
    return [
        action
        for action in item.actions
        if action.kind != REMOVED and ((options.check_mode and action.kind == CREATED) or (checking and _new(action)))
    ]


def _new(action: Action) -> dict[str, str]:
    return new_destinations(action.before, action.settings or UNSET)


def _read_identities(client: Any, item: _Function, options: Options, checking: bool) -> None:
    for action in _identities_needed(item, options, checking):
        try:
            function = api.get_function(client, action.target)
        except AwsError as error:
            item.fail(action.target.qualifier, str(error))
            continue
        if function is None:
            item.fail(
                action.target.qualifier, str(api.missing_target(action.target, "GetFunction", options.check_mode))
            )
        else:
            item.identities[action.target.qualifier] = function
    item.actions = [a for a in item.actions if not _failed(item, a)]


def _failed(item: _Function, action: Action) -> bool:
    return any(failure.qualifier == action.target.qualifier for failure in item.failures)


def _check_destinations(preflight: Preflight, work: list[_Function], check_mode: bool) -> list[DestinationCheck]:
    """One preflight over every new destination of every planned write: each destination read once, each role
    simulated once. A config whose destination would be refused is not written, and fails."""
    requests: list[tuple[_Function, Action, DestinationUse]] = []
    for item in work:
        for action in item.actions:
            function = item.identities.get(action.target.qualifier)
            if action.kind != REMOVED and function is not None:
                requests.extend(
                    (item, action, DestinationUse(half, arn, function)) for half, arn in _new(action).items()
                )
    checks = preflight.check([request for _item, _action, request in requests]) if requests else []
    # Reported once per destination and role (the reads were made once): 300 configs using one queue are one entry.
    unique = list({(c.destination.arn, c.role, c.half): c for c in checks}.values())
    verdicts: dict[tuple[int, str], list[DestinationCheck]] = {}
    for index, (item, action, _request) in enumerate(requests):  # check() answers in the order it was asked
        verdicts.setdefault((id(item), action.target.qualifier), []).append(checks[index])
    for item in work:
        for action in list(item.actions):
            found = verdicts.get((id(item), action.target.qualifier), [])
            if refused(found):
                item.fail(action.target.qualifier, refusal_message(found, check_mode))
                item.actions.remove(action)
    return unique


def _predict(item: _Function) -> None:
    for action in item.actions:
        if action.kind == REMOVED:
            item.changes.append(Change(REMOVED, action.before, None))
            continue
        identity = action.before or item.identities[action.target.qualifier].identity
        item.changes.append(Change(action.kind, action.before, identity.with_settings(action.settings or UNSET)))


def _write(client: Any, preflight: Preflight, item: _Function, options: Options) -> None:
    """This function's writes, one after another."""
    for action in item.actions:
        try:
            if action.kind == REMOVED:
                if api.delete_config(client, action.target, options.retry_timeout):
                    item.changes.append(Change(REMOVED, action.before, None))
                continue
            after = api.put_config(
                client,
                action.target,
                action.settings or UNSET,
                options.retry_timeout,
                _classify(client, preflight, item, action, options),
            )
            item.changes.append(Change(action.kind, action.before, after))
        except AwsError as error:
            item.fail(action.target.qualifier, str(error))


def _classify(client: Any, preflight: Preflight, item: _Function, action: Action, options: Options) -> api.Classify:
    if options.preflight == "never":
        return api.retryable

    def function() -> Optional[api.Function]:
        return item.identities.get(action.target.qualifier) or api.get_function(client, action.target)

    return refusal_classifier(preflight, (action.settings or UNSET).destinations(), function)
