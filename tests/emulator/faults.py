"""Fault injection: throttling, conflicts, server errors, latency, propagation failures and caller denials.

All faults are off by default. Every random decision comes from one ``random.Random`` seeded by ``seed``, so a run
with the same seed and the same request sequence injects the same faults.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import Any

from .iam_policy import action_matches


@dataclass
class FaultSettings:
    """The knobs, as set on the command line or through ``POST /_emulator/faults``."""

    # token-bucket quota of Lambda control-plane calls, per account and region as AWS keeps it; 0 = off (AWS: 15)
    throttle_rps: float = 0.0
    throttle_rate: float = 0.0  # share of Lambda calls answered 429 regardless of the bucket
    conflict_rate: float = 0.0  # share of event-invoke-config writes answered 409
    error_rate: float = 0.0  # share of Lambda calls answered 500 ServiceException
    latency_ms: float = 0.0  # added to every Lambda call
    propagation_failures: int = 0  # next N Put/Update naming a destination fail "The destination ARN ... is invalid."
    # next N Put/Update naming a destination fail "The function's execution role does not have permissions ..."
    permission_propagation_failures: int = 0
    # IAM actions (wildcards allowed) the caller is refused: AccessDenied in the service's own wire format
    denied_actions: list[str] = field(default_factory=list)
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_RATES = ("throttle_rate", "conflict_rate", "error_rate")
_NON_NEGATIVE = ("throttle_rps", "latency_ms")
_COUNTERS = ("propagation_failures", "permission_propagation_failures")


def validate_update(update: dict[str, Any]) -> dict[str, Any]:
    """Check a partial update; returns it with numbers coerced, or raises ValueError naming the bad key."""
    known = {f.name for f in fields(FaultSettings)}
    clean: dict[str, Any] = {}
    for key, value in update.items():
        if key not in known:
            raise ValueError(f"unknown fault setting {key!r}; known: {', '.join(sorted(known))}")
        if key == "seed":
            clean[key] = None if value is None else _integer(key, value)
        elif key in _COUNTERS:
            clean[key] = _integer(key, value)
            if clean[key] < 0:
                raise ValueError(f"{key} must be >= 0")
        elif key == "denied_actions":
            clean[key] = _action_names(key, value)
        else:
            clean[key] = _number(key, value)
            if key in _RATES and not 0.0 <= clean[key] <= 1.0:
                raise ValueError(f"{key} must be between 0 and 1")
            if key in _NON_NEGATIVE and clean[key] < 0:
                raise ValueError(f"{key} must be >= 0")
    return clean


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number")
    return float(value)


def _action_names(key: str, value: Any) -> list[str]:
    """A list of IAM action names such as "sqs:GetQueueUrl", "sns:*" or "*" (a bare "*" denies everything)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of IAM action names")
    for name in value:
        if name != "*" and (":" not in name or not all(name.split(":", 1))):
            raise ValueError(f"{key}: {name!r} is not an IAM action name (service:Action)")
    return list(value)


def _integer(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an integer")
    return value


class TokenBucket:
    """``rate`` tokens per second, at most ``rate`` in store (one second's worth), starting full."""

    def __init__(self, rate: float, clock: Any = time.monotonic) -> None:
        self.rate = rate
        self.capacity = rate
        self.tokens = rate
        self._clock = clock
        self._stamp = clock()

    def take(self) -> bool:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def seconds_until_token(self) -> int:
        missing = max(0.0, 1.0 - self.tokens)
        return max(1, math.ceil(missing / self.rate))


# Whose quota a call spends: (account, region). AWS keeps Lambda's control-plane quota per account and Region
# (docs/aws-behaviour.md, "Lambda control-plane quota"), so a client working in several regions at once gets the
# full rate in each.
QuotaScope = tuple[str, str]
DEFAULT_SCOPE: QuotaScope = ("123456789012", "us-east-1")


class FaultInjector:
    """Thread-safe holder of the settings and of the state faults need (buckets, RNG, propagation counters)."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self.settings = FaultSettings()
        self._rng = random.Random()
        self._buckets: dict[QuotaScope, TokenBucket] = {}
        self.update((settings or FaultSettings()).to_dict())

    def update(self, changes: dict[str, Any]) -> FaultSettings:
        clean = validate_update(changes)
        with self._lock:
            for key, value in clean.items():
                setattr(self.settings, key, value)
            if "seed" in clean:
                self._rng.seed(self.settings.seed)
            if "throttle_rps" in clean:  # a new quota starts with full buckets, made on each scope's first call
                self._buckets.clear()
            return FaultSettings(**self.settings.to_dict())

    def reset(self) -> None:
        self.update(FaultSettings().to_dict())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self.settings.to_dict()

    @property
    def latency_seconds(self) -> float:
        return self.settings.latency_ms / 1000.0

    def throttle(self, shared_quota: bool = True, scope: QuotaScope = DEFAULT_SCOPE) -> int | None:
        """None to let the call through, else the Retry-After seconds for a 429.

        ``scope`` is the (account, region) whose quota the call spends: each has a bucket of its own. The bucket is
        charged for every call, so a call refused by ``throttle_rate`` still uses quota, as a real caller's retries
        do. Calls with a quota of their own (``shared_quota=False``) are not charged.
        """
        with self._lock:
            bucket = self._bucket(scope) if shared_quota else None
            if bucket is not None and not bucket.take():
                return bucket.seconds_until_token()
            if self._draw(self.settings.throttle_rate):
                return 1
            return None

    def _bucket(self, scope: QuotaScope) -> TokenBucket | None:
        """The scope's bucket (full on first use), or None when no quota is set. Called with the lock held."""
        rps = self.settings.throttle_rps
        if rps <= 0:
            return None
        if scope not in self._buckets:
            self._buckets[scope] = TokenBucket(rps)
        return self._buckets[scope]

    def server_error(self) -> bool:
        with self._lock:
            return self._draw(self.settings.error_rate)

    def conflict(self) -> bool:
        with self._lock:
            return self._draw(self.settings.conflict_rate)

    def propagation_failure(self) -> bool:
        return self._spend("propagation_failures")

    def permission_propagation_failure(self) -> bool:
        return self._spend("permission_propagation_failures")

    def denied(self, action: str | None) -> bool:
        """Whether the caller is refused this IAM action (``denied_actions``, case-insensitive wildcards)."""
        if action is None:
            return False
        with self._lock:
            return action_matches(self.settings.denied_actions, action)

    def _spend(self, counter: str) -> bool:
        with self._lock:
            left = getattr(self.settings, counter)
            if left > 0:
                setattr(self.settings, counter, left - 1)
                return True
            return False

    def _draw(self, rate: float) -> bool:
        # random() is in [0, 1), so "<" makes rate 1.0 fire every time. A fault that is off draws nothing, so the
        # sequence a seed produces depends only on the faults that are on.
        return rate > 0 and self._rng.random() < rate
