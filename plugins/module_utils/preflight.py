# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The destination preflight: the reads that tell, before a write, what Lambda will refuse about a destination.

For each destination a write would set (destinations.py has the rules):
  exists   the cheapest read of its service, in the region and account its ARN names:
           SQS GetQueueUrl, SNS GetTopicAttributes, Lambda GetFunction, EventBridge DescribeEventBus, S3 HeadBucket;
  allowed  iam:SimulatePrincipalPolicy of the function's execution role, one call per role for all its
           destinations; the destination's resource policy is read (SQS GetQueueAttributes, Lambda GetPolicy, S3
           GetBucketPolicy; SNS and EventBridge already returned it) and evaluated here only when the role's own
           policies do not settle it (destinations.py says why the simulator cannot do that part).
A read the caller itself may not make (AccessDenied) leaves that finding unverified and warns once, naming the
permission; it never fails the task and never passes silently.

The same checks diagnose a write AWS refused: `refusal_classifier` turns "The destination ARN ... is invalid." and
"... does not have permissions ..." into an immediate failure naming the cause when the destination is missing or
the role denied, and into a bounded retry (propagation) only when both check out.
"""

from __future__ import annotations

import threading
from typing import Any
from typing import Callable
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import call
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import pages
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import ALLOWED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import EXPLICIT_DENY
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import REFUSED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNVERIFIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Finding
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import destination_named_in
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import parse_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import permission_finding
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import refusal_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import required_permissions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import resource_policy_decision
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_check
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_reason
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import Classify
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import Function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import retryable
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import DESTINATION_PROPAGATION_REASON
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import PERMISSION_PROPAGATION_REASON
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetryReason

# How each service says "no such thing" (SQS's JSON protocol and its older query code; S3's HEAD has no body).
MISSING_CODES = {
    "sqs": ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),
    "sns": ("NotFound",),
    "lambda": ("ResourceNotFoundException",),
    "events": ("ResourceNotFoundException",),
    "s3": ("404", "NoSuchBucket", "NotFound"),
}
# How services say "the caller may not": each service has its own spelling.
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError", "403", "Forbidden"})
EXISTENCE_READS = {
    "sqs": "sqs:GetQueueUrl",
    "sns": "sns:GetTopicAttributes",
    "lambda": "lambda:GetFunction",
    "events": "events:DescribeEventBus",
    "s3": "s3:ListBucket",  # the permission HeadBucket needs
}
POLICY_READS = {
    "sqs": "sqs:GetQueueAttributes",
    "sns": "sns:GetTopicAttributes",
    "lambda": "lambda:GetPolicy",
    "events": "events:DescribeEventBus",
    "s3": "s3:GetBucketPolicy",
}
SIMULATE = "iam:SimulatePrincipalPolicy"

Pair = tuple[str, str]  # (action, resource ARN)


class CallerDenied(Exception):
    """The caller's own credentials may not make a read the preflight needs."""

    def __init__(self, permission: str, error: AwsError) -> None:
        super().__init__(f"the caller may not call {permission} ({error.code})")
        self.permission = permission


def _read(permission: str, method: Callable[..., Any], missing: tuple[str, ...] = (), **params: Any) -> Any:
    """One preflight read: None when missing, CallerDenied when the caller lacks `permission`."""
    try:
        return call(method, missing=missing, **params)
    except AwsError as error:
        raise _caller_denied(permission, error) or error from None


def _caller_denied(permission: str, error: AwsError) -> Optional[CallerDenied]:
    if error.code in DENIED_CODES or error.details.get("http_status_code") == 403:
        return CallerDenied(permission, error)
    return None


class Probe(NamedTuple):
    exists: Finding
    policy: Optional[str] = None  # the resource policy, when the existence read returned it
    handle: Any = None  # what a later read needs (the queue URL)


def probe(connection: Connection, destination: Destination, same_account: bool) -> Probe:
    """Does the destination exist where its ARN says? One read of its own service."""
    service = destination.service
    permission = EXISTENCE_READS[service]
    try:
        found, policy, handle = _EXISTENCE[service](connection, destination)
    except CallerDenied as denied:
        return Probe(Finding(None, f"its existence was not checked: {denied}", denied.permission))
    read = permission.split(":")[1]
    if found:
        return Probe(Finding(True, f"{read} found it"), policy, handle)
    if not same_account:  # another account's resource the caller cannot see looks the same as a missing one
        detail = f"{read} did not find it with the caller's credentials, which cannot tell it apart from one in "
        return Probe(Finding(None, detail + f"account {destination.account} that the caller may not see"))
    return Probe(Finding(False, f"{read} answered {MISSING_CODES[service][0]}"))


