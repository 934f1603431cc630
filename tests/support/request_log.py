"""Reading the emulator's request log: one reading for unit tests (in-process emulator), system tests and
benchmarks (emulator server). Entries are dicts with seq, time, service, operation, function_name, qualifier,
region, status, fault and session_token (tests/emulator/README.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Entry = dict[str, Any]

WRITES = frozenset(
    {"PutFunctionEventInvokeConfig", "UpdateFunctionEventInvokeConfig", "DeleteFunctionEventInvokeConfig"}
)


def lambda_calls(entries: Iterable[Entry]) -> list[str]:
    """The Lambda operations, in order."""
    return [entry["operation"] for entry in entries if entry["service"] == "lambda"]


def writes(entries: Iterable[Entry]) -> list[str]:
    """The event-invoke-config writes (Put, Update, Delete), in order."""
    return [operation for operation in lambda_calls(entries) if operation in WRITES]


def calls_elsewhere(entries: Iterable[Entry]) -> list[str]:
    """The calls to other services than Lambda (the destination preflight's reads), as service:Operation."""
    return [f"{entry['service']}:{entry['operation']}" for entry in entries if entry["service"] != "lambda"]


def throttled(entries: Iterable[Entry]) -> int:
    """How many calls were answered 429."""
    return sum(1 for entry in entries if entry["status"] == 429)
