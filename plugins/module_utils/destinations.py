# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Lambda requires of a destination when a config is written (C11), as pure rules and verdicts.

Lambda refuses a write whose destination does not exist where its ARN says, or that the function's execution role
may not send to ("validates access at Put time"). The preflight (preflight.py) finds both out with reads; this
module says what a set of answers means, without I/O. What each kind of destination is, which halves take it and
which actions deliver to it is the registry's (destination_kinds.py).

Resource policies and other accounts. Within one account, an action is allowed when the role's own policies or the
destination's resource policy allow it, and nothing denies it; across accounts both must allow it. The role's own
policies are asked of IAM's policy simulator (SimulatePrincipalPolicy). The simulator cannot evaluate a resource
policy for a role (it needs a CallerArn, which can only be an IAM user), so the destination's resource policy is
read and evaluated here (`resource_policy_decision`) unless the role's own policies already refuse: it may grant
what they do not, it must grant across accounts, and an explicit Deny in it refuses what they allow. A statement
with a Condition (or a NotPrincipal) that would decide the outcome cannot be evaluated without the request's
context, so it makes the result unverified; what cannot be read is unverified too, never allowed.
"""

from __future__ import annotations

import json
import re
from typing import Any
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import DEAD_LETTER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import KMS_ACTIONS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import Destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import NotADestination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import destination_for
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import fifo_reason
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import half_label
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import parse_destination

OK = "ok"
MISSING = "missing"
DENIED = "denied"
UNVERIFIED = "unverified"
UNSUPPORTED = "unsupported"  # a FIFO queue or topic, or a kind the half cannot deliver to: known from the ARN alone


def unsupported_reason(half: str, arn: str) -> Optional[str]:
    """Why `half` cannot deliver to `arn`, whatever exists, or None. Pure: decided from the ARN alone, before any
    read, by the registry (destination_kinds.py): an ARN of no kind, a kind the half does not take, or a FIFO queue
    or topic (Lambda accepts it when the config is written, then drops every record)."""
    try:
        return fifo_reason(destination_for(half, arn))
    except NotADestination as error:
        return str(error)


class Answer(NamedTuple):
    """The answer of one read: True/False, or None when it could not be made (with the permission that lacked)."""

    value: Optional[bool]
    detail: str  # what was read and what it said, for messages
    lacking: Optional[str] = None  # the caller's missing permission when value is None
    missing: bool = False  # False because what was looked for does not exist (not because it is refused)


class KmsKey(NamedTuple):
    """The KMS key that encrypts an SQS queue or SNS topic, resolved by DescribeKey (C19)."""

    arn: str
    aws_managed: bool  # alias/aws/sqs, alias/aws/sns: usable in the same account only, needs no grant
    state: str = "Enabled"  # KeyState: only an Enabled key encrypts


NOT_ENCRYPTED = Answer(True, "not encrypted with a KMS key")


def key_permissions(key: KmsKey) -> tuple[tuple[str, str], ...]:
    return tuple((action, key.arn) for action in KMS_ACTIONS)


class DestinationCheck(NamedTuple):
    """One destination's verdict: what was checked and what it means for a write and for delivery."""

    half: str
    arn: str
    role: Optional[str]
    exists: Answer
    allowed: Answer
    key: Answer = NOT_ENCRYPTED  # may the role use the destination's KMS key? (C19)
    key_arn: Optional[str] = None  # the key's ARN (or, when DescribeKey could not resolve it, the id its service gave)
    unsupported: Optional[str] = None  # why the half cannot deliver to it at all (unsupported_reason); no read made
    destination: Optional[Destination] = None  # None only for an ARN of no kind

    @property
    def refused(self) -> bool:
        """Whether AWS refuses (or the collection refuses, for a destination that can never receive) a write with
        this destination (C11). A key that cannot be used is not refused: AWS accepts the config and drops every
        record at delivery (C19)."""
        return bool(self.unsupported) or self.exists.value is False or self.allowed.value is False

    @property
    def role_missing(self) -> bool:
        """Whether the function's execution role does not exist (C25): then no destination can be used."""
        return self.allowed.value is False and self.allowed.missing

    @property
    def outcome(self) -> str:
        if self.unsupported:
            return UNSUPPORTED
        if self.exists.value is False:
            return MISSING
        if self.allowed.value is False:
            return MISSING if self.allowed.missing else DENIED  # missing: the execution role itself (C25)
        if self.key.value is False:
            return MISSING if self.key.missing else DENIED
        if None in (self.exists.value, self.allowed.value, self.key.value):
            return UNVERIFIED
        return OK

    def message(self) -> str:
        """One sentence per fact, naming the destination (and its role or key where they are the cause)."""
        label = f"The {half_label(self.half)} {self.arn}"
        if self.half == DEAD_LETTER:
            label = f"The function's {half_label(self.half)} {self.arn}"
        outcome = self.outcome
        if outcome == UNSUPPORTED:
            return f"{label} cannot receive records: {self.unsupported}."
        if self.exists.value is False:
            where = self.destination.where() if self.destination else ""
            return f"{label} does not exist {where} ({self.exists.detail})."
        if self.allowed.value is False:
            return f"{label} cannot be used: the function's execution role {self.role} {self.allowed.detail}."
        if self.key.value is False:
            return (
                f"{label} is encrypted with KMS key {self.key_arn}, {self.key.detail}. Lambda accepts the config but "
                "drops every record it sends there."
            )
        if outcome == UNVERIFIED:
            unknown = [finding.detail for finding in (self.exists, self.allowed, self.key) if finding.value is None]
            return f"{label} could not be fully checked: {'; '.join(unknown)}."
        return f"{label} exists and the function's execution role may use it."

    def to_result(self) -> dict[str, object]:
        delivering = self.destination if not self.unsupported else None
        actions = [action for action, _resource in delivering.permissions()] if delivering else []
        return {
            "half": self.half,
            "destination": self.arn,
            "role": self.role,
            "actions": actions + (list(KMS_ACTIONS) if self.key_arn else []),
            "exists": self.exists.value,
            "allowed": self.allowed.value if self.key.value is not False else False,
            "key": self.key_arn,
            "outcome": self.outcome,
            "message": self.message(),
        }