def _sqs(connection: Connection, destination: Destination) -> tuple[bool, Optional[str], Any]:
    client = connection.client("sqs", destination.region)
    response = _read(
        EXISTENCE_READS["sqs"],
        client.get_queue_url,
        MISSING_CODES["sqs"],
        QueueName=destination.name,
        QueueOwnerAWSAccountId=destination.account,
    )
    return response is not None, None, response and response["QueueUrl"]


def _sns(connection: Connection, destination: Destination) -> tuple[bool, Optional[str], Any]:
    client = connection.client("sns", destination.region)
    response = _read(
        EXISTENCE_READS["sns"], client.get_topic_attributes, MISSING_CODES["sns"], TopicArn=destination.arn
    )
    return response is not None, (response or {}).get("Attributes", {}).get("Policy"), None


def _lambda(connection: Connection, destination: Destination) -> tuple[bool, Optional[str], Any]:
    client = connection.client("lambda", destination.region)
    response = _read(
        EXISTENCE_READS["lambda"], client.get_function, MISSING_CODES["lambda"], FunctionName=destination.arn
    )
    return response is not None, None, None


def _events(connection: Connection, destination: Destination) -> tuple[bool, Optional[str], Any]:
    client = connection.client("events", destination.region)
    response = _read(
        EXISTENCE_READS["events"], client.describe_event_bus, MISSING_CODES["events"], Name=destination.arn
    )
    return response is not None, (response or {}).get("Policy"), None


def _s3(connection: Connection, destination: Destination) -> tuple[bool, Optional[str], Any]:
    client = connection.client("s3")
    response = _read(EXISTENCE_READS["s3"], client.head_bucket, MISSING_CODES["s3"], Bucket=destination.name)
    return response is not None, None, None


_EXISTENCE = {"sqs": _sqs, "sns": _sns, "lambda": _lambda, "events": _events, "s3": _s3}


def resource_policy(connection: Connection, destination: Destination, probed: Probe) -> Optional[str]:
    """The destination's resource policy document ("" when it has none, None when it cannot be read because the
    destination was not found); CallerDenied when the caller may not read it."""
    service = destination.service
    if not probed.exists.value:
        return None
    if service in ("sns", "events"):
        return probed.policy or ""
    if service == "sqs":
        client = connection.client("sqs", destination.region)
        response = _read(
            POLICY_READS[service], client.get_queue_attributes, QueueUrl=probed.handle, AttributeNames=["Policy"]
        )
        return response.get("Attributes", {}).get("Policy") or ""
    if service == "lambda":
        client = connection.client("lambda", destination.region)
        response = _read(
            POLICY_READS[service], client.get_policy, MISSING_CODES["lambda"], FunctionName=destination.arn
        )
        return (response or {}).get("Policy") or ""
    client = connection.client("s3")
    response = _read(POLICY_READS[service], client.get_bucket_policy, ("NoSuchBucketPolicy",), Bucket=destination.name)
    return (response or {}).get("Policy") or ""


def simulate(connection: Connection, role: str, pairs: list[Pair]) -> dict[Pair, str]:
    """The policy simulator's decision (allowed, explicitDeny, implicitDeny) on the role's own policies for each
    (action, resource).

    One call covers every pair of the role: it evaluates each action on each resource, so a few unneeded
    combinations come back and are ignored. With several resources AWS answers one result per action and the
    per-resource decisions in ResourceSpecificResults; with one, EvalResourceName and EvalDecision. Both are read.
    """
    iam = connection.client("iam")
    params: dict[str, Any] = {
        "PolicySourceArn": role,
        "ActionNames": sorted({action for action, _resource in pairs}),
        "ResourceArns": sorted({resource for _action, resource in pairs}),
    }
    decisions: dict[Pair, str] = {}
    try:
        for page in pages(iam, "simulate_principal_policy", **params):
            for result in (page or {}).get("EvaluationResults", []):
                action = result["EvalActionName"]
                for specific in result.get("ResourceSpecificResults") or []:
                    decisions[(action, specific["EvalResourceName"])] = specific["EvalResourceDecision"]
                if "EvalResourceName" in result:
                    decisions.setdefault((action, result["EvalResourceName"]), result["EvalDecision"])
    except AwsError as error:
        raise _caller_denied(SIMULATE, error) or error from None
    return decisions


