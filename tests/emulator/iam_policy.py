"""IAM policy evaluation: may this principal perform this action on this resource? Pure functions, no moto.

Used twice by the emulator: at Put/Update time, to refuse a destination the function's execution role may not use
(reference C11), and to answer ``iam:SimulatePrincipalPolicy``. Both read their policy documents elsewhere
(``moto_view``) and hand them in here as text.

What is evaluated, as AWS documents it:

- ``Effect`` Allow/Deny; ``Action``/``NotAction``; ``Resource``/``NotResource``; each a string or a list;
- ``*`` (any run of characters, ``:`` and ``/`` included) and ``?`` (one character) wildcards; actions match
  case-insensitively, resources case-sensitively;
- an explicit Deny in any policy wins over every Allow; nothing that applies means an implicit deny;
- resource policies (queue, topic, function, event bus and bucket policies, or ``ResourcePolicy`` of the
  simulator): a statement applies to the principal when its ``Principal`` is ``"*"``, ``{"AWS": "*"}``, the role
  ARN, the account id or ``arn:aws:iam::ACCOUNT:root`` (a string or in a list); ``Service``, ``Federated`` and
  ``CanonicalUser`` principals never match a role. A resource-policy statement without ``Resource`` or
  ``NotResource`` applies to the resource it is attached to.
- combination: principal and resource in the same account -> allowed if an identity policy OR the resource policy
  allows and nothing denies; different accounts -> allowed only if an identity policy AND the resource policy allow,
  and nothing denies.
- permissions boundary (the managed policy a role may have as ``PermissionsBoundary``): an identity-policy grant
  counts only if the boundary allows the same request too, and a Deny in the boundary is an explicit deny
  (DOCUMENTED, IAM user guide, "Permissions boundaries for IAM entities"). A resource policy that names the role ARN
  cannot grant past the boundary either (DOCUMENTED, same page: an implicit deny in a boundary limits what a
  resource policy grants to a role ARN, not what it grants to a role session ARN; OBSERVED in the public test
  "Demonstration that AWS IAM policy evaluation docs are incorrect"). Emulator choice: no grant counts past the
  boundary, whatever the resource policy's principal (``*``, the account), since the emulator never sees a session
  ARN; this errs towards refusing. A role without a boundary is not limited.

KMS key policies (``evaluate_key_use``) follow KMS's own rule, which IAM cannot override: the key policy must allow
the use, either by naming the principal (or everyone) - then that grant is enough in the key's account - or by
naming the principal's account (``arn:aws:iam::ACCOUNT:root``, as the default key policy does), which only
delegates to IAM: the principal's identity policies must then allow it too. Across accounts the key policy (naming
the principal or its account) and the identity policies must both allow. An explicit Deny anywhere wins.

Conditions are evaluated only against a request context the caller knows in full for some keys (``context`` of
``AccessRequest``, for example ``kms:ViaService`` and ``kms:CallerAccount`` when Lambda delivers through SQS):
the string operators (``StringEquals``, ``StringNotEquals``, ``StringLike``, ``StringNotLike`` and their
``IgnoreCase`` and ``IfExists`` forms) on those keys, with AWS's rules (a key the context has as absent makes a
positive operator false and a negated one true; several keys or operators must all hold; a list of values matches
if any does). A key's name is case-insensitive.

Left out (emulator choices; each errs on the side of refusing, so a client never sees "allowed" where AWS might
refuse):

- Any other ``Condition`` (another operator, a key the context does not know, or no context at all) is not
  evaluated. An Allow statement that has one grants nothing; a Deny statement that has one denies as if its
  condition held. (So SNS's default topic policy, whose Allow is conditioned on ``AWS:SourceOwner``, grants
  nothing: the role needs ``sns:Publish`` of its own, which is also what AWS requires of a same-account role in
  practice.)
- ``NotPrincipal`` gets the same treatment: an Allow with it grants nothing, a Deny with it denies everyone.
- Service control policies, session policies and KMS grants are not modelled.
- Policy variables (``${aws:username}``) are matched literally.
- A document that is not valid JSON, or not a policy, contributes nothing (identity) and is reported by the callers
  that accept documents from clients.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

IDENTITY_POLICY = "IAM Policy"  # SourcePolicyType values as the simulator reports them
RESOURCE_POLICY = "Resource Policy"


class Decision(str, Enum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class PolicyError(ValueError):
    """A policy document that cannot be read (bad JSON, no Statement, a Statement that is not an object)."""


@dataclass(frozen=True)
class Position:
    """1-based line and column in the policy text, as the simulator reports statement positions."""

    line: int
    column: int


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principals: tuple[str, ...] | None  # AWS principals of a resource-policy statement; None: no Principal
    not_principal: bool
    has_condition: bool
    start: Position | None = None
    end: Position | None = None
    condition: str | None = None  # the Condition block as JSON text (hashable), when there is one

    @property
    def unevaluable(self) -> bool:
        """Whether the statement carries an element this evaluator does not evaluate (see the module docstring)."""
        return self.has_condition or self.not_principal


@dataclass(frozen=True)
class Policy:
    policy_id: str  # SourcePolicyId: the policy name, "ResourcePolicy", ...
    source_type: str  # IDENTITY_POLICY or RESOURCE_POLICY
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Principal:
    """The role being evaluated: its ARN and account."""

    arn: str
    account: str


@dataclass(frozen=True)
class AccessRequest:
    principal: Principal
    action: str
    resource: str
    resource_account: str | None  # None: unknown owner, taken as the principal's account
    # Condition keys whose value the caller knows (lowercase names); None as a value means "known to be absent".
    # Keys not listed, and every key when the context is None, leave a condition unevaluated.
    context: tuple[tuple[str, str | None], ...] | None = None

    @property
    def cross_account(self) -> bool:
        return self.resource_account is not None and self.resource_account != self.principal.account


@dataclass(frozen=True)
class Match:
    policy: Policy
    statement: Statement


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    matched: tuple[Match, ...]  # every statement that applies; empty for an implicit deny
    identity_decision: Decision
    resource_decision: Decision
    boundary_decision: Decision | None = None  # None: the principal has no permissions boundary


# --- parsing ------------------------------------------------------------------------------------------------------


def parse_policy(policy_id: str, source_type: str, document: str | dict[str, Any]) -> Policy:
    """A policy from its JSON text (or an already parsed dict); PolicyError if it is not a policy document."""
    text = document if isinstance(document, str) else json.dumps(document)
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise PolicyError(f"policy {policy_id} is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise PolicyError(f"policy {policy_id} has no Statement")
    raw = parsed["Statement"]
    raw_statements = raw if isinstance(raw, list) else [raw]
    spans = _statement_spans(text, len(raw_statements)) or [(None, None)] * len(raw_statements)
    statements = tuple(_statement(item, policy_id, span) for item, span in zip(raw_statements, spans, strict=True))
    return Policy(policy_id, source_type, statements)


def parse_policies(source_type: str, documents: Iterable[tuple[str, str]]) -> list[Policy]:
    """Policies from (id, text) pairs, skipping documents that cannot be read (they can grant nothing)."""
    policies = []
    for policy_id, text in documents:
        try:
            policies.append(parse_policy(policy_id, source_type, text))
        except PolicyError:
            continue
    return policies


def _statement(item: Any, policy_id: str, span: tuple[Position | None, Position | None]) -> Statement:
    if not isinstance(item, dict):
        raise PolicyError(f"policy {policy_id} has a statement that is not an object")
    effect = item.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"policy {policy_id} has a statement with Effect {effect!r}")
    return Statement(
        effect=effect,
        actions=_strings(item.get("Action")),
        not_actions=_strings(item.get("NotAction")),
        resources=_strings(item.get("Resource")),
        not_resources=_strings(item.get("NotResource")),
        principals=_aws_principals(item["Principal"]) if "Principal" in item else None,
        not_principal="NotPrincipal" in item,
        has_condition=bool(item.get("Condition")),
        start=span[0],
        end=span[1],
        condition=json.dumps(item["Condition"], sort_keys=True) if item.get("Condition") else None,
    )


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in values)


def _aws_principals(value: Any) -> tuple[str, ...]:
    """The AWS principals a Principal element names ("*" for everyone); Service etc. principals are dropped.

    A bare string other than "*" is not policy grammar and names nobody. (moto keeps Lambda AddPermission
    principals that way; ``moto_view`` hands them over in AWS's shape, ``{"AWS": ...}``.)
    """
    if isinstance(value, str):
        return (value,) if value == "*" else ()
    if isinstance(value, dict):
        return _strings(value.get("AWS")) or ()
    return ()


def _statement_spans(text: str, count: int) -> list[tuple[Position | None, Position | None]]:
    """Where each statement object starts and ends in the text: its "{" and just past its "}" (best effort)."""
    try:
        index = text.index("[", text.index('"Statement"'))
    except ValueError:
        return []  # a single statement object rather than a list: positions are not worth guessing
    decoder = json.JSONDecoder()
    spans: list[tuple[Position | None, Position | None]] = []
    cursor = index + 1
    for _item in range(count):
        while cursor < len(text) and (text[cursor].isspace() or text[cursor] == ","):
            cursor += 1
        try:
            _value, end = decoder.raw_decode(text, cursor)
        except ValueError:
            return []
        spans.append((_position(text, cursor), _position(text, end)))
        cursor = end
    return spans


def _position(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Position(line, column)


# --- matching -----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    translated = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(translated, 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def wildcard_match(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM's ``*``/``?`` matching of one pattern against a whole value."""
    return _glob(pattern, case_sensitive).fullmatch(value) is not None


def action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(wildcard_match(p, action, case_sensitive=False) for p in patterns)


def _action_applies(statement: Statement, action: str) -> bool:
    if statement.actions is not None:
        return action_matches(statement.actions, action)
    if statement.not_actions is not None:
        return not action_matches(statement.not_actions, action)
    return False


def _resource_applies(statement: Statement, resource: str, in_resource_policy: bool) -> bool:
    if statement.resources is not None:
        return any(wildcard_match(p, resource) for p in statement.resources)
    if statement.not_resources is not None:
        return not any(wildcard_match(p, resource) for p in statement.not_resources)
    return in_resource_policy  # a resource policy's statement speaks for the resource it is attached to


def _principal_applies(statement: Statement, principal: Principal) -> bool:
    if statement.not_principal:
        return True  # unevaluable: only a Deny gets this far (see _applies)
    partition = principal.arn.split(":")[1] if principal.arn.startswith("arn:") else "aws"
    names = {"*", principal.arn, principal.account, f"arn:{partition}:iam::{principal.account}:root"}
    return any(p in names for p in statement.principals or ())


def _applies(statement: Statement, request: AccessRequest, in_resource_policy: bool) -> bool:
    holds = condition_holds(statement.condition, request.context) if statement.has_condition else True
    if holds is False:
        return False
    if (statement.not_principal or holds is None) and statement.effect == "Allow":
        return False  # a grant that cannot be evaluated is not counted on (module docstring)
    if not _action_applies(statement, request.action):
        return False
    if not _resource_applies(statement, request.resource, in_resource_policy):
        return False
    return not in_resource_policy or _principal_applies(statement, request.principal)


_STRING_OPERATORS = {
    "stringequals": (False, False, False),  # (negated, ignore case, like)
    "stringnotequals": (True, False, False),
    "stringequalsignorecase": (False, True, False),
    "stringnotequalsignorecase": (True, True, False),
    "stringlike": (False, False, True),
    "stringnotlike": (True, False, True),
}


def condition_holds(condition: str | None, context: tuple[tuple[str, str | None], ...] | None) -> bool | None:
    """Whether a Condition block holds in this context: True, False, or None when it cannot be evaluated (an
    operator other than the string ones, a key the context does not know, or no context)."""
    if condition is None:
        return True
    if context is None:
        return None
    known = dict(context)
    block = json.loads(condition)
    if not isinstance(block, dict):
        return None
    results: list[bool | None] = []
    for operator, tests in block.items():
        name = str(operator).lower()
        if_exists = name.endswith("ifexists")
        kind = _STRING_OPERATORS.get(name[: -len("ifexists")] if if_exists else name)
        if kind is None or not isinstance(tests, dict):
            return None
        for key, wanted in tests.items():
            results.append(_string_test(kind, if_exists, known, str(key).lower(), wanted))
    if False in results:
        return False
    return None if None in results else True


def _string_test(
    kind: tuple[bool, bool, bool], if_exists: bool, known: dict[str, str | None], key: str, wanted: Any
) -> bool | None:
    negated, ignore_case, like = kind
    if key not in known:
        return None
    value = known[key]
    if value is None:  # absent from the request: positive operators fail, negated ones (and IfExists) hold
        return negated or if_exists
    patterns = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
    if like:
        found = any(wildcard_match(p, value, case_sensitive=True) for p in patterns)
    elif ignore_case:
        found = value.lower() in {p.lower() for p in patterns}
    else:
        found = value in patterns
    return not found if negated else found


# --- decisions ----------------------------------------------------------------------------------------------------


def _matches(policies: Sequence[Policy], request: AccessRequest) -> tuple[list[Match], list[Match]]:
    """(denies, allows) among the statements of these policies that apply to the request."""
    denies: list[Match] = []
    allows: list[Match] = []
    for policy in policies:
        in_resource_policy = policy.source_type == RESOURCE_POLICY
        for statement in policy.statements:
            if _applies(statement, request, in_resource_policy):
                (denies if statement.effect == "Deny" else allows).append(Match(policy, statement))
    return denies, allows


def _decision(denies: list[Match], allows: list[Match]) -> Decision:
    if denies:
        return Decision.EXPLICIT_DENY
    return Decision.ALLOWED if allows else Decision.IMPLICIT_DENY


def evaluate(
    identity_policies: Sequence[Policy],
    resource_policies: Sequence[Policy],
    request: AccessRequest,
    boundary: Sequence[Policy] | None = None,
) -> Evaluation:
    """The decision for one (principal, action, resource), combining identity and resource policies like AWS, within
    the principal's permissions boundary (``boundary``: its policy; None when it has none)."""
    identity_denies, identity_allows = _matches(identity_policies, request)
    resource_denies, resource_allows = _matches(resource_policies, request)
    boundary_denies, boundary_allows = _matches(boundary or (), request)
    identity_decision = _decision(identity_denies, identity_allows)
    resource_decision = _decision(resource_denies, resource_allows)
    if identity_denies or resource_denies or boundary_denies:
        decision = Decision.EXPLICIT_DENY
    elif request.cross_account:
        decision = Decision.ALLOWED if identity_allows and resource_allows else Decision.IMPLICIT_DENY
    else:
        decision = Decision.ALLOWED if identity_allows or resource_allows else Decision.IMPLICIT_DENY
    if decision is Decision.ALLOWED and boundary is not None and not boundary_allows:
        decision = Decision.IMPLICIT_DENY
    # As real simulator answers show it: every statement that applies, resource policy first; none when nothing
    # decided (the API reference says only the Deny is listed for an explicit deny; recorded answers list both).
    matched: tuple[Match, ...] = ()
    if decision is not Decision.IMPLICIT_DENY:
        matched = tuple(
            resource_denies + resource_allows + identity_denies + identity_allows + boundary_denies + boundary_allows
        )
    boundary_decision = _decision(boundary_denies, boundary_allows) if boundary is not None else None
    return Evaluation(decision, matched, identity_decision, resource_decision, boundary_decision)


def evaluate_key_use(
    identity_policies: Sequence[Policy],
    key_policies: Sequence[Policy],
    request: AccessRequest,
    boundary: Sequence[Policy] | None = None,
) -> Evaluation:
    """The decision for a principal using a KMS key, with KMS's rule (module docstring): the key policy must allow,
    by naming the principal (enough in the key's account) or its account (IAM must then allow too); within the
    principal's permissions boundary, as for ``evaluate``."""
    identity_denies, identity_allows = _matches(identity_policies, request)
    key_denies, key_allows = _matches(key_policies, request)
    boundary_denies, boundary_allows = _matches(boundary or (), request)
    direct = [match for match in key_allows if _names_principal(match.statement, request.principal)]
    delegated = [match for match in key_allows if match not in direct]
    if identity_denies or key_denies or boundary_denies:
        decision = Decision.EXPLICIT_DENY
    elif request.cross_account:
        decision = Decision.ALLOWED if key_allows and identity_allows else Decision.IMPLICIT_DENY
    elif direct or (delegated and identity_allows):
        decision = Decision.ALLOWED
    else:
        decision = Decision.IMPLICIT_DENY
    if decision is Decision.ALLOWED and boundary is not None and not boundary_allows:
        decision = Decision.IMPLICIT_DENY
    matched: tuple[Match, ...] = ()
    if decision is not Decision.IMPLICIT_DENY:
        matched = tuple(key_denies + key_allows + identity_denies + identity_allows + boundary_denies + boundary_allows)
    boundary_decision = _decision(boundary_denies, boundary_allows) if boundary is not None else None
    return Evaluation(
        decision,
        matched,
        _decision(identity_denies, identity_allows),
        _decision(key_denies, key_allows),
        boundary_decision,
    )


def _names_principal(statement: Statement, principal: Principal) -> bool:
    """Whether a key-policy statement names the principal itself (or everyone), not only its account."""
    return any(name in ("*", principal.arn) for name in statement.principals or ())


def most_restrictive(decisions: Iterable[Decision]) -> Decision:
    """explicitDeny over implicitDeny over allowed (how the simulator aggregates over several resources)."""
    found = set(decisions)
    for decision in (Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY):
        if decision in found:
            return decision
    return Decision.ALLOWED
