"""ListFunctions paged like AWS. moto answers every function in one page and ignores MaxItems and Marker.

The app forwards the call to moto and pages moto's answer here, so every item keeps exactly moto's shape.

- ``MaxItems`` is 1-10000 in the botocore model; a value outside -> ValidationException in the usual
  "1 validation error detected: ..." form. AWS documents that ListFunctions "returns a maximum of 50 items in each
  response, even if you set the number higher", so a page holds min(MaxItems, 50) items; 50 when MaxItems is absent.
- Items come sorted by function name, then $LATEST before versions in number order (AWS promises no order; a stable
  one makes the marker survive writes between pages).
- ``NextMarker`` is opaque and absent on the last page. A marker the emulator did not hand out ->
  InvalidParameterValueException "Invalid marker: ..." (emulator choice).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .wire import LambdaError
from .wire import invalid_parameter
from .wire import validation_error

MAX_ITEMS_RANGE = (1, 10000)
PAGE_LIMIT = 50

SortKey = tuple[str, int, int]


def page_size(max_items: str | None) -> int:
    if max_items is None:
        return PAGE_LIMIT
    low, high = MAX_ITEMS_RANGE
    try:
        value = int(max_items)
    except ValueError:
        raise LambdaError(400, "SerializationException", f"MaxItems must be an integer, got {max_items!r}") from None
    if not low <= value <= high:
        bound = f"greater than or equal to {low}" if value < low else f"less than or equal to {high}"
        raise validation_error(
            [f"Value '{value}' at 'maxItems' failed to satisfy constraint: Member must have value {bound}"]
        )
    return min(value, PAGE_LIMIT)


def sort_key(function: dict[str, Any]) -> SortKey:
    version = str(function.get("Version", "$LATEST"))
    if version == "$LATEST":
        return str(function.get("FunctionName", "")), 0, 0
    return str(function.get("FunctionName", "")), 1, int(version) if version.isdigit() else 0


def page(functions: list[dict[str, Any]], marker: str | None, max_items: str | None) -> dict[str, Any]:
    """One page of moto's functions, with NextMarker when more follow."""
    size = page_size(max_items)
    after = _decode_marker(marker) if marker is not None else None
    ordered = sorted(functions, key=sort_key)
    remaining = [f for f in ordered if after is None or sort_key(f) > after]
    result: dict[str, Any] = {"Functions": remaining[:size]}
    if len(remaining) > size:
        result["NextMarker"] = _encode_marker(sort_key(remaining[size - 1]))
    return result


def _encode_marker(key: SortKey) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": list(key)}).encode()).decode()


def _decode_marker(marker: str) -> SortKey:
    try:
        name, rank, number = json.loads(base64.urlsafe_b64decode(marker.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_parameter(f"Invalid marker: {marker}") from None
    if not (isinstance(name, str) and isinstance(rank, int) and isinstance(number, int)):
        raise invalid_parameter(f"Invalid marker: {marker}")
    return name, rank, number
