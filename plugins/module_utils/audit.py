# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The destination audit of lambda_event_invoke_config_info (check_destinations): what is there, checked the way the
preflight checks what a write would set.

Each destination of each config returned, and the dead-letter queue or topic of each function qualifier that has a
config (its DeadLetterConfig), must exist where its ARN says, be a kind that half can deliver to and not FIFO, and be
one the qualifier's execution role may deliver to. The verdicts are the preflight's (preflight.py, destinations.py),
so whatever the preflight learns to check, the audit checks too.

Beyond the destinations, two findings come from what GetFunction says:
  orphaned  a config whose version or alias no longer exists (GetFunction 404 on it, C15): Lambda keeps listing the
            config, and it can only be deleted. A 404 on $LATEST means the function itself is gone (it cannot be
            deleted alone): that config is left out, as a function that is not listed at all.
  dropped   a function with reserved concurrency 0 (C20) and no working failure route on the qualifier (no on_failure
            destination or dead-letter target whose check is ok): Lambda discards its asynchronous events at once.
A region scan also audits each function that has no config at all, as its $LATEST: its dead-letter target (Role and
DeadLetterConfig come with the ListFunctions item, no read of their own) and its reserved concurrency.

Cost, on top of the listing: one GetFunction per function qualifier with a config (its role, dead-letter target and
reserved concurrency), made as each function's configs are listed; in a region scan, one GetFunction ($LATEST) per
function without any config too, for its reserved concurrency, which ListFunctions does not carry (GetFunction has a
quota of its own, 100 requests/s, apart from the 15/s the listing spends). Then one Preflight over every use, so each
distinct destination is read once and each distinct execution role simulated once, whichever configs and functions
share them. Reads only. A read the caller may not make (GetFunction included) leaves its checks unverified and warns
once, naming the permission; no finding fails the task.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import DEAD_LETTER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import ON_FAILURE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import Function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import LATEST
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DestinationUse
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Preflight

NAME = "Destination audit"
OPT_OUT = "set check_destinations: false"
FUNCTION_READ = "the execution roles, dead-letter targets and reserved concurrencies"  # what GetFunction gives

ConfigKey = tuple[str, str]  # (function name, qualifier)


class Subject(NamedTuple):
    """One function qualifier the audit looks at: a config's, or $LATEST of a function without any config."""

    key: ConfigKey
    function: Optional[Function]  # None: the qualifier no longer exists, so its config is orphaned
    uses: list[DestinationUse]


