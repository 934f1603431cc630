# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One config's path, the same under both modules: plan → identify → check → predict or write → diagnose.

    plan      `plan_action`: the desired settings laid over the current ones, as an Action, or None (pure);
    identify  GetFunction, only where `needs_function` says: the identity of a config check mode would create, and
              the execution role of a config whose new destinations are checked;
    check     the destination preflight over the new destinations of one or many actions (each destination read
              once, each role simulated once); `refusal` is the failure of an action AWS would refuse;
    finish    check mode predicts the config a write would leave; a real run writes it (Put, or Delete), and a write
              AWS refuses for a destination is diagnosed with the same reads (preflight.refusal_classifier).

lambda_event_invoke_config walks one action down this path after its one Get; converge.py walks every action of a
desired state down it and adds only what is about many (reading per function, fan-out, pacing, failures).
"""

from __future__ import annotations

import threading
from typing import Callable
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import CREATED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import REMOVED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import UNSET
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import ALWAYS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import CHECK_MODE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import NEVER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DestinationUse
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Preflight
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import preflight_error
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import refusal_classifier
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import refused


class Change(NamedTuple):
    """What an action did (or, in check mode, would do)."""

    action: str  # created | updated | deleted
    before: Optional[EventInvokeConfig]
    after: Optional[EventInvokeConfig]

    @property
    def key(self) -> tuple[str, str]:
        config = self.after or self.before
        if config is None:  # never: every change has a before or an after
            raise ValueError("a change with neither a before nor an after")
        return config.key


class PathOptions(NamedTuple):
    check_mode: bool
    preflight: str  # check_mode | always | never
    retry_timeout: float

    @property
    def checks_destinations(self) -> bool:
        """Whether the preflight runs before writing (or predicting): the one place that decides it."""
        return self.preflight == ALWAYS or (self.preflight == CHECK_MODE and self.check_mode)

    @property
    def diagnoses_refusals(self) -> bool:
        """Whether a write AWS refuses for a destination is diagnosed; preflight=never means plain bounded retries."""
        return self.preflight != NEVER


class ConfigPath:
    """The path of one task's actions. Thread-safe: converge.py walks different functions' actions concurrently."""

    def __init__(self, connection: Connection, options: PathOptions, warn: Callable[[str], None]) -> None:
        self.client = connection.lambda_client
        self.options = options
        self.preflight = Preflight(connection, warn)
        self._functions: dict[tuple[str, str], Optional[api.Function]] = {}
        self._verdicts: dict[DestinationUse, DestinationCheck] = {}
        self._lock = threading.Lock()

    # -- identify

    def needs_function(self, action: Action) -> bool:
        """GetFunction is needed for a config check mode would create (its ARN, and whether the qualifier exists)
        and for one that would get a new destination while destinations are checked (the execution role)."""
        if action.kind == REMOVED:
            return False
        creating = self.options.check_mode and action.kind == CREATED
        return creating or (self.options.checks_destinations and bool(action.new_destinations()))

    def function(self, target: Target) -> api.Function:
        """The qualifier's identity and execution role: GetFunction, once per config; a missing function or
        qualifier fails naming it."""
        found = self._read_function(target)
        if found is None:
            raise api.missing_target(target, "GetFunction", self.options.check_mode)
        return found

    def _read_function(self, target: Target) -> Optional[api.Function]:
        """GetFunction once per config. A caller that may not call it gets what is known without it (no role, so
        the role's checks are unverified) and one warning naming lambda:GetFunction, never a failure."""
        key = (target.name, target.qualifier)
        if key not in self._functions:
            self._functions[key] = self.preflight.read_function(target, "the execution roles (and new configs' ARNs)")
        return self._functions[key]

    # -- check

    def uses(self, action: Action) -> list[DestinationUse]:
        """The destinations the preflight checks for this action (none when it does not run)."""
        if not self.options.checks_destinations:
            return []
        new = action.new_destinations()
        return [DestinationUse(half, arn, self.function(action.target)) for half, arn in new.items()]

    def check(self, uses: list[DestinationUse]) -> list[DestinationCheck]:
        """One preflight over `uses` (of one action or many): each destination read once, each role simulated
        once. The verdicts are kept by what they are about, for `checks` and `refusal`."""
        if not uses:
            return []
        verdicts = self.preflight.verdicts(uses)
        with self._lock:
            self._verdicts.update(verdicts)
        # Reported once per destination, role and half (the reads were made once): 300 configs using one queue are
        # one entry.
        return list({(c.destination.arn, c.role, c.half): c for c in verdicts.values()}.values())

    def checks(self, action: Action) -> list[DestinationCheck]:
        """The verdicts on this action's destinations (after `check`)."""
        return [self._verdicts[use] for use in self.uses(action) if use in self._verdicts]

    def refusal(self, action: Action) -> Optional[AwsError]:
        """The failure of an action the preflight shows AWS would refuse, before any write."""
        found = self.checks(action)
        return preflight_error(found, self.options.check_mode) if refused(found) else None

    # -- predict or write

    def finish(self, action: Action) -> Optional[Change]:
        """Check mode: the change a real run would make. A real run: the write, whose response is the result (no
        re-read); None when a Delete found the config already gone."""
        settings = action.settings or UNSET
        if self.options.check_mode:
            if action.kind == REMOVED:
                return Change(REMOVED, action.before, None)
            identity = action.before or self.function(action.target).identity
            return Change(action.kind, action.before, identity.with_settings(settings))
        if action.kind == REMOVED:
            gone = api.delete_config(self.client, action.target, self.options.retry_timeout)
            return Change(REMOVED, action.before, None) if gone else None
        after = api.put_config(self.client, action.target, settings, self.options.retry_timeout, self._classify(action))
        return Change(action.kind, action.before, after)

    def _classify(self, action: Action) -> api.Classify:
        if not self.options.diagnoses_refusals:
            return api.retryable
        return refusal_classifier(
            self.preflight, (action.settings or UNSET).destinations(), lambda: self._read_function(action.target)
        )
