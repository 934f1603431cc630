# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The path of a task's writes, the same under both writing modules: one call, `ConfigPath.run`, takes the planned
actions (the single-config module's is a batch of one) and returns what was decided for each, as values.

    refuse    a new destination that can never receive records (a FIFO queue or topic) is refused, from its ARN;
    identify  GetFunction where needed: the identity of a config check mode would create, the execution role of a
              config whose new destinations are checked, and a qualifier a removal-only task names with no config;
    check     the destination preflight over every new destination (each destination read once, each role simulated
              once): always in check mode, in real runs with preflight=always; a default real run checks only what
              AWS accepts and then loses, the KMS key of a new encrypted destination (C19);
    finish    check mode predicts the config a write would leave; a real run writes it (Put, or Delete). A write AWS
              refuses for a destination comes back to the path, which diagnoses it with the same reads and either
              fails it naming the cause or retries it for propagation.

converge.py adds only what is about many functions: reading and planning each function's configs.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Executor
from typing import Callable
from typing import Iterable
from typing import NamedTuple
from typing import Optional
from typing import TypeVar

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import NotADestination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import parse_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DENIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import destination_named_in
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import refusal_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_check
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_reason
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import CREATE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import DELETE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import LATEST
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import UNSET
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import UPDATE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import ALWAYS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import CHECK_MODE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import NEVER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DestinationUse
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Preflight
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Probe
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Refused
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import refused
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import DESTINATION_PROPAGATION_REASON
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import PERMISSION_PROPAGATION_REASON
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetryReason

T = TypeVar("T")
R = TypeVar("R")
PROPAGATION = (DESTINATION_PROPAGATION_REASON, PERMISSION_PROPAGATION_REASON)


class Change(NamedTuple):
    """What an action did (or, in check mode, would do)."""

    kind: str  # created | updated | deleted
    before: Optional[EventInvokeConfig]
    after: Optional[EventInvokeConfig]

    @property
    def key(self) -> tuple[str, str]:
        config = self.after or self.before
        if config is None:  # never: every change has a before or an after
            raise ValueError("a change with neither a before nor an after")
        return config.key


class Outcome(NamedTuple):
    """What the path decided for one action, or for one qualifier it had to show exists (`action` None)."""

    target: Target
    action: Optional[Action] = None
    checks: tuple[DestinationCheck, ...] = ()  # the verdicts on its new destinations (or on a refused write's)
    change: Optional[Change] = None  # made, or predicted; None with no failure: a Delete found it already gone
    failure: Optional[AwsError] = None  # refused, or failed


class Decided(NamedTuple):
    outcomes: list[Outcome]  # one per action, in order, then one per qualifier that could not be shown to exist
    checks: list[DestinationCheck]  # every verdict, once per destination, role and half


class PathOptions(NamedTuple):
    check_mode: bool
    preflight_mode: str  # check_mode | always | never
    retry_timeout: float

    @property
    def checks_destinations(self) -> bool:
        """Whether the whole preflight runs before writing (or predicting): the one place that decides it."""
        return self.preflight_mode == ALWAYS or (self.preflight_mode == CHECK_MODE and self.check_mode)

    @property
    def checks_keys(self) -> bool:
        """Whether a real run checks the keys of new encrypted destinations: AWS accepts a key the role may not use
        and drops every record (C19), so only this finds it. preflight=never turns it off."""
        return self.preflight_mode != NEVER

    @property
    def diagnoses_refusals(self) -> bool:
        """Whether a write AWS refuses for a destination is diagnosed; preflight=never means plain bounded retries."""
        return self.preflight_mode != NEVER


class _Sequential:
    """An Executor's `map`, one item after another (the single-config module)."""

    @staticmethod
    def map(fn: Callable[[T], R], items: Iterable[T]) -> Iterable[R]:
        return map(fn, items)


class ConfigPath:
    """The path of one task's actions. Thread-safe: functions' actions run concurrently when given a pool."""

    def __init__(self, connection: Connection, options: PathOptions, warn: Callable[[str], None]) -> None:
        self.client = connection.lambda_client
        self.options = options
        self.preflight = Preflight(connection, warn)
        self._functions: dict[tuple[str, str], Optional[api.Function]] = {}
        self._lock = threading.Lock()

    def run(self, actions: list[Action], proofs: Iterable[Target] = (), pool: Optional[Executor] = None) -> Decided:
        """Every step for these actions; `proofs` are qualifiers a removal-only task named where no config was read
        (see event_invoke_config.unproven): each must exist, or fails naming it."""
        mapper = pool or _Sequential()
        failures: dict[int, AwsError] = {}
        checks: dict[int, list[DestinationCheck]] = {index: self._never_receiving(a) for index, a in enumerate(actions)}
        for index, found in checks.items():
            if refused(found):
                failures[index] = _refusal(found, self.options.check_mode)
        proofs = list(proofs)
        proven = _each(mapper, self._prove, proofs)
        live = [index for index in range(len(actions)) if index not in failures]
        for index, failure in _each(mapper, lambda i: self._identify(actions[i]), live).items():
            if failure:
                failures[index] = failure
        verdicts = self._check({i: actions[i] for i in range(len(actions)) if i not in failures}, mapper)
        for index, found in verdicts.items():
            checks[index] += found
            if refused(found):
                failures[index] = _refusal(found, self.options.check_mode)
        outcomes = [
            Outcome(action.target, action, tuple(checks[index]), failure=failures.get(index))
            for index, action in enumerate(actions)
        ]
        outcomes = self._finish(outcomes, mapper)
        outcomes += [Outcome(target, failure=failure) for target, failure in proven.items() if failure]
        every = [check for outcome in outcomes for check in outcome.checks]
        # Reported once per destination, role and half: 300 configs using one queue are one entry.
        return Decided(outcomes, list({(c.arn, c.role, c.half): c for c in every}.values()))

    # -- refuse

    @staticmethod
    def _never_receiving(action: Action) -> list[DestinationCheck]:
        """A new destination that can never receive records (FIFO), refused from its ARN whatever the options say.
        One a config already holds is no change and is not refused (the audit reports it)."""
        found = []
        for half, arn in action.new_destinations().items():
            reason = unsupported_reason(half, arn)
            if reason:
                found.append(unsupported_check(half, arn, None, reason))
        return found

    # -- identify

    def _identify(self, action: Action) -> Optional[AwsError]:
        """GetFunction for a config check mode would create (its ARN, and whether the qualifier exists), for one a
        real run would create on a version or alias (one that does not exist then costs a read on GetFunction's own
        quota, not a refused write on the shared 15/s), and for one whose new destinations the preflight checks
        (its execution role)."""
        if action.kind == DELETE:
            return None
        named = action.target.qualifier != LATEST
        creating = action.kind == CREATE and (self.options.check_mode or named)
        # Lambda keeps the config of a deleted alias or version (C15) and a Put on it answers 404: check mode reads
        # the qualifier of an update too, so it fails where the real run would (issue 21). $LATEST goes only with
        # its function, which the List or Get already found.
        orphan = self.options.check_mode and action.kind == UPDATE and named
        if creating or orphan or (self.options.checks_destinations and action.new_destinations()):
            try:
                self.function(action.target)
            except AwsError as error:
                return error
        return None

    def _prove(self, target: Target) -> Optional[AwsError]:
        try:
            self.function(target)
        except AwsError as error:
            return error
        return None

    def function(self, target: Target) -> api.Function:
        """The qualifier's identity and execution role: GetFunction, once per config; a missing function or
        qualifier fails naming it."""
        found = self._read_function(target)
        if found is None:
            raise api.missing_target(target, "GetFunction", self.options.check_mode, api.client_region(self.client))
        return found

    def _read_function(self, target: Target) -> Optional[api.Function]:
        key = (target.name, target.qualifier)
        with self._lock:
            known = key in self._functions
        if not known:
            found = self.preflight.read_function(target, "the execution roles (and new configs' ARNs)")
            with self._lock:
                self._functions[key] = found
        return self._functions[key]

    # -- check

    def _check(self, actions: dict[int, Action], mapper: _Sequential | Executor) -> dict[int, list[DestinationCheck]]:
        """The preflight's verdicts on each action's new destinations (each destination read once, each role
        simulated once, however many actions share them)."""
        if self.options.checks_destinations:
            uses = {
                index: [DestinationUse(half, arn, self.function(action.target)) for half, arn in new.items()]
                for index, action in actions.items()
                if (new := action.new_destinations())
            }
        elif self.options.checks_keys and not self.options.check_mode:
            uses = self._key_uses(actions, mapper)
        else:
            return {}
        if not uses:
            return {}
        verdicts = self.preflight.verdicts([use for found in uses.values() for use in found])
        return {index: [verdicts[use] for use in found] for index, found in uses.items()}

    def _key_uses(self, actions: dict[int, Action], mapper: _Sequential | Executor) -> dict[int, list[DestinationUse]]:
        """What a default real run checks: the new destinations of a kind that can be encrypted, read once each;
        those the read shows encrypted, or not found, are checked whole with the function's role and account
        (GetFunction, on its own quota): a key the role may not use is warned about, a destination that is missing
        refused as AWS would, and one in another account the caller cannot see is unverified, not missing."""
        found: dict[int, dict[str, str]] = {}
        for index, action in actions.items():
            for half, arn in action.new_destinations().items():
                probed = self._existence(arn)
                if probed is not None and (probed.key_id or probed.exists.value is False):
                    found.setdefault(index, {})[half] = arn
        proven = _each(mapper, lambda i: self._prove(actions[i].target), list(found))
        return {
            index: [DestinationUse(half, arn, self.function(actions[index].target)) for half, arn in halves.items()]
            for index, halves in found.items()
            if proven[index] is None  # else the function or qualifier is missing: the write says so itself
        }

    def _existence(self, arn: str) -> Optional[Probe]:
        try:
            destination = parse_destination(arn)
        except NotADestination:  # validation refused these before any call
            return None
        return self.preflight.existence(destination) if destination.kind.encrypted else None

    # -- predict or write

    def _finish(self, outcomes: list[Outcome], mapper: _Sequential | Executor) -> list[Outcome]:
        """Each action not refused, predicted or written; a function's writes one after another (AWS answers 409 to
        concurrent writes on one function), different functions concurrently."""
        if self.options.check_mode:
            return [o if o.failure or o.action is None else self._predict(o) for o in outcomes]
        gate = FirstWrites(self)
        by_function: dict[str, list[int]] = {}
        for index, outcome in enumerate(outcomes):
            if outcome.failure is None and outcome.action is not None:
                by_function.setdefault(outcome.target.name, []).append(index)
        finished = dict(enumerate(outcomes))

        def write_all(indexes: list[int]) -> None:
            for index in indexes:
                finished[index] = gate.write(outcomes[index])

        list(mapper.map(write_all, list(by_function.values())))
        return [finished[index] for index in range(len(outcomes))]

    def _predict(self, outcome: Outcome) -> Outcome:
        action = _action(outcome)
        if action.kind == DELETE:
            return outcome._replace(change=Change(DELETE, action.before, None))
        identity = action.before or self.function(action.target).identity
        return outcome._replace(
            change=Change(action.kind, action.before, identity.with_settings(action.settings or UNSET))
        )

    def write(self, outcome: Outcome) -> Outcome:
        """The write, whose response is the result (no re-read). A destination refusal comes back here (the retry
        policy does not retry it): diagnosed with the preflight's reads, it fails at once naming the cause, or is
        retried for propagation within what is left of retry_timeout."""
        action = _action(outcome)
        timeout = self.options.retry_timeout
        if action.kind == DELETE:
            try:
                gone = api.delete_config(self.client, action.target, timeout)
            except AwsError as error:
                return outcome._replace(failure=error)
            return outcome._replace(change=Change(DELETE, action.before, None) if gone else None)
        settings = action.settings or UNSET
        start = time.monotonic()
        classify = _stop_at_refusal if self.options.diagnoses_refusals else api.retryable
        try:
            after = api.put_config(self.client, action.target, settings, timeout, classify)
        except AwsError as error:
            reason = api.retryable(error)
            if classify is api.retryable or reason not in PROPAGATION:
                return outcome._replace(failure=error)
            checks, retry = self._diagnose(action, error, reason)
            if retry is None:
                cause = refusal_message(checks, check_mode=False)
                return outcome._replace(
                    checks=tuple(checks), failure=Refused(f"{error} — not retried: {cause}", checks, error)
                )
            remaining = max(0.0, timeout - (time.monotonic() - start))
            try:
                after = api.put_config(self.client, action.target, settings, remaining, _explained(retry))
            except AwsError as again:
                return outcome._replace(checks=tuple(checks), failure=again)
        return outcome._replace(change=Change(action.kind, action.before, after))

    def _diagnose(
        self, action: Action, error: AwsError, reason: RetryReason
    ) -> tuple[list[DestinationCheck], Optional[RetryReason]]:
        """Why AWS refused a write for a destination: the checks, and None when they show a permanent cause (the
        destination is missing, the role denied); otherwise how to retry it, saying what the checks found."""
        halves = (action.settings or UNSET).destinations()
        named = destination_named_in(error.message)
        suspects = {half: arn for half, arn in halves.items() if arn == named} or halves
        try:
            owner = self._read_function(action.target)
            if owner is None:  # the function went away between the write and this read: nothing to diagnose
                return [], reason
            checks = self.preflight.check([DestinationUse(half, arn, owner) for half, arn in suspects.items()])
        except AwsError:  # the diagnosis could not read (throttled, no answer): AWS's own message is kept
            return [], reason
        if refused(checks):
            return checks, None
        verified = all(check.outcome == OK for check in checks)
        found = (
            "the destination exists and the role's policies allow it" if verified else "the preflight could not tell"
        )
        return checks, RetryReason(f"{reason.text}, and {found}", reason.advice)


def _each(mapper: _Sequential | Executor, fn: Callable[[T], R], keys: list[T]) -> dict[T, R]:
    """`fn` on each key, through the pool when there is one, by key."""
    return dict(zip(keys, mapper.map(fn, keys)))  # noqa: B905 - one result per key; strict= needs Python 3.10


def _action(outcome: Outcome) -> Action:
    if outcome.action is None:  # never: only actions are predicted or written
        raise ValueError(f"no action for {outcome.target}")
    return outcome.action


def _stop_at_refusal(error: Exception) -> Optional[RetryReason]:
    """The retry policy of a write whose refusals are diagnosed: conflicts are retried, a destination refusal is
    returned to the path at once (it may be permanent: the path reads to tell)."""
    reason = api.retryable(error)
    return None if reason in PROPAGATION else reason


def _explained(retry: RetryReason) -> api.Classify:
    """The retry policy once a diagnosis found no permanent cause: propagation is retried, and says what was found."""

    def classify(error: Exception) -> Optional[RetryReason]:
        reason = api.retryable(error)
        return retry if reason in PROPAGATION else reason

    return classify


def _refusal(checks: list[DestinationCheck], check_mode: bool) -> Refused:
    """The failure of a write the checks show AWS would refuse (before any write)."""
    return Refused(refusal_message(checks, check_mode), checks, check_mode=check_mode)


class FirstWrites:
    """One refused write per cause (real runs). The first write that sets a destination not yet proven goes alone;
    the others that set it wait for it. Once a write setting it succeeded, it is proven and they go on together. If
    AWS refused it and the diagnosis found a permanent cause, every other write that sets that destination fails
    with the same cause without a call: a missing destination for every function, a denied role for the functions
    with that role (their GetFunction, on its own quota, tells). Any other failure leaves the destination unproven,
    and the next write that sets it goes alone. With preflight=never nothing is diagnosed, so nothing waits. It
    learns from the outcomes the path returns.
    """

    def __init__(self, path: ConfigPath) -> None:
        self._path = path
        self._changed = threading.Condition()
        self._in_flight: set[str] = set()
        self._proven: set[str] = set()
        self._missing: dict[str, Refused] = {}
        self._denied: dict[tuple[str, object], Refused] = {}  # (destination, role)

    def write(self, outcome: Outcome) -> Outcome:
        action = outcome.action
        if action is None or not self._path.options.diagnoses_refusals:
            return self._path.write(outcome)
        try:
            held = self._enter(action, sorted(set(action.new_destinations().values())))
        except AwsError as error:  # the same cause as a write already refused, or the role could not be read
            return outcome._replace(failure=error)
        written = self._path.write(outcome)
        with self._changed:
            if isinstance(written.failure, Refused):
                self._learn(written.failure)
            self._in_flight.difference_update(held)
            if written.failure is None:
                self._proven.update(held)
            self._changed.notify_all()
        return written

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
        for check in refusal.checks:
            if check.outcome == MISSING:
                self._missing[check.arn] = refusal
            elif check.outcome == DENIED:
                self._denied[(check.arn, check.role)] = refusal


_UNKNOWN = object()  # a role not read yet


def _same_cause(refusal: Refused) -> Refused:
    return Refused(f"{refusal.cause} Not written: AWS refused the same destination for another config.", refusal.checks)
