"""Lambda's restJson wire format: JSON responses and the error bodies real Lambda sends.

Error bodies differ per exception in real Lambda (reference, "Quick reference"): ResourceNotFoundException and
ServiceException use ``"Message"``, the other exceptions use lowercase ``"message"``; most carry ``"Type"``.
botocore copies every top-level body key into ``e.response``, so clients can see the difference; we reproduce it.
"""

from __future__ import annotations

import json
import uuid
from http import HTTPStatus
from typing import Any

JSON_CONTENT_TYPE = "application/json"

# Which key holds the message and which "Type" the body carries, per error code.
_MESSAGE_KEY = {
    "ResourceNotFoundException": "Message",
    "ServiceException": "Message",
    # Sent by AWS's authorisation layer rather than Lambda itself; the key is not recorded (emulator choice).
    "AccessDeniedException": "Message",
}
_ERROR_TYPE = {
    "ResourceNotFoundException": "User",
    "InvalidParameterValueException": "User",
    "ResourceConflictException": "User",
    "TooManyRequestsException": "User",
    "ServiceException": "Service",
}


class LambdaError(Exception):
    """An error answer, raised anywhere in a handler and turned into an HTTP response by the app."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        fault: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.headers = headers or {}
        # Set when the error was injected (throttle, conflict, error, propagation, denied), for the request log.
        self.fault = fault

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.extra)
        if self.code in _ERROR_TYPE:
            body["Type"] = _ERROR_TYPE[self.code]
        body[_MESSAGE_KEY.get(self.code, "message")] = self.message
        return body


def not_found(message: str) -> LambdaError:
    return LambdaError(404, "ResourceNotFoundException", message)


def invalid_parameter(message: str) -> LambdaError:
    return LambdaError(400, "InvalidParameterValueException", message)


def validation_error(violations: list[str]) -> LambdaError:
    """The model-constraint error: "N validation error(s) detected: v1; v2"."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return LambdaError(400, "ValidationException", f"{count} validation {noun} detected: " + "; ".join(violations))


def too_many_requests(retry_after_seconds: int | None = None) -> LambdaError:
    # Body recorded from real Lambda (reference C18); key order kept as recorded.
    headers = {"Retry-After": str(retry_after_seconds)} if retry_after_seconds else {}
    return LambdaError(
        429, "TooManyRequestsException", "Rate exceeded", extra={"Reason": "CallerRateLimitExceeded"}, headers=headers
    )


def conflict(qualified_arn: str) -> LambdaError:
    return LambdaError(
        409,
        "ResourceConflictException",
        f"The EventInvokeConfig for function {qualified_arn} could not be updated due to a concurrent update "
        "operation.",
        fault="conflict",  # only ever injected: the emulator serialises writes itself
    )


def service_error() -> LambdaError:
    return LambdaError(500, "ServiceException", "The Lambda service encountered an internal error.")


Response = tuple[int, list[tuple[str, str]], bytes]


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload).encode("utf-8")
    return status, _headers(JSON_CONTENT_TYPE, len(body), headers), body


def empty_response(status: int = 204) -> Response:
    return status, [("x-amzn-RequestId", str(uuid.uuid4())), ("Content-Length", "0")], b""


def error_response(error: LambdaError) -> Response:
    body = json.dumps(error.body()).encode("utf-8")
    headers = {"x-amzn-ErrorType": error.code, **error.headers}
    return error.status, _headers(JSON_CONTENT_TYPE, len(body), headers), body


def _headers(content_type: str, length: int, extra: dict[str, str] | None) -> list[tuple[str, str]]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(length)),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ]
    headers.extend((extra or {}).items())
    return headers


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"