def unsupported_check(half: str, arn: str, role: Optional[str], reason: str) -> DestinationCheck:
    """The verdict on a destination `unsupported_reason` refuses: nothing read, nothing to read."""
    try:
        destination: Optional[Destination] = parse_destination(arn)
    except NotADestination:
        destination = None
    not_read = Answer(None, f"not checked: {reason}")
    return DestinationCheck(half, arn, role, not_read, not_read, unsupported=reason, destination=destination)


def refusal_message(checks: list[DestinationCheck], check_mode: bool) -> str:
    """Why a write is (or would be) refused, one sentence per refused destination."""
    refused = [check.message() for check in checks if check.refused]
    ending = " AWS would refuse the write; a real run would fail the same way." if check_mode else ""
    return " ".join(refused) + ending


def destination_named_in(message: str) -> Optional[str]:
    """The ARN an "is invalid" or "does not have permissions ... on ARN" refusal names, if it names one."""
    for word in reversed(message.rstrip(".").split()):
        if word.startswith("arn:"):
            return word
    return None


# ---------------------------------------------------------------------------------------------- resource policies

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"
MAYBE_DENIED = "maybeDenied"  # a Deny with a Condition (or NotPrincipal) applies: it depends on the request
MAYBE_ALLOWED = "maybeAllowed"  # only an Allow with a Condition (or NotPrincipal) applies


