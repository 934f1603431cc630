"""``iam:SimulatePrincipalPolicy``, answered from the emulator's policy evaluator (moto 5.2.5 does not implement it).

Request (query protocol): ``PolicySourceArn`` (a role ARN), ``ActionNames.member.N``, ``ResourceArns.member.N``
(default ``*``), ``PolicyInputList.member.N`` (extra identity policies, ids ``PolicyInputList.N``),
``PermissionsBoundaryPolicyInputList.member.1`` (a boundary in place of the role's), ``ResourcePolicy``,
``ResourceOwner`` (``arn:aws:iam::ACCOUNT:root``), ``CallerArn``, ``MaxItems``/``Marker``. The role's identity
policies are its inline policies and the default version of each attached managed policy, read from moto.

Response, in the shape the IAM API reference documents today and recorded answers show:

- one ``EvaluationResults`` member per action. The API reference says the simulator "now returns a single
  EvaluationResult per action, regardless of how many resource ARNs are provided" (it used to return one per
  action and resource). ``EvalDecision`` is the most restrictive decision over the resources (explicitDeny, then
  implicitDeny, then allowed) and ``ResourceSpecificResults`` holds one entry per resource (``EvalResourceName``,
  ``EvalResourceDecision``, ``MatchedStatements``, ``MissingContextValues``). Read per-resource decisions there.
- ``EvalResourceName``: ``*`` when no resource was given (and then neither ``ResourceSpecificResults`` nor
  ``EvalDecisionDetails`` is sent, as recorded); the resource when exactly one was given (recorded); left out when
  several were given (emulator choice: what AWS sends then is not recorded, and a client must not rely on it).
- ``MatchedStatements``: ``SourcePolicyId`` (the policy's name, ``PolicyInputList.N`` or ``ResourcePolicy``),
  ``SourcePolicyType`` (``IAM Policy`` or ``Resource Policy``, as real answers show, although the model's enum lists
  other values), ``StartPosition``/``EndPosition`` (line and column of the statement's ``{`` and just past its ``}``;
  approximate). Every statement that applies is listed, resource policy first; none for an implicit deny.
- ``MissingContextValues`` is always empty (conditions are not evaluated, see ``iam_policy``).
- ``EvalDecisionDetails``: empty for a same-account simulation with resources (documented); for a cross-account one
  ``{"IAM Policy": d, "Resource Policy": d}`` (the key names are an emulator choice).
- ``IsTruncated`` false unless ``MaxItems`` (1-1000, default 100) cuts the list; then ``Marker`` is set.

Errors (query-protocol ``<ErrorResponse>``): an unknown role -> 404 ``NoSuchEntity`` "The role with name NAME cannot
be found."; a user or group ARN -> 400 ``InvalidInput`` (the emulator simulates roles only); a ``ResourcePolicy``
without ``CallerArn`` -> 400 ``InvalidInput`` (AWS documents CallerArn as required then, unless the source is a
user); an unreadable policy document, a bad ``ResourceOwner`` or ``Marker`` -> 400 ``InvalidInput``;
``ContextEntries``, ``PolicyExclusionList`` and ``ResourceHandlingOption`` -> 400 ``InvalidInput`` (not supported:
refused rather than silently ignored); more than one ``PermissionsBoundaryPolicyInputList`` member -> 400
``InvalidInput`` (AWS takes one). Message texts are the emulator's.

Permissions boundary: the simulation includes the role's permissions boundary, as IAM does (DOCUMENTED: the
simulator evaluates the entity's boundary and reports ``PermissionsBoundaryDecisionDetail``), or the one policy given
in ``PermissionsBoundaryPolicyInputList``, which replaces it (DOCUMENTED). Then every ``EvaluationResult`` and every
``ResourceSpecificResults`` entry carries ``PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary`` (false
when the boundary does not allow the request, implicitly or explicitly), a grant the boundary does not allow is an
``implicitDeny``, a Deny in it an ``explicitDeny`` (``iam_policy``), and a cross-account ``EvalDecisionDetails`` also
holds the boundary's decision under ``Permissions Boundary Policy`` (emulator choice, like the other two key names).
Without a boundary none of these is sent (emulator choice). Boundary statements that apply are listed in
``MatchedStatements`` with the boundary policy's name, as identity statements are.

Not known for real AWS: the reference also says "Simulation of resource-based policies isn't supported for IAM
roles". The emulator does evaluate ``ResourcePolicy`` for a role, with the role as the principal its statements
must name; ``CallerArn`` is required but otherwise not used.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from . import moto_view
from .iam_policy import IDENTITY_POLICY
from .iam_policy import RESOURCE_POLICY
from .iam_policy import AccessRequest
from .iam_policy import Decision
from .iam_policy import Evaluation
from .iam_policy import Match
from .iam_policy import Policy
from .iam_policy import PolicyError
from .iam_policy import Principal
from .iam_policy import evaluate
from .iam_policy import most_restrictive
from .iam_policy import parse_policies
from .iam_policy import parse_policy
from .service_wire import IAM_NAMESPACE
from .service_wire import query_error
from .service_wire import xml_response
from .wire import Response

OPERATION = "SimulatePrincipalPolicy"
MAX_ITEMS_RANGE = (1, 1000)
DEFAULT_MAX_ITEMS = 100
UNSUPPORTED = (
    "ContextEntries",
    "PolicyExclusionList",
    "ResourceHandlingOption",
)
BOUNDARY_INPUT = "PermissionsBoundaryPolicyInputList"
BOUNDARY_DETAILS_KEY = "Permissions Boundary Policy"  # EvalDecisionDetails key for the boundary (emulator choice)
_ACCOUNT_ROOT = re.compile(r"arn:[^:]+:iam::(?P<account>\d{12}):root")
_IAM_ENTITY = re.compile(r"arn:[^:]+:iam::\d{12}:(?P<kind>user|group|role)/.+")


class IamError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> Response:
        return query_error(IAM_NAMESPACE, self.status, self.code, self.message)


def invalid_input(message: str) -> IamError:
    return IamError(400, "InvalidInput", message)


@dataclass(frozen=True)
class Simulation:
    principal: Principal
    identity: list[Policy]
    resource_policy: Policy | None
    boundary: list[Policy] | None  # the permissions boundary in force; None: the role has none
    actions: list[str]
    resources: list[str] | None  # None: not given, simulated as "*"
    resource_owner: str  # the account of resources whose ARN names none
    max_items: int
    offset: int


def simulate_principal_policy(params: dict[str, list[str]]) -> Response:
    """The whole operation: parameters in, XML (or an IAM error) out."""
    try:
        simulation = parse_request(params)
    except IamError as error:
        return error.response()
    results = [evaluate_action(simulation, action) for action in simulation.actions]
    end = simulation.offset + simulation.max_items
    return xml_response(_document(results[simulation.offset : end], end if end < len(results) else None))


# --- request ------------------------------------------------------------------------------------------------------


def _value(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def _members(params: dict[str, list[str]], key: str) -> list[str]:
    """``Key.member.N`` values in N order."""
    found = []
    for name, values in params.items():
        match = re.fullmatch(rf"{re.escape(key)}\.member\.(\d+)", name)
        if match and values:
            found.append((int(match.group(1)), values[0]))
    return [value for _index, value in sorted(found)]


def _required(value: Any, member: str) -> None:
    if not value:
        raise IamError(
            400,
            "ValidationError",
            f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be "
            "null",
        )


def parse_request(params: dict[str, list[str]]) -> Simulation:
    source = _value(params, "PolicySourceArn")
    actions = _members(params, "ActionNames")
    _required(source, "policySourceArn")
    _required(actions, "actionNames")
    for name in UNSUPPORTED:
        if any(key == name or key.startswith(f"{name}.") for key in params):
            raise invalid_input(f"{name} is not supported by the emulator's policy simulator.")
    role = _role(str(source))
    resource_policy = _resource_policy(params)
    extra = [
        _policy(f"PolicyInputList.{index}", IDENTITY_POLICY, text, "PolicyInputList")
        for index, text in enumerate(_members(params, "PolicyInputList"), start=1)
    ]
    return Simulation(
        principal=Principal(role.arn, role.account),
        identity=parse_policies(IDENTITY_POLICY, role.identity_policies) + extra,
        resource_policy=resource_policy,
        boundary=_boundary(params, role),
        actions=actions,
        resources=_members(params, "ResourceArns") or None,
        resource_owner=_resource_owner(_value(params, "ResourceOwner"), role.account),
        max_items=_max_items(_value(params, "MaxItems")),
        offset=_decode_marker(_value(params, "Marker")),
    )


def _role(source: str) -> moto_view.RoleRecord:
    entity = _IAM_ENTITY.fullmatch(source)
    if entity is None:
        raise invalid_input(f"Invalid ARN: {source} is not the ARN of a user, group or role.")
    if entity["kind"] != "role":
        raise invalid_input(f"The emulator simulates roles only; {source} is a {entity['kind']}.")
    role = moto_view.get_role(source)
    if role is None:
        name = moto_view.role_name_from_arn(source)
        raise IamError(404, "NoSuchEntity", f"The role with name {name} cannot be found.")
    return role


def _policy(policy_id: str, source_type: str, text: str, parameter: str) -> Policy:
    try:
        return parse_policy(policy_id, source_type, text)
    except PolicyError as exc:
        raise invalid_input(f"{parameter} is not a valid policy document: {exc}") from None


def _boundary(params: dict[str, list[str]], role: moto_view.RoleRecord) -> list[Policy] | None:
    """The boundary to simulate: the one passed in (it replaces the role's, DOCUMENTED), else the role's own."""
    given = _members(params, BOUNDARY_INPUT)
    if len(given) > 1:
        raise invalid_input(f"{BOUNDARY_INPUT} takes one permissions boundary policy, not {len(given)}.")
    if given:
        return [_policy(f"{BOUNDARY_INPUT}.1", IDENTITY_POLICY, given[0], BOUNDARY_INPUT)]
    if role.permissions_boundary is None:
        return None
    return parse_policies(IDENTITY_POLICY, [role.permissions_boundary])


def _resource_policy(params: dict[str, list[str]]) -> Policy | None:
    text = _value(params, "ResourcePolicy")
    if text is None:
        return None
    if not _value(params, "CallerArn"):
        raise invalid_input("CallerArn is required with ResourcePolicy when PolicySourceArn is not an IAM user.")
    return _policy("ResourcePolicy", RESOURCE_POLICY, text, "ResourcePolicy")


def _resource_owner(value: str | None, default: str) -> str:
    if value is None:
        return default
    match = _ACCOUNT_ROOT.fullmatch(value)
    if match is None:
        raise invalid_input(f"ResourceOwner {value} is not an account ARN (arn:aws:iam::ACCOUNT:root).")
    return match["account"]


def _max_items(value: str | None) -> int:
    if value is None:
        return DEFAULT_MAX_ITEMS
    low, high = MAX_ITEMS_RANGE
    if not value.isdigit() or not low <= int(value) <= high:
        raise IamError(
            400,
            "ValidationError",
            f"1 validation error detected: Value '{value}' at 'maxItems' failed to satisfy constraint: Member must "
            f"have value between {low} and {high}",
        )
    return int(value)


def _encode_marker(offset: int) -> str:
    return base64.urlsafe_b64encode(f"simulation:{offset}".encode()).decode()


def _decode_marker(marker: str | None) -> int:
    if marker is None:
        return 0
    try:
        kind, _sep, offset = base64.urlsafe_b64decode(marker.encode()).decode().partition(":")
    except (ValueError, binascii.Error):
        kind, offset = "", ""
    if kind != "simulation" or not offset.isdigit():
        raise invalid_input(f"Invalid Marker: {marker}")
    return int(offset)


# --- evaluation ---------------------------------------------------------------------------------------------------


def _resource_account(resource: str, owner: str) -> str:
    parts = resource.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" and parts[4] else owner


def _evaluate_one(simulation: Simulation, action: str, resource: str) -> Evaluation:
    owner = _resource_account(resource, simulation.resource_owner)
    request = AccessRequest(simulation.principal, action, resource, owner)
    resource_policies = [simulation.resource_policy] if simulation.resource_policy else []
    return evaluate(simulation.identity, resource_policies, request, simulation.boundary)


def evaluate_action(simulation: Simulation, action: str) -> dict[str, Any]:
    """One EvaluationResult, as a dict of wire member names (maps are XmlMap)."""
    if simulation.resources is None:
        only = _evaluate_one(simulation, action, "*")
        return {
            "EvalActionName": action,
            "EvalResourceName": "*",
            "EvalDecision": only.decision.value,
            "MatchedStatements": _statements(only.matched),
            "MissingContextValues": [],
            **_boundary_detail([only]),
        }
    resources = simulation.resources
    per_resource = [(arn, _evaluate_one(simulation, action, arn)) for arn in resources]
    cross = any(_resource_account(arn, simulation.resource_owner) != simulation.principal.account for arn in resources)
    decision = most_restrictive(e.decision for _arn, e in per_resource)
    decisive = [match for _arn, e in per_resource if e.decision is decision for match in e.matched]
    result: dict[str, Any] = {"EvalActionName": action}
    if len(per_resource) == 1:
        result["EvalResourceName"] = per_resource[0][0]
    result.update(
        {
            "EvalDecision": decision.value,
            "MatchedStatements": _statements(list(dict.fromkeys(decisive))),
            "MissingContextValues": [],
            **_boundary_detail([e for _arn, e in per_resource]),
            "EvalDecisionDetails": _details([e for _arn, e in per_resource]) if cross else XmlMap(),
            "ResourceSpecificResults": [_resource_result(arn, e, cross) for arn, e in per_resource],
        }
    )
    return result


def _resource_result(arn: str, evaluation: Evaluation, cross: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "EvalResourceName": arn,
        "EvalResourceDecision": evaluation.decision.value,
        "MatchedStatements": _statements(evaluation.matched),
        "MissingContextValues": [],
    }
    if cross:
        result["EvalDecisionDetails"] = _details([evaluation])
    result.update(_boundary_detail([evaluation]))
    return result


def _details(evaluations: Sequence[Evaluation]) -> XmlMap:
    details = XmlMap(
        {
            IDENTITY_POLICY: most_restrictive(e.identity_decision for e in evaluations).value,
            RESOURCE_POLICY: most_restrictive(e.resource_decision for e in evaluations).value,
        }
    )
    boundaries = [e.boundary_decision for e in evaluations if e.boundary_decision is not None]
    if boundaries:
        details[BOUNDARY_DETAILS_KEY] = most_restrictive(boundaries).value
    return details


def _boundary_detail(evaluations: Sequence[Evaluation]) -> dict[str, Any]:
    """``PermissionsBoundaryDecisionDetail`` when a boundary is in force: true when it allows the request on every
    resource (an implicit or explicit deny in it makes false), as the API reference defines it."""
    decisions = [e.boundary_decision for e in evaluations]
    if any(decision is None for decision in decisions):
        return {}
    allowed = all(decision is Decision.ALLOWED for decision in decisions)
    return {"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": allowed}}


def _statements(matches: Sequence[Match]) -> list[dict[str, Any]]:
    entries = []
    for match in matches:
        entry: dict[str, Any] = {"SourcePolicyId": match.policy.policy_id, "SourcePolicyType": match.policy.source_type}
        if match.statement.start and match.statement.end:
            entry["StartPosition"] = {"Line": match.statement.start.line, "Column": match.statement.start.column}
            entry["EndPosition"] = {"Line": match.statement.end.line, "Column": match.statement.end.column}
        entries.append(entry)
    return entries


# --- XML ----------------------------------------------------------------------------------------------------------


class XmlMap(dict[str, str]):
    """A map member: serialised as ``<entry><key/><value/></entry>`` rather than as a structure."""


def _append(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, XmlMap):
        for key, item in value.items():
            entry = ElementTree.SubElement(element, "entry")
            ElementTree.SubElement(entry, "key").text = key
            ElementTree.SubElement(entry, "value").text = item
    elif isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, "member", item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def _document(results: list[dict[str, Any]], next_offset: int | None) -> ElementTree.Element:
    root = ElementTree.Element(f"{OPERATION}Response", xmlns=IAM_NAMESPACE)
    body = ElementTree.SubElement(root, f"{OPERATION}Result")
    _append(body, "EvaluationResults", results)
    _append(body, "IsTruncated", next_offset is not None)
    if next_offset is not None:
        _append(body, "Marker", _encode_marker(next_offset))
    metadata = ElementTree.SubElement(root, "ResponseMetadata")
    ElementTree.SubElement(metadata, "RequestId").text = str(uuid.uuid4())
    return root