class DestinationUse(NamedTuple):
    """A destination to check for one write: which half, the destination, and the function that would use it."""

    half: str
    arn: str
    function: Function


class Preflight:
    """Runs the checks for one task, reading each destination and simulating each role at most once.

    Thread-safe (the plural module diagnoses refused writes from worker threads); the checks themselves are rare
    and short, so one lock around them is enough.
    """

    def __init__(
        self,
        connection: Connection,
        warn: Callable[[str], None],
        name: str = "Destination preflight",
        opt_out: str = "set preflight: never",
    ) -> None:
        self.connection = connection
        self._warn = warn
        self._name = name  # how warnings start, and how to turn the checks off: the audit words them its own way
        self._opt_out = opt_out
        self._warned: set[str] = set()
        self._probes: dict[tuple[str, bool], Probe] = {}
        self._decisions: dict[tuple[str, Pair], Optional[str]] = {}
        self._lock = threading.Lock()

    def check(self, requests: list[DestinationUse]) -> list[DestinationCheck]:
        """The verdict on each request, in the order asked."""
        verdicts = self.verdicts(requests)
        return [verdicts[request] for request in requests]

    def verdicts(self, requests: list[DestinationUse]) -> dict[DestinationUse, DestinationCheck]:
        """The verdict on each distinct request, keyed by it. Existence first (a missing destination needs no
        simulation), then each role once, then the verdicts. A destination `unsupported_reason` refuses (FIFO, a kind
        the half cannot deliver to) is answered from its ARN, without a read."""
        distinct = dict.fromkeys(requests)
        # A FIFO queue or a kind the half cannot deliver to is known from the ARN: nothing is read for it.
        reasons = {r: unsupported_reason(r.half, r.arn) for r in distinct}
        unsupported = {r: unsupported_check(r.half, r.arn, r.function.role, why) for r, why in reasons.items() if why}
        with self._lock:
            probed = {
                r: self._probe(parse_destination(r.arn), self._same_account(r)) for r in distinct if not reasons[r]
            }
            self._simulate_roles([request for request, found in probed.items() if found.exists.value is not False])
            checked = {request: self._check_one(request, found) for request, found in probed.items()}
        return {request: unsupported.get(request) or checked[request] for request in distinct}

    @staticmethod
    def _same_account(request: DestinationUse) -> bool:
        return parse_destination(request.arn).account in (None, request.function.account)

    # -- the role's own policies, one call per role --

    def _simulate_roles(self, requests: list[DestinationUse]) -> None:
        by_role: dict[str, set[Pair]] = {}
        for request in requests:
            role = request.function.role
            if role:
                needed = required_permissions(parse_destination(request.arn))
                by_role.setdefault(role, set()).update(p for p in needed if (role, p) not in self._decisions)
        for role, pairs in by_role.items():
            if not pairs:
                continue
            try:
                decisions = simulate(self.connection, role, sorted(pairs))
            except CallerDenied as denied:
                self._note(denied.permission, f"the role's permissions were not checked: {denied}")
                decisions = {}
            for pair in pairs:
                self._decisions[(role, pair)] = decisions.get(pair)

    # -- one destination --

    def _check_one(self, request: DestinationUse, probed: Probe) -> DestinationCheck:
        destination = parse_destination(request.arn)
        function = request.function
        same_account = self._same_account(request)
        if probed.exists.lacking:
            self._note(probed.exists.lacking, f"the existence of {destination.arn} was not checked")
        if probed.exists.value is False:
            allowed = Finding(None, "not checked: the destination does not exist")
        else:
            allowed = self._allowed(destination, function, same_account, probed)
        check = DestinationCheck(request.half, destination, function.role, probed.exists, allowed)
        if check.outcome == UNVERIFIED and not (probed.exists.lacking or allowed.lacking):
            # e.g. another account's queue the caller cannot see: not the caller's permission, still never silent
            self._warn_once(destination.arn, f"{self._name}: {check.message()}")
        return check

    def _probe(self, destination: Destination, same_account: bool) -> Probe:
        key = (destination.arn, same_account)
        if key not in self._probes:
            self._probes[key] = probe(self.connection, destination, same_account)
        return self._probes[key]

    def _allowed(self, destination: Destination, function: Function, same_account: bool, probed: Probe) -> Finding:
        role = function.role
        if not role:
            return Finding(None, "the function reports no execution role")
        pairs = required_permissions(destination)
        identity = {pair: self._decisions.get((role, pair)) for pair in pairs}
        if any(decision is None for decision in identity.values()):
            return Finding(
                None, f"the role's permissions were not checked (the caller may not call {SIMULATE})", SIMULATE
            )
        decided = {pair: str(decision) for pair, decision in identity.items()}
        all_allowed = all(decision == ALLOWED for decision in decided.values())
        denied = any(decision == EXPLICIT_DENY for decision in decided.values())
        # The destination's own policy matters when the role's do not settle it, and always across accounts; SNS and
        # EventBridge returned it with the existence read, so it is evaluated for a Deny at no cost.
        needed = (not all_allowed and not denied) if same_account else all_allowed
        if not needed and probed.policy is None:
            return permission_finding(decided, None, same_account)
        try:
            text = resource_policy(self.connection, destination, probed)
        except CallerDenied as denied_read:
            self._note(denied_read.permission, f"the resource policy of {destination.arn} was not checked")
            return Finding(
                None, f"the destination's resource policy was not checked: {denied_read}", denied_read.permission
            )
        if text is None:
            return Finding(None, "the destination's resource policy was not read: the destination was not found")
        resource = {pair: resource_policy_decision(text, role, *pair) for pair in pairs} if text else {}
        return permission_finding(decided, resource, same_account)

    def _note(self, permission: str, what: str) -> None:
        """Warn once per permission the caller lacks: an unchecked destination is reported, never passed silently."""
        self._warn_once(
            permission,
            f"{self._name}: {what}, because the caller may not call {permission} (AccessDenied). Grant "
            f"{permission} to the credentials this task uses to have it checked, or {self._opt_out}.",
        )

    def _warn_once(self, key: str, text: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._warn(text)


def refused(checks: list[DestinationCheck]) -> bool:
    return any(check.outcome in REFUSED for check in checks)


def preflight_error(checks: list[DestinationCheck], check_mode: bool) -> AwsError:
    """The failure of a write the preflight shows AWS would refuse (before any write)."""
    return AwsError(refusal_message(checks, check_mode), extra={"preflight": [c.to_result() for c in checks]})


def refusal_classifier(
    preflight: Preflight,
    halves: dict[str, str],
    function: Callable[[], Optional[Function]],
) -> Classify:
    """How a write with these destinations classifies its failures: like `retryable`, except that the first
    destination refusal is diagnosed with the preflight. A missing destination or a denied role fails at once,
    naming the cause; only a refusal whose destination exists and whose role is allowed is retried (propagation)."""
    diagnosed: list[RetryReason] = []

    def classify(error: Exception) -> Optional[RetryReason]:
        reason = retryable(error)
        if reason not in (DESTINATION_PROPAGATION_REASON, PERMISSION_PROPAGATION_REASON) or not isinstance(
            error, AwsError
        ):
            return reason
        if not diagnosed:
            diagnosed.append(_diagnose(preflight, halves, function, error, reason))
        return diagnosed[0]

    return classify


def _diagnose(
    preflight: Preflight,
    halves: dict[str, str],
    function: Callable[[], Optional[Function]],
    error: AwsError,
    reason: RetryReason,
) -> RetryReason:
    named = destination_named_in(error.message)
    suspects = {half: arn for half, arn in halves.items() if arn == named} or halves
    owner = function()
    if owner is None:  # the function went away between the write and this read: nothing to diagnose
        return reason
    checks = preflight.check([DestinationUse(half, arn, owner) for half, arn in suspects.items()])
    results = {"preflight": [check.to_result() for check in checks]}
    if refused(checks):
        raise AwsError(
            f"{error} — not retried: {refusal_message(checks, check_mode=False)}", error.code, error.details, results
        )
    verified = all(check.outcome == "ok" for check in checks)
    found = "the destination exists and the role's policies allow it" if verified else "the preflight could not tell"
    return RetryReason(f"{reason.text}, and {found}", reason.advice)