def resource_policy_decision(policy: str, role: str, action: str, resource: str) -> str:
    """What a destination's resource policy says about `role` performing `action` on `resource`.

    Statements apply when their Principal is everyone, the role, or the role's account, and their Action/NotAction
    and Resource/NotResource (or no Resource: the destination itself) match, with IAM's * and ? wildcards. An
    unconditional Deny wins, then a conditional one, then an unconditional Allow, then a conditional one.
    """
    statements = _statements(policy)
    if statements is None:
        return MAYBE_DENIED
    found = set()
    for statement in statements:
        if isinstance(statement, dict) and _applies(statement, role, action, resource):
            conditional = "Condition" in statement or "NotPrincipal" in statement
            if statement.get("Effect") == "Deny":
                found.add(MAYBE_DENIED if conditional else EXPLICIT_DENY)
            elif statement.get("Effect") == "Allow":
                found.add(MAYBE_ALLOWED if conditional else ALLOWED)
    return next((d for d in (EXPLICIT_DENY, MAYBE_DENIED, ALLOWED, MAYBE_ALLOWED) if d in found), IMPLICIT_DENY)


def permission_answer(
    identity: dict[tuple[str, str], str], resource: Optional[dict[tuple[str, str], str]], same_account: bool
) -> Answer:
    """Whether the role may deliver, from the simulator's decisions on its own policies and (when read) the
    destination policy's decisions, combined as IAM does: within one account either may allow, across accounts
    both must, and an explicit Deny in either refuses."""
    pairs = list(identity)
    resource = resource or {}

    def having(decision: str, decisions: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
        return [pair for pair in pairs if decisions.get(pair) == decision]

    if having(EXPLICIT_DENY, identity):
        return Answer(False, f"is explicitly denied {_pairs(having(EXPLICIT_DENY, identity))} by its own policies")
    if having(EXPLICIT_DENY, resource):
        return Answer(False, f"is denied {_pairs(having(EXPLICIT_DENY, resource))} by the destination's policy")
    if not same_account and any(identity[pair] != ALLOWED for pair in pairs):
        refused = [pair for pair in pairs if identity[pair] != ALLOWED]
        return Answer(False, f"is not allowed {_pairs(refused)} by its own policies (needed across accounts)")
    if having(MAYBE_DENIED, resource):
        return Answer(
            None, f"the destination's policy has a conditional Deny for {_pairs(having(MAYBE_DENIED, resource))}"
        )
    granted = ALLOWED if same_account else None  # across accounts the role's Allow is not enough on its own
    settled = [pair for pair in pairs if identity[pair] == granted or resource.get(pair) == ALLOWED]
    if len(settled) == len(pairs):
        return Answer(True, f"may {_pairs(pairs)}")
    maybe = [pair for pair in pairs if pair not in settled and resource.get(pair) == MAYBE_ALLOWED]
    if maybe:
        return Answer(None, f"only a conditional Allow in the destination's policy grants {_pairs(maybe)}")
    refused = [pair for pair in pairs if pair not in settled]
    where = "or by the destination's policy" if resource else "and the destination has no policy that grants it"
    return Answer(False, f"is not allowed {_pairs(refused)} by its own policies {where}")


def _pairs(pairs: Any) -> str:
    return ", ".join(f"{action} on {resource}" for action, resource in pairs)


def _applies(statement: dict[str, Any], role: str, action: str, resource: str) -> bool:
    if "NotPrincipal" not in statement and not _principal_matches(statement.get("Principal"), role):
        return False
    if not _listed(statement, "Action", "NotAction", action, ignore_case=True):
        return False
    if "Resource" not in statement and "NotResource" not in statement:
        return True  # a statement without Resource is about the resource the policy belongs to
    return _listed(statement, "Resource", "NotResource", resource, ignore_case=False)


def _principal_matches(principal: Any, role: str) -> bool:
    if principal == "*":
        return True
    names = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
    account = role.split(":")[4]
    partition = role.split(":")[1]
    return any(name in ("*", role, account, f"arn:{partition}:iam::{account}:root") for name in names)


def _listed(statement: dict[str, Any], key: str, negated: str, value: str, ignore_case: bool) -> bool:
    if key in statement:
        return any(_wildcard(pattern, value, ignore_case) for pattern in _as_list(statement[key]))
    if negated in statement:
        return not any(_wildcard(pattern, value, ignore_case) for pattern in _as_list(statement[negated]))
    return False


def _wildcard(pattern: Any, value: str, ignore_case: bool) -> bool:
    if not isinstance(pattern, str):
        return False
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def key_answer(
    key: KmsKey, identity: dict[tuple[str, str], Optional[str]], policy: Optional[str], role: str, same_account: bool
) -> Answer:
    """May `role` use `key` to deliver (C19)? Only an Enabled key encrypts. An AWS managed key: in the same account
    only. A customer managed key: the key policy must allow it, naming the role (enough on its own) or the account
    (which delegates to IAM: the role's own policies must then allow it too). `identity` is the simulator's
    decisions (None: not checked); `policy` the key policy (None: not read). Each detail continues "... encrypted
    with KMS key K, " in a message."""
    if key.state != "Enabled":
        return Answer(False, f"which is {key.state}: KMS encrypts only with an Enabled key")
    who = f"which the function's execution role {role}"
    if key.aws_managed:
        if same_account:
            return Answer(True, f"{who} may use (an AWS managed key, same account)")
        return Answer(False, f"{who} cannot use from another account (an AWS managed key serves its own account only)")
    pairs = list(identity)
    if policy is None:
        return Answer(None, "whose key policy was not read")
    direct = {pair: resource_policy_decision(_only(policy, role, direct=True), role, *pair) for pair in pairs}
    delegated = {pair: resource_policy_decision(_only(policy, role, direct=False), role, *pair) for pair in pairs}
    denied = [pair for pair in pairs if EXPLICIT_DENY in (direct[pair], delegated[pair])]
    if denied:
        return Answer(False, f"{who} may not use: the key policy denies it {_actions(denied)}")
    missing = []
    for pair in pairs:
        if direct[pair] == ALLOWED:
            continue
        if delegated[pair] == ALLOWED and identity[pair] == ALLOWED:
            continue
        if delegated[pair] == ALLOWED and identity[pair] is None:
            return Answer(None, f"the role's own permissions for {_actions([pair])} on its key were not checked")
        if MAYBE_ALLOWED in (direct[pair], delegated[pair]) or MAYBE_DENIED in (direct[pair], delegated[pair]):
            return Answer(None, f"a conditional statement in its key policy decides {_actions([pair])}")
        missing.append(pair)
    if missing:
        if all(delegated[p] == ALLOWED for p in missing):
            why = "its own policies do not allow it"
        else:
            why = "the key policy names neither the role nor its account for it"
        return Answer(False, f"{who} may not use: {why} {_actions(missing)}")
    return Answer(True, f"{who} may use ({_actions(pairs)})")


def _statements(policy: str) -> Optional[list[Any]]:
    """A policy document's statements (one given as an object is a list of one); None when it is not JSON."""
    try:
        document = json.loads(policy)
    except ValueError:
        return None
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return [statements] if isinstance(statements, dict) else statements


def _actions(pairs: Any) -> str:
    return ", ".join(action for action, _resource in pairs)


def _only(policy: str, role: str, direct: bool) -> str:
    """The key policy's statements that name the role (or everyone) directly, or those that name its account."""
    statements = _statements(policy)
    if statements is None:
        return policy  # unreadable: resource_policy_decision says so
    account = role.split(":")[4]
    kept = []
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        principal = statement.get("Principal")
        names = _as_list(principal.get("AWS")) if isinstance(principal, dict) else [principal]
        names_account = any(name in (account, f"arn:{role.split(':')[1]}:iam::{account}:root") for name in names)
        if names_account != direct or "NotPrincipal" in statement:
            kept.append(statement)
    return json.dumps({"Statement": kept})