class Audit:
    """The audit of one task. Thread-safe: the region scan identifies each function's configs in its own worker."""

    def __init__(self, connection: Connection, warn: Callable[[str], None], overlap: bool = False) -> None:
        self.client = connection.lambda_client
        self.preflight = Preflight(connection, warn, NAME, OPT_OUT)
        self._subjects: dict[ConfigKey, Subject] = {}
        self._lock = threading.Lock()
        # A region scan checks a role's first function's destinations as soon as it is identified, so IAM's pace
        # (5 simulations/s) overlaps the scan instead of following it: with one role per function (CDK, SAM and
        # Serverless's default) that is every simulation. A role seen before waits for checks(), which asks it the
        # rest in one call: never twice for the same question, and a shared role costs at most one call more.
        self._overlap = overlap
        self._roles_seen: set[str] = set()

    def identify(self, configs: list[EventInvokeConfig], concurrency: int = 1) -> list[EventInvokeConfig]:
        """GetFunction for each config's qualifier (its execution role, dead-letter target and the function's reserved
        concurrency), `concurrency` at a time; the configs still there. A config whose version or alias is gone stays
        (orphaned); one whose function is gone since it was listed is left out."""
        if concurrency > 1 and len(configs) > 1:
            with ThreadPoolExecutor(max_workers=min(concurrency, len(configs))) as pool:
                found = list(pool.map(self._identify_one, configs))
        else:
            found = [self._identify_one(config) for config in configs]
        kept = [config for config in found if config is not None]
        self._check_new_roles([self._subjects[config.key] for config in kept])
        return kept

    def _identify_one(self, config: EventInvokeConfig) -> Optional[EventInvokeConfig]:
        target = Target(config.function_name, config.function_name, config.qualifier)
        # Denied: no role and no dead-letter target; the destinations are still looked for, role checks unverified.
        function = self.preflight.read_function(target, FUNCTION_READ)
        if function is None and config.qualifier == LATEST:
            return None  # $LATEST cannot be deleted alone: the function is gone, and its configs with it (C15)
        uses = destination_uses(config, function) if function else []  # orphaned: no role to check them with
        self._keep(Subject(config.key, function, uses))
        return config

    def identify_unconfigured(self, listed: Function) -> None:
        """A function with no config, as its ListFunctions item tells it ($LATEST's role and dead-letter target):
        one GetFunction for its reserved concurrency, which the listing does not carry. Nothing is kept for a
        function deleted since it was listed; a caller that may not call GetFunction gets the dead-letter check
        with the listed role, and no reserved concurrency."""
        name = listed.identity.function_name
        read = self.preflight.read_function(Target(name, name, LATEST), FUNCTION_READ)
        if read is None:
            return
        function = listed._replace(reserved_concurrency=read.reserved_concurrency)
        subject = Subject(listed.identity.key, function, dead_letter_uses(function))
        self._keep(subject)
        self._check_new_roles([subject])

    def _check_new_roles(self, subjects: list[Subject]) -> None:
        """With overlap, the verdicts on these subjects' uses whose role no earlier function had (see __init__)."""
        if not self._overlap:
            return
        with self._lock:
            uses = [use for s in subjects for use in s.uses if use.function.role not in self._roles_seen]
            self._roles_seen.update(use.function.role for s in subjects for use in s.uses if use.function.role)
        if uses:
            self.preflight.verdicts(uses)  # kept in the preflight's caches; checks() reads them without a call

    def _keep(self, subject: Subject) -> None:
        with self._lock:
            self._subjects[subject.key] = subject

    def checks(self) -> dict[ConfigKey, list[DestinationCheck]]:
        """The verdicts on every identified config's (and unconfigured function's) destinations, in the order
        on_success, on_failure, dead_letter: one preflight over all of them, so each destination is read and each
        role simulated once."""
        uses = [use for subject in self._subjects.values() for use in subject.uses]
        verdicts = self.preflight.verdicts(uses)
        return {key: [verdicts[use] for use in subject.uses] for key, subject in self._subjects.items()}

    def findings(self, checks: dict[ConfigKey, list[DestinationCheck]]) -> list[Finding]:
        """Every finding, sorted by function name then qualifier as the configs are: the checks that are not ok, an
        orphaned config, events dropped."""
        return [
            finding
            for key, subject in sorted(self._subjects.items())
            for finding in subject_findings(subject, checks[key])
        ]


def destination_uses(config: EventInvokeConfig, function: Function) -> list[DestinationUse]:
    """The config's destinations, then the qualifier's dead-letter target, as the function would use them."""
    uses = [DestinationUse(half, arn, function) for half, arn in config.settings.destinations().items()]
    return uses + dead_letter_uses(function)


def dead_letter_uses(function: Function) -> list[DestinationUse]:
    return [DestinationUse(DEAD_LETTER, function.dead_letter, function)] if function.dead_letter else []


def check_result(check: DestinationCheck) -> dict[str, str]:
    """One item of an entry's destination_checks."""
    return {
        "half": check.half,
        "destination": check.arn,
        "outcome": check.outcome,
        "message": check.message(),
    }


FUNCTION = "function"  # a finding about the function itself (its execution role)
QUALIFIER = "qualifier"  # a finding about the version or alias a config belongs to (it no longer exists)
ORPHANED = "orphaned"
DROPPED = "dropped"
FAILURE_ROUTES = (ON_FAILURE, DEAD_LETTER)  # where Lambda sends an event it gives up on (C20)


