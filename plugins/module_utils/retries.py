# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retry policy, in two layers.

1. Throttling (429 TooManyRequestsException) and server errors (5xx) are retried by botocore itself, in its
   "standard" retry mode (or "adaptive", which adds a client-side token bucket for scans that issue many calls).
   Its backoff is exponential with full jitter, capped at 20 s; `max_attempts` bounds it.
2. Two write errors botocore does not retry are retried here, for at most `retry_timeout` seconds:
   - 409 ResourceConflictException: concurrent writes to configs of the same function, even on other qualifiers;
   - the propagation errors Lambda returns right after a destination or the execution role's policy was created
     ("The destination ARN ... is invalid.", "... does not have permissions ..."). They are also what a wrong ARN
     gets, which is why this retry is bounded in time and says, when it gives up, what it retried and for how long.
"""

from __future__ import annotations

import random
import time
from typing import Any
from typing import Callable
from typing import NamedTuple
from typing import Optional
from typing import TypeVar

T = TypeVar("T")

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_RETRY_TIMEOUT = 60
FIRST_DELAY = 0.25
MAX_DELAY = 8.0

CONFLICT = "ResourceConflictException"
PROPAGATION_HINTS = ("does not have permissions",)


def botocore_retries(max_attempts: int, mode: str = "standard") -> dict[str, Any]:
    """The `retries` entry of a botocore Config: botocore's own modes, never a hand-written loop."""
    return {"mode": mode, "total_max_attempts": max_attempts}


class RetryReason(NamedTuple):
    """Why a failed write is retried, and what to tell the user if retrying does not help."""

    text: str
    advice: str


CONFLICT_REASON = RetryReason(
    "a concurrent update of the same function (ResourceConflictException)",
    "Something else kept writing event invoke configs of this function (any qualifier) at the same time: another "
    "task, fork or tool. Run again, raise retry_timeout, or keep writers of one function from running at once.",
)
DESTINATION_PROPAGATION_REASON = RetryReason(
    'the destination not being visible to Lambda yet ("The destination ARN ... is invalid.")',
    "If the destination was just created, run again or raise retry_timeout; otherwise check that it exists in the "
    "region and account its ARN names.",
)
PERMISSION_PROPAGATION_REASON = RetryReason(
    'the execution role\'s permissions not having propagated yet ("does not have permissions")',
    "If the role's policy was just changed, run again or raise retry_timeout; otherwise grant the function's "
    "execution role the action on the destination.",
)


def write_retry_reason(code: Optional[str], message: str) -> Optional[RetryReason]:
    """Why a failed write is worth another try, or None when it is not.

    "The provided destination config ... is invalid." (a service Lambda does not accept) is permanent and is not
    matched; "The destination ARN <arn> is invalid." is what a destination not yet visible to Lambda gets.
    """
    if code == CONFLICT:
        return CONFLICT_REASON
    if code == "InvalidParameterValueException":
        if is_destination_refusal(message):
            return DESTINATION_PROPAGATION_REASON
        if is_permission_refusal(message):
            return PERMISSION_PROPAGATION_REASON
    return None


def is_destination_refusal(message: str) -> bool:
    return message.startswith("The destination ARN ") and message.endswith("is invalid.")


def is_permission_refusal(message: str) -> bool:
    return any(hint in message for hint in PROPAGATION_HINTS)


class RetriesExhausted(Exception):
    """A write kept failing with a retryable error until the time budget ran out."""

    def __init__(self, error: Exception, reason: RetryReason, attempts: int, elapsed: float) -> None:
        super().__init__(f"{error} (retried {attempts - 1} times over {elapsed:.1f} s because of {reason.text})")
        self.error = error
        self.reason = reason
        self.attempts = attempts
        self.elapsed = elapsed


def retry_write(
    call: Callable[[], T],
    classify: Callable[[Exception], Optional[RetryReason]],
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    jitter: Callable[[], float] = random.random,
) -> T:
    """Run `call`; while it fails with an error `classify` calls retryable, back off and try again.

    Backoff doubles from FIRST_DELAY up to MAX_DELAY with "equal jitter" (half fixed, half random), and never
    sleeps past the deadline: the last attempt starts before `timeout` seconds have gone.
    """
    start = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except Exception as error:  # classify() decides; anything it does not name is re-raised unchanged
            reason = classify(error)
            if reason is None:
                raise
            elapsed = clock() - start
            delay = min(MAX_DELAY, FIRST_DELAY * 2 ** min(attempt - 1, 16))  # capped exponent: no overflow
            delay = delay / 2 + jitter() * delay / 2
            if elapsed + delay > timeout:
                raise RetriesExhausted(error, reason, attempt, elapsed) from error
            sleep(delay)
