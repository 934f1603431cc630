"""Reads of another account's SQS queue or SNS topic, routed and authorised as AWS does them (reference C26).

moto looks an SQS queue up in the *caller's* account whatever account its URL names, so a caller in account A
asking for ``https://sqs.REGION.amazonaws.com/B/q`` got ``QueueDoesNotExist`` even when B's queue exists and its
policy lets A read it. moto 5.2.5 finds an SNS topic by its ARN in any account, but without asking the topic's
policy. Real AWS routes by the URL's (or ARN's) account and then authorises:

- **Cross-account** (the account in the URL or ARN is not the caller's): the resource's policy must allow the
  caller's principal the action (``sqs:GetQueueAttributes``, ``sns:GetTopicAttributes``; ``sqs:*``, ``sns:*``,
  ``*`` count) and the caller's identity policies must allow it too (DOCUMENTED, SQS developer guide "Basic examples
  of Amazon SQS policies" and "Overview of managing access"; SNS developer guide "Example cases for Amazon SNS access
  control", granting an AWS account access to a topic). The resource-policy part is decided by ``iam_policy``'s
  evaluator, its rules unchanged (a statement with a ``Condition`` it cannot evaluate grants nothing: so SNS's
  default topic policy, whose Allow is conditioned on ``AWS:SourceOwner``, lets no other account read the topic).
  The caller's principal is its account (``"123456789012"`` or ``arn:aws:iam::123456789012:root`` in the policy: the
  owner delegates to the caller's own IAM) or its exact ARN, ``arn:aws:iam::ACCOUNT:user/caller`` (the emulator's
  name for the caller, the one every AccessDenied message names; emulator choice). Its identity policies allow it
  everything, as the emulator's credentials are allowed everything (``denied_actions`` refuses actions before this
  runs). Allowed: moto answers in the owner's account (the request's ``x-moto-account-id`` becomes the owner's).
  Refused: SQS 403 ``AccessDenied``, SNS 403 ``AuthorizationError``, in the wire format ``caller_denied`` uses, the
  message naming the resource and "because no resource-based policy allows the <action> action" (the wording is
  INFERRED from IAM's documented access-denied message format).
- **Missing resource in the other account**: moto answers in the owner's account, so SQS ``QueueDoesNotExist``
  (``AWS.SimpleQueueService.NonExistentQueue``, 400) and SNS ``NotFound`` (404), as for a missing resource of the
  caller's own. Whether AWS answers AccessDenied instead for another account's missing resource is not recorded
  (INFERRED, emulator choice: not found).
- **Same account**: untouched; moto answers as before (moto does not consult a queue's or topic's policy there).

Only ``GetQueueAttributes`` (JSON protocol, ``QueueUrl`` in the body, as botocore sends it) and
``GetTopicAttributes`` are routed here; the queue is looked up in the request's region (the one in its signature),
as moto does, and the topic where its ARN says. Other operations on another account's queue or topic are moto's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from . import caller_denied
from . import moto_view
from .iam_policy import IDENTITY_POLICY
from .iam_policy import RESOURCE_POLICY
from .iam_policy import AccessRequest
from .iam_policy import Decision
from .iam_policy import Principal
from .iam_policy import evaluate
from .iam_policy import parse_policies
from .routes import RequestInfo
from .routes import form_params
from .routes import json_params
from .service_wire import SNS_NAMESPACE
from .service_wire import query_error
from .service_wire import sqs_error
from .wire import Response

OPERATIONS = frozenset({("sqs", "GetQueueAttributes"), ("sns", "GetTopicAttributes")})
_ACCOUNT_ID = re.compile(r"\d{12}")
# The caller's identity policies: the emulator's credentials may do anything (denied_actions aside).
_ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})


@dataclass(frozen=True)
class CrossAccountRead:
    """A read that names a resource of another account: the IAM action, the resource's ARN and its owner."""

    service: str
    action: str
    arn: str
    owner: str


def caller_arn(account: str, partition: str = "aws") -> str:
    """The emulator's caller, as its AccessDenied messages name it."""
    return f"arn:{partition}:iam::{account}:user/caller"


def cross_account_read(info: RequestInfo, caller_account: str) -> CrossAccountRead | None:
    """The other account's queue or topic this request reads, or None (not one of OPERATIONS, the caller's own
    account, or a URL/ARN that names no account): then moto answers as it always did."""
    if (info.service, info.operation) not in OPERATIONS:
        return None
    arn = _queue_arn(info) if info.service == "sqs" else _topic_arn(info)
    parsed = moto_view.Arn.parse(arn) if arn else None
    if arn is None or parsed is None or not _ACCOUNT_ID.fullmatch(parsed.account) or parsed.account == caller_account:
        return None
    return CrossAccountRead(info.service, f"{info.service}:{info.operation}", arn, parsed.account)


def _queue_arn(info: RequestInfo) -> str | None:
    url = json_params(info).get("QueueUrl")
    if not isinstance(url, str):
        return None
    parts = url.rstrip("/").split("/")  # a queue URL ends in /ACCOUNT/NAME
    if len(parts) < 2 or not parts[-1]:
        return None
    return f"arn:{moto_view.partition_of(info.region)}:sqs:{info.region}:{parts[-2]}:{parts[-1]}"


def _topic_arn(info: RequestInfo) -> str | None:
    values = form_params(info).get("TopicArn")
    return values[0] if values else None


def refusal(read: CrossAccountRead, caller_account: str) -> Response | None:
    """The AccessDenied (SQS) or AuthorizationError (SNS) answer when the resource's policy does not let the caller
    read it; None when it does, or when the resource does not exist (moto then answers not found)."""
    if not moto_view.destination_exists(read.arn):
        return None
    if caller_may(read, caller_account):
        return None
    message = caller_denied.denial_message(caller_account, read.action, read.arn, policy_kind="resource-based")
    if read.service == "sns":
        return query_error(SNS_NAMESPACE, 403, "AuthorizationError", message)
    return sqs_error(403, "AccessDenied", message)


def caller_may(read: CrossAccountRead, caller_account: str) -> bool:
    """Whether the resource's policy and the caller's identity policies (allowing everything) both allow the read."""
    parsed = moto_view.Arn.parse(read.arn)
    partition = parsed.partition if parsed else "aws"
    principal = Principal(caller_arn(caller_account, partition), caller_account)
    identity = parse_policies(IDENTITY_POLICY, [("caller", _ALLOW_ALL)])
    text = moto_view.resource_policy(read.arn)
    resource = parse_policies(RESOURCE_POLICY, [("ResourcePolicy", text)] if text else [])
    request = AccessRequest(principal, read.action, read.arn, read.owner)
    return evaluate(identity, resource, request).decision is Decision.ALLOWED
