# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pacing: how fast a task sends requests, so that a scan over hundreds of functions runs at the quota and is not
throttled. Retrying what was throttled anyway is retries.py's (botocore's retry modes)."""

from __future__ import annotations

import threading
import time
from typing import Any
from typing import Callable

# GetFunction has a quota of its own (100 requests/s): it does not spend the shared 15.
OWN_QUOTA_OPERATIONS = (".GetFunction",)

# IAM answers from one global endpoint per account, whatever the region, and shares its request quota with the console
# and every tool of the account. AWS does not publish the rate of SimulatePrincipalPolicy, and names scheduled
# permission audits that call it as a cause of IAM throttling ("Rate exceeded"). A region's audit needs one simulation
# per distinct execution role; 5 per second keeps four regions of one account audited at once (job slices of a
# fleet) at 20, and costs 1 s per 5 distinct roles.
IAM_RATE_LIMIT = 5.0


class RequestRateLimiter:
    """A token bucket for the requests one module run sends, shared by its threads.

    Lambda's control plane allows 15 requests per second per account and region. A scan that sends at that rate
    finishes as fast as the quota allows without being throttled; botocore's adaptive retry mode still slows it
    down further if other tools spend the same quota. Hooked on botocore's `before-send`, so retries count too.
    """

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next = clock()  # when the next request may go: one token, refilled every 1/rate seconds

    def acquire(self) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + 1.0 / self.rate
        if start > now:
            self.sleep(start - now)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send.lambda", self._before_send)

    def attach_to_session(self, session: Any, service: str) -> None:
        """Pace every client of `service` the botocore session makes from now on (each copies the session's
        handlers when it is made), so a client that may never be needed is not made up front."""
        session.register(f"before-send.{service}", self._before_send)

    def _before_send(self, event_name: str = "", **_kwargs: Any) -> None:
        # GetFunction has a quota of its own (100 requests/s): it does not spend the shared 15.
        if not event_name.endswith(OWN_QUOTA_OPERATIONS):
            self.acquire()
