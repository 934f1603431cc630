"""moto's answers to Lambda calls, corrected where moto 5.2.5 differs from AWS (every other Lambda call passes
through unchanged).

- ``GetPolicy`` and ``AddPermission``: each statement's ``Principal`` in AWS's shape (``moto_view.aws_principal``).
  AddPermission takes the principal as one string and AWS writes ``{"AWS": "arn:aws:iam::ACCOUNT:root"}`` for an
  account id, ``{"AWS": ARN}`` for an IAM ARN and ``{"Service": NAME}`` for a service; moto keeps account ids and
  ARNs as bare strings, so a reader of ``Principal.AWS`` (as resource-policy evaluators are) found nothing.
"""

from __future__ import annotations

import json
from typing import Any

from . import moto_view
from .routes import RequestInfo
from .wire import Response

POLICY_OPERATIONS = frozenset({"GetPolicy", "AddPermission"})
CORRECTED_OPERATIONS = POLICY_OPERATIONS


def correct(info: RequestInfo, response: Response) -> Response:
    """moto's response to this Lambda request, corrected; errors and operations not listed are left as they are."""
    status, _headers, body = response
    if status >= 300 or info.operation not in CORRECTED_OPERATIONS:
        return response
    try:
        payload = json.loads(body)
    except ValueError:
        return response
    if not isinstance(payload, dict):
        return response
    if info.operation == "GetPolicy":
        payload = _policy_document(payload, "Policy")
    elif info.operation == "AddPermission":
        payload = _policy_document(payload, "Statement")
    return replace_body(response, json.dumps(payload).encode("utf-8"))


def _policy_document(payload: dict[str, Any], key: str) -> dict[str, Any]:
    """``payload[key]`` is a JSON string: a whole policy (GetPolicy) or one statement (AddPermission)."""
    text = payload.get(key)
    if not isinstance(text, str):
        return payload
    try:
        document = json.loads(text)
    except ValueError:
        return payload
    if isinstance(document, dict) and isinstance(document.get("Statement"), list):
        document["Statement"] = [moto_view.with_aws_principal(statement) for statement in document["Statement"]]
    else:
        document = moto_view.with_aws_principal(document)
    return {**payload, key: json.dumps(document)}


def replace_body(response: Response, body: bytes) -> Response:
    status, headers, _old = response
    kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
    return status, [*kept, ("Content-Length", str(len(body)))], body
