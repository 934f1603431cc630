"""The IAM policy evaluator on its own: a truth table of statements, wildcards and policy combinations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import IDENTITY_POLICY
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import RESOURCE_POLICY
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import AccessRequest
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Decision
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Evaluation
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Policy
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import PolicyError
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Position
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import Principal
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import evaluate
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import most_restrictive
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import parse_policies
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import parse_policy
from ansible_collections.cloudops.aws_lambda.tests.emulator.iam_policy import wildcard_match

ACCOUNT = "123456789012"
OTHER = "210987654321"
ROLE = Principal(f"arn:aws:iam::{ACCOUNT}:role/fn-role", ACCOUNT)
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"
OTHER_QUEUE = f"arn:aws:sqs:us-east-1:{OTHER}:q"

ALLOW, EXPLICIT, IMPLICIT = Decision.ALLOWED, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY


def statement(effect: str = "Allow", **elements: Any) -> dict[str, Any]:
    return {"Effect": effect, **elements}


def identity(*statements: dict[str, Any], name: str = "inline") -> Policy:
    return parse_policy(name, IDENTITY_POLICY, {"Version": "2012-10-17", "Statement": list(statements)})


def resource_policy(*statements: dict[str, Any]) -> Policy:
    return parse_policy("ResourcePolicy", RESOURCE_POLICY, {"Version": "2012-10-17", "Statement": list(statements)})


def decide(
    identity_policies: list[Policy],
    resource_policies: list[Policy] | None = None,
    action: str = "sqs:SendMessage",
    resource: str = QUEUE,
    owner: str | None = ACCOUNT,
) -> Decision:
    request = AccessRequest(ROLE, action, resource, owner)
    return evaluate(identity_policies, resource_policies or [], request).decision


# --- identity policies: one statement at a time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elements", "effect", "expected"),
    [
        ({"Action": "sqs:SendMessage", "Resource": QUEUE}, "Allow", ALLOW),
        ({"Action": ["sns:Publish", "sqs:SendMessage"], "Resource": [QUEUE]}, "Allow", ALLOW),
        ({"Action": "sqs:SendMessage", "Resource": QUEUE}, "Deny", EXPLICIT),
        ({"Action": "sqs:ReceiveMessage", "Resource": QUEUE}, "Allow", IMPLICIT),  # other action
        ({"Action": "sqs:SendMessage", "Resource": OTHER_QUEUE}, "Allow", IMPLICIT),  # other resource
        ({"Action": "sqs:*", "Resource": "*"}, "Allow", ALLOW),
        ({"Action": "*", "Resource": "*"}, "Allow", ALLOW),
        ({"Action": "sqs:Send*", "Resource": "arn:aws:sqs:*:*:*"}, "Allow", ALLOW),
        ({"Action": "sqs:SendMessag?", "Resource": "arn:aws:sqs:us-east-1:123456789012:?"}, "Allow", ALLOW),
        ({"Action": "sqs:SendMessag?", "Resource": "arn:aws:sqs:us-east-1:123456789012:??"}, "Allow", IMPLICIT),
        ({"Action": "SQS:sendmessage", "Resource": QUEUE}, "Allow", ALLOW),  # actions: case-insensitive
        ({"Action": "sqs:SendMessage", "Resource": QUEUE.upper()}, "Allow", IMPLICIT),  # resources: case-sensitive
        ({"NotAction": "sqs:SendMessage", "Resource": "*"}, "Allow", IMPLICIT),
        ({"NotAction": "sns:*", "Resource": "*"}, "Allow", ALLOW),
        ({"NotAction": "sns:*", "Resource": "*"}, "Deny", EXPLICIT),
        ({"Action": "sqs:SendMessage", "NotResource": QUEUE}, "Allow", IMPLICIT),
        ({"Action": "sqs:SendMessage", "NotResource": OTHER_QUEUE}, "Allow", ALLOW),
        ({"Action": "sqs:SendMessage", "NotResource": [OTHER_QUEUE, QUEUE]}, "Deny", IMPLICIT),
        ({"Action": "sqs:SendMessage"}, "Allow", IMPLICIT),  # an identity statement without Resource grants nothing
    ],
)
def test_single_identity_statement(elements: dict[str, Any], effect: str, expected: Decision) -> None:
    assert decide([identity(statement(effect, **elements))]) is expected


def test_nothing_that_applies_is_an_implicit_deny() -> None:
    assert decide([]) is IMPLICIT
    assert decide([identity(statement(Action="sns:Publish", Resource="*"))]) is IMPLICIT


def test_explicit_deny_wins_over_any_allow_in_any_policy() -> None:
    allow = identity(statement(Action="sqs:*", Resource="*"), name="allow-all")
    deny = identity(statement("Deny", Action="sqs:SendMessage", Resource=QUEUE), name="deny-one")
    assert decide([allow, deny]) is EXPLICIT
    assert decide([deny, allow]) is EXPLICIT
    assert decide([allow, deny], action="sqs:ReceiveMessage") is ALLOW


def test_inline_and_managed_policies_add_up() -> None:
    inline = identity(statement(Action="sqs:SendMessage", Resource=QUEUE), name="inline")
    managed = identity(statement(Action="sns:Publish", Resource="*"), name="ManagedPublish")
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:t"
    assert decide([inline, managed]) is ALLOW
    assert decide([inline, managed], action="sns:Publish", resource=topic) is ALLOW
    assert decide([inline], action="sns:Publish", resource=topic) is IMPLICIT


@pytest.mark.parametrize(
    ("pattern", "value", "case_sensitive", "expected"),
    [
        ("*", "", True, True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", True, True),  # "*" crosses "/" and ":"
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b", True, False),
        ("a?c", "abc", True, True),
        ("a?c", "ac", True, False),
        ("a.c", "abc", True, False),  # regex characters are literal
        ("Fn-[1]", "Fn-[1]", True, True),
        ("lambda:invoke*", "lambda:InvokeFunction", False, True),
        ("lambda:invoke*", "lambda:InvokeFunction", True, False),
    ],
)
def test_wildcards(pattern: str, value: str, case_sensitive: bool, expected: bool) -> None:
    assert wildcard_match(pattern, value, case_sensitive) is expected


# --- resource policies and accounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("*", ALLOW),
        ({"AWS": "*"}, ALLOW),
        ({"AWS": ROLE.arn}, ALLOW),
        ({"AWS": [f"arn:aws:iam::{OTHER}:root", ROLE.arn]}, ALLOW),
        ({"AWS": ACCOUNT}, ALLOW),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ALLOW),
        (ACCOUNT, IMPLICIT),  # not policy grammar: only "*" may stand alone
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/another-role"}, IMPLICIT),
        ({"AWS": f"arn:aws:iam::{OTHER}:root"}, IMPLICIT),
        ({"Service": "lambda.amazonaws.com"}, IMPLICIT),
    ],
)
def test_resource_policy_principal_decides_whether_a_statement_applies(principal: Any, expected: Decision) -> None:
    queue_policy = resource_policy(statement(Principal=principal, Action="sqs:SendMessage", Resource=QUEUE))
    assert decide([], [queue_policy]) is expected


def test_resource_policy_statement_without_resource_speaks_for_its_resource() -> None:
    queue_policy = resource_policy(statement(Principal="*", Action="sqs:SendMessage"))
    assert decide([], [queue_policy]) is ALLOW


def test_resource_policy_statement_without_principal_grants_nothing() -> None:
    assert decide([], [resource_policy(statement(Action="sqs:SendMessage", Resource=QUEUE))]) is IMPLICIT


def test_resource_policy_deny_wins_over_an_identity_allow() -> None:
    allow = identity(statement(Action="sqs:SendMessage", Resource=QUEUE))
    deny = resource_policy(statement("Deny", Principal={"AWS": ROLE.arn}, Action="sqs:*", Resource=QUEUE))
    assert decide([allow], [deny]) is EXPLICIT


@pytest.mark.parametrize(
    ("identity_allows", "resource_allows", "same_account", "cross_account"),
    [
        (True, True, ALLOW, ALLOW),
        (True, False, ALLOW, IMPLICIT),  # cross-account: the resource owner must agree
        (False, True, ALLOW, IMPLICIT),  # cross-account: the role's own account must agree
        (False, False, IMPLICIT, IMPLICIT),
    ],
)
def test_same_account_needs_either_and_cross_account_needs_both(
    identity_allows: bool, resource_allows: bool, same_account: Decision, cross_account: Decision
) -> None:
    identities = [identity(statement(Action="sqs:SendMessage", Resource="*"))] if identity_allows else []
    grant = statement(Principal={"AWS": ROLE.arn}, Action="sqs:SendMessage", Resource="*")
    resources = [resource_policy(grant)] if resource_allows else []
    assert decide(identities, resources, resource=QUEUE, owner=ACCOUNT) is same_account
    assert decide(identities, resources, resource=OTHER_QUEUE, owner=OTHER) is cross_account


def test_unknown_owner_counts_as_the_principals_account() -> None:
    grant = resource_policy(statement(Principal="*", Action="s3:PutObject", Resource="arn:aws:s3:::b/*"))
    assert decide([], [grant], action="s3:PutObject", resource="arn:aws:s3:::b/*", owner=None) is ALLOW


# --- permissions boundaries (docs/aws-behaviour.md C24) -----------------------------------------------------------

SEND = statement(Action="sqs:SendMessage", Resource="*")
NAMES_ROLE = statement(Principal={"AWS": ROLE.arn}, Action="sqs:SendMessage", Resource="*")


def bounded(
    identity_statements: list[dict[str, Any]],
    boundary_statements: list[dict[str, Any]] | None,
    resource_statements: list[dict[str, Any]] | None = None,
    cross_account: bool = False,
) -> Evaluation:
    identities = [identity(*identity_statements)] if identity_statements else []
    resources = [resource_policy(*resource_statements)] if resource_statements else []
    boundary = None if boundary_statements is None else [identity(*boundary_statements, name="boundary")]
    target, owner = (OTHER_QUEUE, OTHER) if cross_account else (QUEUE, ACCOUNT)
    return evaluate(identities, resources, AccessRequest(ROLE, "sqs:SendMessage", target, owner), boundary)


@pytest.mark.parametrize(
    ("identity_statements", "boundary_statements", "expected", "boundary_decision"),
    [
        ([SEND], None, ALLOW, None),  # no boundary: identity policies alone
        ([SEND], [SEND], ALLOW, ALLOW),  # both allow
        ([SEND], [statement(Action="sqs:*", Resource="*")], ALLOW, ALLOW),
        ([SEND], [statement(Action="logs:*", Resource="*")], IMPLICIT, IMPLICIT),  # the boundary does not cover it
        ([SEND], [statement(Action="sqs:SendMessage", Resource=OTHER_QUEUE)], IMPLICIT, IMPLICIT),
        ([SEND], [], IMPLICIT, IMPLICIT),  # a boundary that allows nothing
        ([], [SEND], IMPLICIT, ALLOW),  # a boundary grants nothing by itself
        (
            [SEND],
            [statement(Action="*", Resource="*"), statement("Deny", Action="sqs:*", Resource="*")],
            EXPLICIT,
            EXPLICIT,
        ),
        ([SEND, statement("Deny", Action="sqs:SendMessage", Resource="*")], [SEND], EXPLICIT, ALLOW),
    ],
)
def test_c24_a_boundary_caps_identity_grants(
    identity_statements: list[dict[str, Any]],
    boundary_statements: list[dict[str, Any]] | None,
    expected: Decision,
    boundary_decision: Decision | None,
) -> None:
    evaluation = bounded(identity_statements, boundary_statements)
    assert (evaluation.decision, evaluation.boundary_decision) == (expected, boundary_decision)


@pytest.mark.parametrize(
    ("boundary_statements", "same_account", "cross_account"),
    [
        (None, ALLOW, ALLOW),
        ([SEND], ALLOW, ALLOW),
        ([statement(Action="logs:*", Resource="*")], IMPLICIT, IMPLICIT),
    ],
)
def test_c24_a_resource_policy_naming_the_role_cannot_grant_past_the_boundary(
    boundary_statements: list[dict[str, Any]] | None, same_account: Decision, cross_account: Decision
) -> None:
    """DOCUMENTED for a role ARN principal; the identity policy is needed across accounts anyway."""
    assert bounded([], boundary_statements, [NAMES_ROLE]).decision is same_account
    assert bounded([SEND], boundary_statements, [NAMES_ROLE], cross_account=True).decision is cross_account


def test_emulator_choice_no_resource_policy_principal_escapes_the_boundary() -> None:
    everyone = statement(Principal="*", Action="sqs:SendMessage", Resource="*")
    account = statement(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Action="sqs:SendMessage", Resource="*")
    for grant in (everyone, account):
        assert bounded([], None, [grant]).decision is ALLOW
        assert bounded([], [statement(Action="logs:*", Resource="*")], [grant]).decision is IMPLICIT


def test_c24_boundary_statements_are_listed_when_they_apply() -> None:
    evaluation = bounded([SEND], [SEND])
    assert [(m.policy.policy_id, m.statement.effect) for m in evaluation.matched] == [
        ("inline", "Allow"),
        ("boundary", "Allow"),
    ]
    assert bounded([SEND], [statement(Action="logs:*", Resource="*")]).matched == ()


# --- what is left out errs towards refusing -----------------------------------------------------------------------


def test_emulator_choice_a_conditional_allow_grants_nothing() -> None:
    conditional = statement(
        Action="sqs:SendMessage", Resource=QUEUE, Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    )
    assert decide([identity(conditional)]) is IMPLICIT


def test_emulator_choice_a_conditional_deny_denies() -> None:
    allow = statement(Action="sqs:SendMessage", Resource=QUEUE)
    deny = statement("Deny", Action="sqs:*", Resource="*", Condition={"Bool": {"aws:SecureTransport": "false"}})
    assert decide([identity(allow, deny)]) is EXPLICIT


def test_emulator_choice_sns_default_topic_policy_grants_nothing_to_a_role() -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:t"
    default = statement(
        Principal={"AWS": "*"},
        Action=["SNS:GetTopicAttributes", "SNS:Publish"],
        Resource=topic,
        Condition={"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
    )
    assert decide([], [resource_policy(default)], action="sns:Publish", resource=topic) is IMPLICIT


def test_emulator_choice_not_principal_allow_grants_nothing_and_deny_denies() -> None:
    other = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"}
    allow = resource_policy(statement(NotPrincipal=other, Action="sqs:SendMessage", Resource=QUEUE))
    deny = resource_policy(statement("Deny", NotPrincipal=other, Action="sqs:SendMessage", Resource=QUEUE))
    assert decide([], [allow]) is IMPLICIT
    assert decide([identity(statement(Action="sqs:*", Resource="*"))], [deny]) is EXPLICIT


# --- matched statements, parsing ----------------------------------------------------------------------------------


def test_matched_statements_list_every_applying_statement_resource_policy_first() -> None:
    allow = identity(statement(Action="sqs:SendMessage", Resource=QUEUE))
    deny = resource_policy(statement("Deny", Principal="*", Action="sqs:SendMessage", Resource=QUEUE))
    result = evaluate([allow], [deny], AccessRequest(ROLE, "sqs:SendMessage", QUEUE, ACCOUNT))
    assert [(m.policy.policy_id, m.statement.effect) for m in result.matched] == [
        ("ResourcePolicy", "Deny"),
        ("inline", "Allow"),
    ]
    implicit = evaluate([allow], [], AccessRequest(ROLE, "sqs:DeleteQueue", QUEUE, ACCOUNT))
    assert implicit.matched == ()


def test_statement_positions_are_one_based_line_and_column() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    parsed = parse_policy("p", IDENTITY_POLICY, text)
    assert parsed.statements[0].start == Position(1, text.index("[{") + 2)
    assert parsed.statements[0].end == Position(1, len(text) - 1)  # just past "}", before "]}"
    multi_line = '{\n  "Statement": [\n    {"Effect": "Deny", "Action": "*", "Resource": "*"}\n  ]\n}'
    assert parse_policy("p", IDENTITY_POLICY, multi_line).statements[0].start == Position(3, 5)


def test_a_single_statement_object_is_a_statement_list_of_one() -> None:
    parsed = parse_policy("p", IDENTITY_POLICY, {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    assert len(parsed.statements) == 1
    assert decide([parsed]) is ALLOW


@pytest.mark.parametrize(
    "document",
    ["not json", "[]", '{"Version": "2012-10-17"}', '{"Statement": [1]}', '{"Statement": [{"Effect": "Maybe"}]}'],
)
def test_unreadable_documents_are_refused_and_skipped(document: str) -> None:
    with pytest.raises(PolicyError):
        parse_policy("bad", IDENTITY_POLICY, document)
    good = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    assert [p.policy_id for p in parse_policies(IDENTITY_POLICY, [("bad", document), ("good", good)])] == ["good"]


def test_most_restrictive_orders_explicit_then_implicit_then_allowed() -> None:
    assert most_restrictive([ALLOW, IMPLICIT, ALLOW]) is IMPLICIT
    assert most_restrictive([IMPLICIT, EXPLICIT, ALLOW]) is EXPLICIT
    assert most_restrictive([ALLOW]) is ALLOW
