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
them. Reads only. A read the caller may not make (GetFunction included) leaves its checks unverified and warns once,
naming the permission; no finding fails the task.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import DEAD_LETTER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DestinationUse
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Preflight

NAME = "Destination audit"
OPT_OUT = "set check_destinations: false"

ConfigKey = tuple[str, str]  # (function name, qualifier)


class Audit:
    """The audit of one task. Thread-safe: the region scan identifies each function's configs in its own worker."""

    def __init__(self, connection: Connection, warn: Callable[[str], None]) -> None:
        self.client = connection.lambda_client
        self.preflight = Preflight(connection, warn, NAME, OPT_OUT)
        self._uses: dict[ConfigKey, list[DestinationUse]] = {}
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
        target = Target(config.function_name, config.function_name, config.qualifier)
        # Denied: no role and no dead-letter target; the destinations are still looked for, role checks unverified.
        function = self.preflight.read_function(target, "the execution roles and dead-letter targets")
        if function is None:
            return None
        uses = [DestinationUse(half, arn, function) for half, arn in config.settings.destinations().items()]
        if function.dead_letter:
            uses.append(DestinationUse(DEAD_LETTER, function.dead_letter, function))
        with self._lock:
            self._uses[config.key] = uses
        return config

    def checks(self) -> dict[ConfigKey, list[DestinationCheck]]:
        """The verdicts on every identified config's destinations, in the order on_success, on_failure,
        dead_letter: one preflight over all of them, so each destination is read and each role simulated once."""
        verdicts = self.preflight.verdicts([use for uses in self._uses.values() for use in uses])
        return {key: [verdicts[use] for use in uses] for key, uses in self._uses.items()}


def check_result(check: DestinationCheck) -> dict[str, str]:
    """One item of an entry's destination_checks."""
    return {
        "half": check.half,
        "destination": check.arn,
        "outcome": check.outcome,
        "message": check.message(),
    }


FUNCTION = "function"  # a finding about the function itself (its execution role, its reserved concurrency)


class Finding(NamedTuple):
    """One thing the audit found wrong: which config, what about it (a half, the dead-letter target or the function
    itself), the outcome, and a message that names the function and qualifier, so a line of a job's output says
    where. The destination checks are one source of findings; anything else the audit reads can be another."""

    function_name: str
    qualifier: str
    about: str  # on_success | on_failure | dead_letter | function
    destination: Optional[str]
    outcome: str
    message: str

    @classmethod
    def from_check(cls, config: EventInvokeConfig, check: DestinationCheck) -> Finding:
        where = f"{config.function_name}:{config.qualifier}"
        return cls(
            config.function_name, config.qualifier, check.half, check.arn, check.outcome, f"{where}: {check.message()}"
        )

    def to_result(self) -> dict[str, Optional[str]]:
        return self._asdict()


def findings(config: EventInvokeConfig, checks: list[DestinationCheck]) -> list[Finding]:
    """One finding per check of this config that is not ok; a deleted execution role (C25) is one finding about the
    function, not one per destination it makes unusable."""
    found = [Finding.from_check(config, check) for check in checks if check.outcome != OK and not check.role_missing]
    role = next((check.role for check in checks if check.role_missing), None)
    if role:
        where = f"{config.function_name}:{config.qualifier}"
        found.insert(
            0,
            Finding(
                config.function_name,
                config.qualifier,
                FUNCTION,
                None,
                MISSING,
                f"{where}: The function's execution role {role} does not exist (IAM answered NoSuchEntity): the "
                "function cannot run, and none of its destinations or its dead-letter target can be used. Give the "
                "function an existing role (UpdateFunctionConfiguration), or delete the function.",
            ),
        )
    return found
