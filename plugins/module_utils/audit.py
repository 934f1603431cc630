# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The destination audit of lambda_event_invoke_config_info (check_destinations): what is there, checked the way the
preflight checks what a write would set.

Each destination of each config returned, and the dead-letter queue or topic of each function qualifier that has a
config (its DeadLetterConfig), must exist where its ARN says, be a kind that half can deliver to and not FIFO, and be
one the qualifier's execution role may deliver to. The verdicts are the preflight's (preflight.py, destinations.py),
so whatever the preflight learns to check, the audit checks too.

Cost, on top of the listing: one GetFunction per function qualifier with a config (its role and dead-letter target;
GetFunction has a quota of its own), made as each function's configs are listed; then one Preflight over every use,
so each distinct destination is read once and each distinct execution role simulated once, whichever configs share
them. Reads only. A read the caller may not make leaves its checks unverified and warns once, naming the permission;
no finding fails the task.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable
from typing import Optional
from typing import Union

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DEAD_LETTER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Finding
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import parse_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_check
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_reason
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DENIED_CODES
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DestinationUse
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Preflight

GET_FUNCTION = "lambda:GetFunction"
NAME = "Destination audit"
OPT_OUT = "set check_destinations: false"

Key = tuple[str, str]  # (function name, qualifier)
# What one config's audit needs: a use for the preflight, or a verdict known without it.
Pending = Union[DestinationUse, DestinationCheck]


class Audit:
    """The audit of one task. Thread-safe: the region scan identifies each function's configs in its own worker."""

    def __init__(self, connection: Connection, warn: Callable[[str], None]) -> None:
        self.client = connection.lambda_client
        self.preflight = Preflight(connection, warn, NAME, OPT_OUT)
        self._warn = warn
        self._pending: dict[Key, list[Pending]] = {}
        self._denied_warned = False
        self._lock = threading.Lock()

    def identify(self, configs: list[EventInvokeConfig], concurrency: int = 1) -> list[EventInvokeConfig]:
        """GetFunction for each config's qualifier (its execution role and dead-letter target), `concurrency` at a
        time; the configs whose function qualifier still exists (one deleted since it was listed is left out)."""
        if concurrency > 1 and len(configs) > 1:
            with ThreadPoolExecutor(max_workers=min(concurrency, len(configs))) as pool:
                found = list(pool.map(self._identify_one, configs))
        else:
            found = [self._identify_one(config) for config in configs]
        return [config for config in found if config is not None]

    def _identify_one(self, config: EventInvokeConfig) -> Optional[EventInvokeConfig]:
        halves = config.settings.destinations()
        target = Target(config.function_name, config.function_name, config.qualifier)
        try:
            function = api.get_function(self.client, target)
        except AwsError as error:
            if not (error.code in DENIED_CODES or error.details.get("http_status_code") == 403):
                raise
            self._get_function_denied()
            with self._lock:
                self._pending[config.key] = [_unread(half, arn) for half, arn in halves.items()]
            return config
        if function is None:
            return None
        uses = [DestinationUse(half, arn, function) for half, arn in halves.items()]
        if function.dead_letter:
            uses.append(DestinationUse(DEAD_LETTER, function.dead_letter, function))
        with self._lock:
            self._pending[config.key] = list(uses)
        return config

    def checks(self) -> dict[Key, list[DestinationCheck]]:
        """The verdicts on every identified config's destinations, in the order on_success, on_failure,
        dead_letter: one preflight over all of them, so each destination is read and each role simulated once."""
        uses = [item for items in self._pending.values() for item in items if isinstance(item, DestinationUse)]
        verdicts = self.preflight.verdicts(uses) if uses else {}
        return {
            key: [verdicts[item] if isinstance(item, DestinationUse) else item for item in items]
            for key, items in self._pending.items()
        }

    def _get_function_denied(self) -> None:
        with self._lock:
            if self._denied_warned:
                return
            self._denied_warned = True
        self._warn(
            f"{NAME}: the execution roles and dead-letter targets of the functions were not read, so their "
            f"destinations were not checked and dead-letter targets not looked for, because the caller may not call "
            f"{GET_FUNCTION} (AccessDenied). Grant {GET_FUNCTION} to the credentials this task uses to have them "
            f"checked, or {OPT_OUT}."
        )


def _unread(half: str, arn: str) -> DestinationCheck:
    """A destination of a config whose GetFunction the caller may not make: unverified, unless its ARN alone says
    it cannot receive records."""
    reason = unsupported_reason(half, arn)
    if reason:
        return unsupported_check(half, arn, None, reason)
    not_read = Finding(None, "not read", GET_FUNCTION)
    role = Finding(
        None, f"the caller may not call {GET_FUNCTION}, which tells the function's execution role", GET_FUNCTION
    )
    return DestinationCheck(half, parse_destination(arn), None, not_read, role)


def check_result(check: DestinationCheck) -> dict[str, str]:
    """One item of an entry's destination_checks."""
    return {
        "half": check.half,
        "destination": check.destination.arn,
        "outcome": check.outcome,
        "message": check.message(),
    }


def findings(config: EventInvokeConfig, checks: list[DestinationCheck]) -> list[dict[str, str]]:
    """One item per check of this config that is not ok."""
    return [
        {"function_name": config.function_name, "qualifier": config.qualifier, **check_result(check)}
        for check in checks
        if check.outcome != OK
    ]
