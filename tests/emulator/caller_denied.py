"""The ``denied_actions`` fault: refuse the *caller* an IAM action, in the wire format the service really uses.

A request's IAM action is ``<service prefix>:<Operation>`` (``lambda:GetFunction``, ``sqs:GetQueueUrl``), except for
S3, whose HeadBucket is authorised as ``s3:ListBucket``. Services and their AccessDenied answers (what botocore then
raises as ``ClientError``):

| service | HTTP | ``Error.Code`` botocore reports | body |
|---|---|---|---|
| IAM (query) | 403 | ``AccessDenied`` | ``<ErrorResponse>`` |
| SNS (query) | 403 | ``AuthorizationError`` | ``<ErrorResponse>`` |
| SQS (JSON 1.0) | 403 | ``AccessDenied`` (from ``x-amzn-query-error``) | ``__type`` ...``AccessDeniedException`` |
| EventBridge (JSON 1.1) | 400 | ``AccessDeniedException`` | ``__type`` |
| S3 HeadBucket | 403 | ``403`` (no body, as for any HEAD) | none |
| S3 other (GetBucketPolicy) | 403 | ``AccessDenied`` | ``<Error>`` |
| Lambda (restJson) | 403 | ``AccessDeniedException`` | ``{"Message": ...}`` |
| KMS (JSON 1.1) | 400 | ``AccessDeniedException`` | ``__type`` |

The message follows AWS's authorisation errors: "User: arn:aws:iam::ACCOUNT:user/caller is not authorized to
perform: <action> on resource: <arn> because no identity-based policy allows the <action> action"; KMS, whose
keys answer to their key policy, says "resource-based policy" instead, and names the key's ARN even when the request
named an alias (RECORDED: 400 AccessDeniedException, terraform-provider-aws pull request #32463). Requests of other
services, and S3 requests the emulator does not name, are never refused.
"""

from __future__ import annotations

from typing import Any

from . import kms_keys
from . import moto_view
from .routes import RequestInfo
from .routes import form_params
from .routes import json_params
from .service_wire import IAM_NAMESPACE
from .service_wire import SNS_NAMESPACE
from .service_wire import json_error
from .service_wire import query_error
from .service_wire import s3_error
from .service_wire import sqs_error
from .wire import LambdaError
from .wire import Response
from .wire import error_response

DENIABLE_SERVICES = frozenset({"iam", "sqs", "sns", "events", "s3", "lambda", "kms"})
# S3 authorises some operations under another action name.
_S3_ACTIONS = {"HeadBucket": "s3:ListBucket", "GetBucketPolicy": "s3:GetBucketPolicy"}


def iam_action(info: RequestInfo) -> str | None:
    """The IAM action a request is authorised as, or None when the emulator does not know it."""
    if info.service not in DENIABLE_SERVICES or info.operation == "unknown":
        return None
    if info.service == "s3":
        return _S3_ACTIONS.get(info.operation)
    return f"{info.service}:{info.operation}"


def denial_message(account: str, action: str, resource: str, policy_kind: str = "identity-based") -> str:
    """AWS's authorisation error text; ``policy_kind`` "resource-based" when the resource's policy refused
    (a cross-account read, ``cross_account_reads``)."""
    return (
        f"User: arn:aws:iam::{account}:user/caller is not authorized to perform: {action} on resource: {resource} "
        f"because no {policy_kind} policy allows the {action} action"
    )


def denied_response(info: RequestInfo, account: str, action: str) -> Response:
    message = denial_message(account, action, resource_arn(info, account))
    if info.service == "iam":
        return query_error(IAM_NAMESPACE, 403, "AccessDenied", message)
    if info.service == "sns":
        return query_error(SNS_NAMESPACE, 403, "AuthorizationError", message)
    if info.service == "sqs":
        return sqs_error(403, "AccessDenied", message)
    if info.service == "events":
        return json_error(400, "AccessDeniedException", message)
    if info.service == "kms":  # KMS words it after the key policy (RECORDED): kms_keys builds it
        return kms_keys.access_denied(account, action, resource_arn(info, account))
    if info.service == "s3":
        return s3_error(403, "AccessDenied", message, with_body=info.operation != "HeadBucket")
    return error_response(LambdaError(403, "AccessDeniedException", message))


# --- the resource a request acts on, for the message ------------------------------------------------------------


def resource_arn(info: RequestInfo, account: str) -> str:
    """Best effort: the ARN the request acts on, "*" when it names none."""
    namer = _RESOURCE_NAMERS.get(info.service)
    return (namer(info, account) if namer else None) or "*"


def _lambda_resource(info: RequestInfo, account: str) -> str | None:
    name, qualifier = info.function_and_qualifier()
    return moto_view.function_arn(info.region, account, name, qualifier) if name else None


def _sqs_resource(info: RequestInfo, account: str) -> str | None:
    body = json_params(info)
    url = body.get("QueueUrl")
    # A queue URL ends in /ACCOUNT/NAME.
    parts = url.rstrip("/").split("/") if isinstance(url, str) else []
    owner, name = (parts[-2], parts[-1]) if len(parts) >= 2 else (account, body.get("QueueName"))
    partition = moto_view.partition_of(info.region)
    return f"arn:{partition}:sqs:{info.region}:{owner}:{name}" if isinstance(name, str) else None


def _sns_resource(info: RequestInfo, _account: str) -> str | None:
    topic = form_params(info).get("TopicArn")
    return topic[0] if topic else None


def _events_resource(info: RequestInfo, account: str) -> str | None:
    name: Any = json_params(info).get("Name") or "default"
    if not isinstance(name, str):
        return None
    if name.startswith("arn:"):
        return name
    return f"arn:{moto_view.partition_of(info.region)}:events:{info.region}:{account}:event-bus/{name}"


def _s3_resource(info: RequestInfo, _account: str) -> str | None:
    bucket = info.path_params.get("Bucket")
    return f"arn:{moto_view.partition_of(info.region)}:s3:::{bucket}" if bucket else None


def _kms_resource(info: RequestInfo, account: str) -> str | None:
    """The key's ARN (an alias resolved to its key when it exists; AWS names the key), or the ARN as given."""
    key_id = json_params(info).get("KeyId")
    if not isinstance(key_id, str):
        return None
    reference = kms_keys.KeyReference.parse(key_id, account, info.region)
    lookup = (
        moto_view.kms_key(reference.account, reference.region, alias=reference.alias)
        if reference.alias is not None
        else moto_view.kms_key(reference.account, reference.region, key_id=reference.key_id)
    )
    return lookup.arn if lookup is not None else reference.arn(moto_view.partition_of(info.region))


def _iam_resource(info: RequestInfo, _account: str) -> str | None:
    source = form_params(info).get("PolicySourceArn")
    return source[0] if source else None


_RESOURCE_NAMERS = {
    "lambda": _lambda_resource,
    "sqs": _sqs_resource,
    "sns": _sns_resource,
    "events": _events_resource,
    "s3": _s3_resource,
    "iam": _iam_resource,
    "kms": _kms_resource,
}
