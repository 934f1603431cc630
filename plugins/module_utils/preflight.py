# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The destination preflight: the reads that tell, before a write, what Lambda will refuse about a destination.

For each destination a write would set (destinations.py has the rules):
  exists   the cheapest read of its service, in the region and account its ARN names: SQS GetQueueAttributes
           (which also gives the key and the queue policy), SNS GetTopicAttributes, Lambda GetFunction, EventBridge
           DescribeEventBus, S3 HeadBucket;
  allowed  iam:SimulatePrincipalPolicy of the function's execution role, one call per role for all its
           destinations; the destination's resource policy is read (Lambda GetPolicy, S3 GetBucketPolicy; SQS, SNS
           and EventBridge already returned it) and evaluated here only when the role's own policies do not settle
           it (destinations.py says why the simulator cannot do that part);
  key      for a queue or topic encrypted with a KMS key (C19): DescribeKey and GetKeyPolicy once per key, and the
           key's actions in the role's one simulation. AWS accepts a config whose key the role may not use.
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
from typing import Union

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import call
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import pages
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import Destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import parse_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import ALLOWED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DENIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import EXPLICIT_DENY
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import NOT_ENCRYPTED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNVERIFIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import Answer
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DestinationCheck
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import KmsKey
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import key_answer
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import key_permissions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import permission_answer
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import refusal_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import resource_policy_decision
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_check
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import unsupported_reason
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import Function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import get_function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import unread_function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target

# How services say "the caller may not": each service has its own spelling.
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError", "403", "Forbidden"})
SIMULATE = "iam:SimulatePrincipalPolicy"
GET_FUNCTION = "lambda:GetFunction"
DESCRIBE_KEY = "kms:DescribeKey"
GET_KEY_POLICY = "kms:GetKeyPolicy"

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
        raise caller_denied(permission, error) or error from None


def caller_denied(permission: str, error: AwsError) -> Optional[CallerDenied]:
    if error.code in DENIED_CODES or error.details.get("http_status_code") == 403:
        return CallerDenied(permission, error)
    return None


class Probe(NamedTuple):
    exists: Answer
    policy: Optional[str] = None  # the resource policy, when the existence read returned it
    key_id: Optional[str] = None  # the KMS key that encrypts it, as the service names it (SQS, SNS)


def probe(connection: Connection, destination: Destination, same_account: bool) -> Probe:
    """Does the destination exist where its ARN says? One read of its own service, as its kind says."""
    kind = destination.kind
    try:
        read = kind.read(connection.client(kind.service, destination.region), destination)
    except AwsError as error:
        denied = caller_denied(kind.existence_permission, error)
        if denied is None:
            raise
        return Probe(Answer(None, f"its existence was not checked: {denied}", denied.permission))
    operation = kind.existence_permission.split(":")[1]
    if read is not None:
        return Probe(Answer(True, f"{operation} found it"), read.policy, read.key_id)
    if not same_account:  # another account's resource the caller cannot see looks the same as a missing one
        detail = f"{operation} did not find it with the caller's credentials, which cannot tell it apart from one in "
        return Probe(Answer(None, detail + f"account {destination.account} that the caller may not see"))
    return Probe(Answer(False, f"{operation} answered {kind.missing_codes[0]}"))


def resource_policy(connection: Connection, destination: Destination, probed: Probe) -> Optional[str]:
    """The destination's resource policy document ("" when it has none, None when it cannot be read because the
    destination was not found); CallerDenied when the caller may not read it."""
    kind = destination.kind
    if not probed.exists.value:
        return None
    if kind.read_policy is None:  # the existence read returned it
        return probed.policy or ""
    try:
        return kind.read_policy(connection.client(kind.service, destination.region), destination)
    except AwsError as error:
        raise caller_denied(kind.policy_permission, error) or error from None


def describe_key(connection: Connection, region: Optional[str], key_id: str) -> Optional[KmsKey]:
    """The key a queue or topic names (an id, ARN, alias name or alias ARN), resolved in its region, with its state
    (C19); None when it does not exist (then nothing can be encrypted with it: KMS refuses, and delivery fails)."""
    client = connection.client("kms", region)
    response = _read(DESCRIBE_KEY, client.describe_key, ("NotFoundException",), KeyId=key_id)
    if response is None:
        return None
    metadata = response["KeyMetadata"]
    return KmsKey(metadata["Arn"], metadata.get("KeyManager") == "AWS", metadata.get("KeyState") or "Enabled")


def key_policy(connection: Connection, key: KmsKey) -> str:
    client = connection.client("kms", key.arn.split(":")[3])
    response = _read(GET_KEY_POLICY, client.get_key_policy, KeyId=key.arn, PolicyName="default")
    return str(response.get("Policy") or "")