class Finding(NamedTuple):
    """One thing the audit found wrong: which config, what about it (a half, the dead-letter target, the qualifier or
    the function itself), the outcome, and its cause: the message without the config it is about, what findings with
    the same cause share (a job prints one line per cause). The message names the function and qualifier, so a line
    of a job's output says where. The destination checks are one source of findings; GetFunction is another."""

    function_name: str
    qualifier: str
    about: str  # on_success | on_failure | dead_letter | qualifier | function
    destination: Optional[str]
    outcome: str
    cause: str

    @classmethod
    def from_check(cls, key: ConfigKey, check: DestinationCheck) -> Finding:
        return cls(*key, check.half, check.arn, check.outcome, check.message())

    @property
    def message(self) -> str:
        """NAME:QUALIFIER: cause."""
        return f"{self.function_name}:{self.qualifier}: {self.cause}"

    def to_result(self) -> dict[str, Optional[str]]:
        return {**self._asdict(), "message": self.message}


def check_findings(key: ConfigKey, checks: list[DestinationCheck]) -> list[Finding]:
    """One finding per check that is not ok; a deleted execution role (C25) is one finding about the function, not
    one per destination it makes unusable."""
    found = [Finding.from_check(key, check) for check in checks if check.outcome != OK and not check.role_missing]
    role = next((check.role for check in checks if check.role_missing), None)
    return ([missing_role(key, role)] if role else []) + found


def missing_role(key: ConfigKey, role: str) -> Finding:
    """The function's execution role does not exist (SimulatePrincipalPolicy answered NoSuchEntity, C25)."""
    cause = (
        f"The function's execution role {role} does not exist (IAM answered NoSuchEntity): the function cannot run, "
        "and none of its destinations or its dead-letter target can be used. Give the function an existing role "
        "(UpdateFunctionConfiguration), or delete the function."
    )
    return Finding(*key, FUNCTION, None, MISSING, cause)


def subject_findings(subject: Subject, checks: list[DestinationCheck]) -> list[Finding]:
    """What is wrong with one qualifier: its qualifier is gone, or its destinations' checks, then dropped events."""
    if subject.function is None:
        return [orphaned(subject.key)]
    found = check_findings(subject.key, checks)
    drop = dropped(subject.key, subject.function.reserved_concurrency, checks)
    return found + ([drop] if drop else [])


def orphaned(key: ConfigKey) -> Finding:
    """A config whose version or alias was deleted: Lambda still lists it, and Put and Update answer 404 (C15)."""
    name, qualifier = key
    cause = (
        f"The qualifier {qualifier} of function {name} no longer exists, but Lambda keeps its event invoke config: it "
        "can only be deleted (state: absent, or lambda_event_invoke_configs state: deleted)."
    )
    return Finding(name, qualifier, QUALIFIER, None, ORPHANED, cause)


def dropped(key: ConfigKey, reserved: Optional[int], checks: list[DestinationCheck]) -> Optional[Finding]:
    """Reserved concurrency 0 switches the function off: Lambda sends each asynchronous event at once, without
    retries, to the on_failure destination or the dead-letter target, and discards it when neither works (C20).
    None when the function may run, or when a failure route checks out."""
    if reserved != 0:
        return None
    routes = [check for check in checks if check.half in FAILURE_ROUTES]
    if any(check.outcome == OK for check in routes):
        return None
    if routes:
        why = " ".join(f"Its {route_name(check.half)} {check.arn} is {check.outcome}." for check in routes)
    else:
        why = "It has no on_failure destination and no dead-letter queue."
    cause = (
        "The function's reserved concurrency is 0, so Lambda discards every asynchronous event at once, without "
        f"retries. {why} Route them to an on_failure destination or a dead-letter queue that works, or give the "
        "function concurrency again."
    )
    return Finding(*key, ON_FAILURE, None, DROPPED, cause)


def route_name(half: str) -> str:
    return "dead-letter target" if half == DEAD_LETTER else f"{half} destination"
