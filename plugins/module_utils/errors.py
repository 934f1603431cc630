# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error reporting: every failure of an AWS call becomes one AwsError that says what happened, and nothing secret.

`main()` turns it into fail_json (see runner.py); the messages for throttling and for exhausted write retries are
built here so both modules word them the same way.
"""

from __future__ import annotations

from typing import Any
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetriesExhausted


class AwsError(Exception):
    """Every failure of an AWS call, reduced to what a user needs and nothing secret."""

    def __init__(
        self,
        message: str,
        code: Optional[str] = None,
        details: Optional[dict[str, Any]] = None,
        extra: Optional[dict[str, Any]] = None,
        cause: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or {}
        self.extra = extra or {}  # more return values for the failed task (e.g. preflight)
        self._cause = cause

    @property
    def cause(self) -> str:
        """Why, without what is this config's own (its function's name): what configs that failed for the same
        reason share, so a task over many functions says it once."""
        return self._cause or str(self)

    @property
    def message(self) -> str:
        """AWS's own message (e.g. to match propagation errors), or ours when there was no AWS answer."""
        return str(self.details.get("message", self))

    def result(self) -> dict[str, Any]:
        """Keyword arguments for fail_json."""
        result: dict[str, Any] = {"msg": str(self), **self.extra}
        if self.code:
            result["error"] = {"code": self.code, **self.details}
        return result


def client_error(operation: str, error: Any, elapsed: float) -> AwsError:
    code = error.response.get("Error", {}).get("Code")
    message = error.response.get("Error", {}).get("Message", "")
    metadata = error.response.get("ResponseMetadata", {})
    attempts = metadata.get("RetryAttempts", 0) + 1
    details = {
        "message": message,
        "http_status_code": metadata.get("HTTPStatusCode"),
        "request_id": metadata.get("RequestId"),
        "attempts": attempts,
    }
    text = f"{operation} failed: {code}: {message}"
    if code == "TooManyRequestsException" or metadata.get("HTTPStatusCode") == 429:
        tries = (
            "on its only attempt (max_attempts=1)"
            if attempts == 1
            else (f"on all {attempts} attempts over {elapsed:.1f} s, retried by botocore with backoff")
        )
        text = (
            f"{operation} was throttled by AWS ({code}: {message}) {tries}. Lambda allows 15 control-plane requests "
            "per second per account and region, shared by every tool: lower the request rate (fewer forks) or "
            "raise max_attempts."
        )
    elif attempts > 1:
        text += f" (after {attempts} attempts over {elapsed:.1f} s)"
    return AwsError(text, code, details)


def exhausted_error(operation: str, exhausted: RetriesExhausted) -> AwsError:
    """The message for a write whose bounded retry of conflicts or propagation errors ran out."""
    inner = exhausted.error
    code = inner.code if isinstance(inner, AwsError) else None
    details = inner.details if isinstance(inner, AwsError) else {}
    return AwsError(
        f"{inner} — retried {exhausted.attempts - 1} times over {exhausted.elapsed:.1f} s because the error looked "
        f"like {exhausted.reason.text}; gave up at retry_timeout. {exhausted.reason.advice}",
        code,
        {**details, "attempts": exhausted.attempts},
    )
