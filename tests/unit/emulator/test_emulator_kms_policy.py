"""The evaluator's KMS rule and its conditions on their own (reference C19): a truth table, no emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import IDENTITY_POLICY
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import RESOURCE_POLICY
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import AccessRequest
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Decision
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Policy
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Principal
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import condition_holds
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import evaluate
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import evaluate_key_use
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import parse_policy
from ansible_collections.cloudops.aws_lambda.tests.emulator.kms_keys import managed_key_policy

ACCOUNT = "123456789012"
OTHER = "210987654321"
ROLE = Principal(f"arn:aws:iam::{ACCOUNT}:role/fn-role", ACCOUNT)
OUTSIDER = Principal(f"arn:aws:iam::{OTHER}:role/fn-role", OTHER)
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VIA_SQS = (("kms:viaservice", "sqs.us-east-1.amazonaws.com"), ("kms:calleraccount", ACCOUNT))
ALLOW, EXPLICIT, IMPLICIT = Decision.ALLOWED, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY


def policy(source_type: str, *statements: dict[str, Any]) -> Policy:
    return parse_policy("p", source_type, {"Version": "2012-10-17", "Statement": list(statements)})


def grant(principal: Any = None, action: Any = "kms:*", effect: str = "Allow", **more: Any) -> dict[str, Any]:
    statement = {"Effect": effect, "Action": action, "Resource": "*", **more}
    if principal is not None:
        statement["Principal"] = principal
    return statement


def key_use(
    key_statements: list[dict[str, Any]],
    identity_statements: list[dict[str, Any]],
    principal: Principal = ROLE,
    action: str = "kms:GenerateDataKey",
    context: tuple[tuple[str, str | None], ...] | None = VIA_SQS,
) -> Decision:
    key_policy = [policy(RESOURCE_POLICY, *key_statements)]
    identity = [policy(IDENTITY_POLICY, *identity_statements)] if identity_statements else []
    request = AccessRequest(principal, action, KEY, ACCOUNT, context)
    return evaluate_key_use(identity, key_policy, request).decision


ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
IAM_GRANT = [grant(action=["kms:GenerateDataKey", "kms:Decrypt"])]


@pytest.mark.parametrize(
    ("key_statements", "identity_statements", "expected"),
    [
        ([grant(ROOT)], IAM_GRANT, ALLOW),  # default key policy: delegated to IAM, which allows
        ([grant(ROOT)], [], IMPLICIT),  # delegated, IAM silent
        ([grant({"AWS": ACCOUNT})], IAM_GRANT, ALLOW),  # the account id is the account too
        ([grant({"AWS": ROLE.arn})], [], ALLOW),  # the key policy names the role: enough in the key's account
        ([grant("*")], [], ALLOW),  # everyone, unconditionally
        ([grant(ROOT, action=["kms:Describe*", "kms:Get*"])], IAM_GRANT, IMPLICIT),  # IAM cannot override the key
        ([grant({"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"})], IAM_GRANT, IMPLICIT),
        ([grant(ROOT), grant({"AWS": ROLE.arn}, effect="Deny")], IAM_GRANT, EXPLICIT),
        ([grant(ROOT)], [*IAM_GRANT, grant(action="kms:GenerateDataKey", effect="Deny")], EXPLICIT),
        ([grant({"Service": "sqs.amazonaws.com"})], IAM_GRANT, IMPLICIT),  # a service principal is not the role
    ],
)
def test_kms_rule_key_policy_first_iam_only_by_delegation(
    key_statements: list[dict[str, Any]], identity_statements: list[dict[str, Any]], expected: Decision
) -> None:
    assert key_use(key_statements, identity_statements) is expected


def test_kms_rule_across_accounts_both_the_key_policy_and_iam_must_allow() -> None:
    outsider_root = {"AWS": f"arn:aws:iam::{OTHER}:root"}
    assert key_use([grant(outsider_root)], IAM_GRANT, principal=OUTSIDER) is ALLOW
    assert key_use([grant({"AWS": OUTSIDER.arn})], IAM_GRANT, principal=OUTSIDER) is ALLOW
    assert key_use([grant({"AWS": OUTSIDER.arn})], [], principal=OUTSIDER) is IMPLICIT  # named, but IAM silent
    assert key_use([grant(ROOT)], IAM_GRANT, principal=OUTSIDER) is IMPLICIT  # the key's own account only


def test_aws_managed_key_serves_the_accounts_principals_through_the_service_only() -> None:
    document = json.loads(managed_key_policy("sqs", ACCOUNT, "us-east-1"))
    statements = document["Statement"]
    assert key_use(statements, []) is ALLOW
    assert key_use(statements, [], action="kms:Decrypt") is ALLOW
    direct = (("kms:viaservice", None), ("kms:calleraccount", ACCOUNT))
    assert key_use(statements, IAM_GRANT, context=direct) is IMPLICIT  # not through SQS
    via_sns = (("kms:viaservice", "sns.us-east-1.amazonaws.com"), ("kms:calleraccount", ACCOUNT))
    assert key_use(statements, IAM_GRANT, context=via_sns) is IMPLICIT
    other_region = (("kms:viaservice", "sqs.eu-west-1.amazonaws.com"), ("kms:calleraccount", ACCOUNT))
    assert key_use(statements, IAM_GRANT, context=other_region) is IMPLICIT
    outsider = (("kms:viaservice", "sqs.us-east-1.amazonaws.com"), ("kms:calleraccount", OTHER))
    assert key_use(statements, IAM_GRANT, principal=OUTSIDER, context=outsider) is IMPLICIT
    assert key_use(statements, [], action="kms:DescribeKey", context=direct) is IMPLICIT  # IAM silent
    assert key_use(statements, [grant(action="kms:DescribeKey")], action="kms:DescribeKey", context=direct) is ALLOW
    assert key_use(statements, [], context=None) is IMPLICIT  # no context: the conditional grant counts for nothing


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}, VIA_SQS, True),
        ({"StringEquals": {"KMS:VIASERVICE": "sqs.us-east-1.amazonaws.com"}}, VIA_SQS, True),  # key names: any case
        ({"StringEquals": {"kms:ViaService": "SQS.us-east-1.amazonaws.com"}}, VIA_SQS, False),  # values: exact
        ({"StringEqualsIgnoreCase": {"kms:ViaService": "SQS.us-east-1.amazonaws.com"}}, VIA_SQS, True),
        (
            {"StringEquals": {"kms:ViaService": ["sns.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]}},
            VIA_SQS,
            True,
        ),  # a list matches if any value does
        ({"StringLike": {"kms:ViaService": "sqs.*.amazonaws.com"}}, VIA_SQS, True),
        ({"StringNotLike": {"kms:ViaService": "sqs.*"}}, VIA_SQS, False),
        ({"StringNotEquals": {"kms:CallerAccount": OTHER}}, VIA_SQS, True),
        (
            {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com", "kms:CallerAccount": OTHER}},
            VIA_SQS,
            False,
        ),  # every key must hold
        (
            {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}},
            (("kms:viaservice", None),),
            False,
        ),  # known to be absent: a positive operator fails
        ({"StringNotEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}, (("kms:viaservice", None),), True),
        ({"StringEqualsIfExists": {"kms:ViaService": "x"}}, (("kms:viaservice", None),), True),
        ({"StringEquals": {"aws:SourceIp": "10.0.0.1"}}, VIA_SQS, None),  # a key the context does not know
        ({"IpAddress": {"kms:ViaService": "10.0.0.0/8"}}, VIA_SQS, None),  # an operator the evaluator does not know
        ({"ForAnyValue:StringEquals": {"kms:ViaService": "x"}}, VIA_SQS, None),
        ({"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}, None, None),  # no context at all
    ],
)
def test_condition_holds_with_aws_rules_on_known_keys(
    condition: dict[str, Any], context: tuple[tuple[str, str | None], ...] | None, expected: bool | None
) -> None:
    assert condition_holds(json.dumps(condition), context) is expected


def test_without_a_context_conditions_still_err_towards_refusing() -> None:
    """The generic evaluator (destinations, simulator) passes no context: as before, a conditional Allow grants
    nothing and a conditional Deny denies."""
    condition = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    allow = policy(RESOURCE_POLICY, grant("*", action="sqs:SendMessage", Condition=condition))
    deny = policy(
        IDENTITY_POLICY, grant(action="sqs:*"), grant(action="sqs:SendMessage", effect="Deny", Condition=condition)
    )
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"
    assert evaluate([], [allow], AccessRequest(ROLE, "sqs:SendMessage", queue, ACCOUNT)).decision is IMPLICIT
    assert evaluate([deny], [], AccessRequest(ROLE, "sqs:SendMessage", queue, ACCOUNT)).decision is EXPLICIT
    known = (("aws:sourceaccount", OTHER),)
    request = AccessRequest(ROLE, "sqs:SendMessage", queue, ACCOUNT, known)
    assert evaluate([deny], [], request).decision is ALLOW  # the Deny's condition is known not to hold


# --- a permissions boundary caps key use too (docs/aws-behaviour.md C24) ------------------------------------------


@pytest.mark.parametrize(
    ("boundary_statements", "expected"),
    [
        (None, ALLOW),
        ([grant(action="kms:GenerateDataKey")], ALLOW),
        ([grant(action="sqs:*")], IMPLICIT),  # even a key policy that names the role cannot grant past it
        ([grant(action="*"), grant(action="kms:GenerateDataKey", effect="Deny")], EXPLICIT),
    ],
)
def test_c24_key_use_within_the_roles_boundary(
    boundary_statements: list[dict[str, Any]] | None, expected: Decision
) -> None:
    key_policy = [policy(RESOURCE_POLICY, grant({"AWS": ROLE.arn}, "kms:GenerateDataKey"))]
    boundary = None if boundary_statements is None else [policy(IDENTITY_POLICY, *boundary_statements)]
    request = AccessRequest(ROLE, "kms:GenerateDataKey", KEY, ACCOUNT, VIA_SQS)
    assert evaluate_key_use([], key_policy, request, boundary).decision is expected