def simulate(connection: Connection, role: str, pairs: list[Pair]) -> dict[Pair, str]:
    """The policy simulator's decision (allowed, explicitDeny, implicitDeny) on the role's own policies for each
    (action, resource).

    For a resource in another account the simulator's decision is the cross-account one: both accounts must allow,
    and with no resource policy given it is an implicit deny whatever the role may do. The role's own part is in
    EvalDecisionDetails (the IAM policy entry); where that is not there, the role's decision is UNSEPARATED, so the
    check is unverified rather than denied (`own_decision`).

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
                    resource = specific["EvalResourceName"]
                    decisions[(action, resource)] = own_decision(
                        role, resource, specific["EvalResourceDecision"], specific.get("EvalDecisionDetails")
                    )
                if "EvalResourceName" in result:
                    resource = result["EvalResourceName"]
                    decision = own_decision(role, resource, result["EvalDecision"], result.get("EvalDecisionDetails"))
                    decisions.setdefault((action, resource), decision)
    except AwsError as error:
        raise caller_denied(SIMULATE, error) or error from None
    return decisions


ROLE_MISSING_CODES = ("NoSuchEntity",)  # what SimulatePrincipalPolicy answers for a role IAM does not know (C25)

UNSEPARATED = "unseparated"  # a cross-account answer that does not say what the role's own policies decide


def own_decision(role: str, resource: str, decision: str, details: Optional[dict[str, str]]) -> str:
    """The role's own-policy decision on `resource`, from a simulator result. Within the role's account (or for a
    resource whose ARN names no account) that is the decision itself; across accounts it is the identity-policy
    entry of EvalDecisionDetails, and UNSEPARATED when the answer does not separate it. An explicit deny is the
    role's own either way: no resource policy was given to the simulator."""
    account = resource.split(":")[4] if resource.count(":") >= 5 else ""
    if not account or account == role.split(":")[4] or decision == EXPLICIT_DENY:
        return decision
    for name, value in (details or {}).items():
        if "iam" in name.lower() or "identity" in name.lower():
            return value
    return UNSEPARATED


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
        self._keys: dict[tuple[Optional[str], str], Union[KmsKey, Answer]] = {}  # (region, key id) -> key, or why not
        self._key_policies: dict[str, Optional[str]] = {}  # key ARN -> policy (None: the caller may not read it)
        self._policies: dict[str, Optional[str]] = {}  # destination ARN -> its resource policy (Lambda, S3 read it)
        self._missing_roles: set[str] = set()  # execution roles IAM does not know (deleted, C25)
        self._unread_roles: dict[str, str] = {}  # role -> the error its simulation failed with (not a denial)
        self._lock = threading.Lock()
        self._warn_lock = threading.Lock()

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
            for request, found in probed.items():
                self._key(parse_destination(request.arn), found, self._same_account(request))
            self._simulate_roles(
                [(request, found) for request, found in probed.items() if found.exists.value is not False]
            )
            checked = {request: self._check_one(request, found) for request, found in probed.items()}
        return {request: unsupported.get(request) or checked[request] for request in distinct}

    @staticmethod
    def _same_account(request: DestinationUse) -> bool:
        """An unknown account (GetFunction was not allowed) is taken as the destination's: what is checked then is
        whether the destination exists, which does not depend on it."""
        account = request.function.account
        return account is None or parse_destination(request.arn).account in (None, account)

    # -- the role's own policies, one call per role --

    def _simulate_roles(self, requests: list[tuple[DestinationUse, Probe]]) -> None:
        """One simulation per role, for its destinations' actions and their customer managed keys' (C19)."""
        by_role: dict[str, set[Pair]] = {}
        for request, found in requests:
            role = request.function.role
            if role:
                destination = parse_destination(request.arn)
                key = self._key(destination, found, self._same_account(request))
                needed = destination.permissions()
                if isinstance(key, KmsKey) and not key.aws_managed:
                    needed += key_permissions(key)
                by_role.setdefault(role, set()).update(p for p in needed if (role, p) not in self._decisions)
        for role, pairs in by_role.items():
            if not pairs:
                continue
            try:
                decisions = simulate(self.connection, role, sorted(pairs))
            except CallerDenied as denied:
                self.note(denied.permission, "the role's permissions were not checked")
                decisions = {}
            except AwsError as error:
                # One role's trouble is that role's configs' verdict, never the task's: a deleted role (C25) may
                # use nothing, so its destinations are refused at once (not retried as propagation); any other
                # error leaves its checks unverified, said once.
                if error.code in ROLE_MISSING_CODES:
                    self._missing_roles.add(role)
                else:
                    self._unread_roles[role] = error.code or "an error"
                    self._warn_once(
                        SIMULATE,
                        f"{self._name}: the permissions of execution role {role} were not checked: {SIMULATE} "
                        f"failed ({error.code}); its destinations are reported unverified.",
                    )
                decisions = {}
            for pair in pairs:
                self._decisions[(role, pair)] = decisions.get(pair)

    # -- one destination --

    def _check_one(self, request: DestinationUse, probed: Probe) -> DestinationCheck:
        destination = parse_destination(request.arn)
        function = request.function
        same_account = self._same_account(request)
        if probed.exists.lacking:
            self.note(probed.exists.lacking, f"the existence of {destination.arn} was not checked")
        if probed.exists.value is False:
            allowed = Answer(None, "not checked: the destination does not exist")
        else:
            allowed = self._allowed(destination, function, same_account, probed)
        key = self._key(destination, probed, same_account)
        key_answer_ = self._key_answer(key, function, same_account) if probed.exists.value else NOT_ENCRYPTED
        key_arn = key.arn if isinstance(key, KmsKey) else probed.key_id
        check = DestinationCheck(
            request.half, request.arn, function.role, probed.exists, allowed, key_answer_, key_arn, None, destination
        )
        if check.outcome in (DENIED, MISSING) and not check.refused:  # the key: AWS accepts, delivery fails
            self._warn_once(f"{destination.arn} {function.role}", f"{self._name}: {check.message()}")
        said = probed.exists.lacking or allowed.lacking or check.key.lacking or function.role in self._unread_roles
        if check.outcome == UNVERIFIED and not said:
            # e.g. another account's queue the caller cannot see: not the caller's permission, still never silent
            self._warn_once(destination.arn, f"{self._name}: {check.message()}")
        return check

    # -- the destination's KMS key (C19)

    def _key(self, destination: Destination, probed: Probe, same_account: bool) -> Union[KmsKey, Answer, None]:
        """The key that encrypts the destination (DescribeKey once per key), an Answer when it cannot be used or
        told, None when it is not encrypted with a KMS key. A key in another account can only be described when its
        key policy lets the caller: the advice says so, where granting the caller more in its own account cannot."""
        if not probed.key_id:
            return None
        cache = (destination.region, probed.key_id)
        if cache not in self._keys:
            try:
                found = describe_key(self.connection, destination.region, probed.key_id)
            except CallerDenied as denied:
                owner = probed.key_id.split(":")[4] if probed.key_id.startswith("arn:") else destination.account
                advice = None
                if not same_account:
                    advice = (
                        f"The key is in account {owner}: that account's key policy must allow {denied.permission} to "
                        f"the credentials this task uses"
                    )
                self.note(denied.permission, f"the KMS key of {destination.arn} was not checked", advice)
                self._keys[cache] = Answer(
                    None, f"its KMS key {probed.key_id} was not checked: {denied}", denied.permission
                )
            else:
                self._keys[cache] = found or Answer(
                    False, "which does not exist (DescribeKey answered NotFoundException)", missing=True
                )
        return self._keys[cache]

    def _key_answer(self, key: Union[KmsKey, Answer, None], function: Function, same_account: bool) -> Answer:
        if key is None:
            return NOT_ENCRYPTED
        if isinstance(key, Answer):
            return key
        role = function.role
        if not role:
            return Answer(None, "the execution role was not read", function.lacking)
        if key.aws_managed:
            return key_answer(key, {}, None, role, same_account)
        if key.arn not in self._key_policies:
            try:
                self._key_policies[key.arn] = key_policy(self.connection, key)
            except CallerDenied as denied:
                self.note(denied.permission, f"the key policy of {key.arn} was not checked")
                self._key_policies[key.arn] = None
        decisions = {pair: self._decisions.get((role, pair)) for pair in key_permissions(key)}
        identity = {pair: None if decision == UNSEPARATED else decision for pair, decision in decisions.items()}
        return key_answer(key, identity, self._key_policies[key.arn], role, same_account)

    def _probe(self, destination: Destination, same_account: bool) -> Probe:
        key = (destination.arn, same_account)
        if key not in self._probes:
            self._probes[key] = probe(self.connection, destination, same_account)
        return self._probes[key]

    def _allowed(self, destination: Destination, function: Function, same_account: bool, probed: Probe) -> Answer:
        role = function.role
        if not role:
            if function.lacking:
                return Answer(
                    None,
                    f"the execution role was not read (the caller may not call {function.lacking})",
                    function.lacking,
                )
            return Answer(None, "the function reports no execution role")
        if role in self._missing_roles:
            return Answer(
                False, f"does not exist ({SIMULATE} answered NoSuchEntity), so it may use nothing", missing=True
            )
        if role in self._unread_roles:
            return Answer(
                None, f"the role's permissions were not checked ({SIMULATE} failed: {self._unread_roles[role]})"
            )
        pairs = destination.permissions()
        identity = {pair: self._decisions.get((role, pair)) for pair in pairs}
        if any(decision is None for decision in identity.values()):
            return Answer(
                None, f"the role's permissions were not checked (the caller may not call {SIMULATE})", SIMULATE
            )
        if UNSEPARATED in identity.values():
            return Answer(
                None, "the policy simulator did not say what the role's own policies allow in another account"
            )
        decided = {pair: str(decision) for pair, decision in identity.items()}
        all_allowed = all(decision == ALLOWED for decision in decided.values())
        denied = any(decision == EXPLICIT_DENY for decision in decided.values())
        # The destination's own policy decides unless the role's policies already deny: it may grant what they do
        # not, it must grant across accounts, and an explicit Deny in it refuses what they allow (AWS refuses the
        # write then). SQS, SNS and EventBridge returned it with the existence read; Lambda and S3 take one more,
        # which Lambda's can be spared where only a Deny could change the verdict (its policy cannot hold one).
        cannot_change = same_account and all_allowed and not destination.kind.policy_denies
        if denied or (not same_account and not all_allowed) or cannot_change:
            return permission_answer(decided, None, same_account)
        try:
            text = self._resource_policy(destination, probed)
        except CallerDenied as denied_read:
            self.note(denied_read.permission, f"the resource policy of {destination.arn} was not checked")
            return Answer(
                None, f"the destination's resource policy was not checked: {denied_read}", denied_read.permission
            )
        if text is None:
            return Answer(None, "the destination's resource policy was not read: the destination was not found")
        resource = {pair: resource_policy_decision(text, role, *pair) for pair in pairs} if text else {}
        return permission_answer(decided, resource, same_account)

    def _resource_policy(self, destination: Destination, probed: Probe) -> Optional[str]:
        """resource_policy once per destination, however many configs and roles use it (the lock is held)."""
        if destination.arn not in self._policies:
            self._policies[destination.arn] = resource_policy(self.connection, destination, probed)
        return self._policies[destination.arn]

    def existence(self, destination: Destination) -> Probe:
        """A destination's existence read alone (made once, and kept for the checks): what a default real run reads
        to find a KMS key (C19). A read the caller may not make is warned about, never passed silently."""
        with self._lock:
            probed = self._probe(destination, same_account=True)
        if probed.exists.lacking:
            self.note(probed.exists.lacking, f"the KMS key of {destination.arn} was not checked")
        return probed

    def read_function(self, target: Target, what: str) -> Optional[Function]:
        """GetFunction of one qualifier (None when it does not exist). A caller that may not call it gets what is
        known without it (no role, so the role's checks are unverified) and one warning naming lambda:GetFunction,
        saying `what` was not read; never a failure."""
        try:
            return get_function(self.connection.lambda_client, target)
        except AwsError as error:
            if caller_denied(GET_FUNCTION, error) is None:
                raise
            self.note(GET_FUNCTION, f"{what} were not read")
            return unread_function(target, GET_FUNCTION)

    def note(self, permission: str, what: str, advice: Optional[str] = None) -> None:
        """Warn once per permission the caller lacks: an unchecked destination is reported, never passed silently.
        `advice` replaces "grant it to the credentials" where that cannot help (a key policy in another account)."""
        advice = advice or f"Grant {permission} to the credentials this task uses"
        self._warn_once(
            permission,
            f"{self._name}: {what}, because the caller may not call {permission} (AccessDenied). {advice} to have "
            f"it checked, or {self._opt_out}.",
        )

    def _warn_once(self, key: str, text: str) -> None:
        with self._warn_lock:  # notes come from worker threads too (GetFunction), outside the checks' lock
            first = key not in self._warned
            self._warned.add(key)
        if first:
            self._warn(text)


class Refused(AwsError):
    """A write AWS refused (or would refuse) for a destination, with the checks that say why."""

    def __init__(
        self, message: str, checks: list[DestinationCheck], error: Optional[AwsError] = None, check_mode: bool = False
    ) -> None:
        code, details = (error.code, error.details) if error else (None, None)
        super().__init__(message, code, details, {"preflight": [c.to_result() for c in checks]})
        self.checks = checks
        self.check_mode = check_mode

    @property
    def cause(self) -> str:
        """Why, without this write's own AWS error: the same for every config that sets these destinations."""
        return refusal_message(self.checks, self.check_mode)


def refused(checks: list[DestinationCheck]) -> bool:
    return any(check.refused for check in checks)
