"""Contract: a function policy names its principals as AWS writes them (AddPermission and GetPolicy).

AWS turns AddPermission's one-string principal into the policy grammar: an account id becomes
``{"AWS": "arn:aws:iam::ACCOUNT:root"}`` and an IAM ARN ``{"AWS": ARN}`` (DOCUMENTED: the Lambda developer guide's
cross-account AddPermission example answers ``"Principal":{"AWS":"arn:aws:iam::111122223333:root"}``); a service
is ``{"Service": NAME}``. moto 5.2.5 kept account ids and ARNs as bare strings, so a Lambda destination granted
through the function policy looked denied to any reader of ``Principal.AWS``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn


def statements(world: World, name: str, qualifier: str | None = None) -> dict[str, dict[str, Any]]:
    extra = {"Qualifier": qualifier} if qualifier else {}
    policy = json.loads(world.lam.get_policy(FunctionName=name, **extra)["Policy"])
    return {statement["Sid"]: statement for statement in policy["Statement"]}


@pytest.mark.parametrize(
    ("kind", "principal", "expected"),
    [
        ("role", f"arn:aws:iam::{ACCOUNT}:role/some-role", {"AWS": f"arn:aws:iam::{ACCOUNT}:role/some-role"}),
        ("account", "210987654321", {"AWS": "arn:aws:iam::210987654321:root"}),
        ("root", f"arn:aws:iam::{ACCOUNT}:root", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
        ("service", "s3.amazonaws.com", {"Service": "s3.amazonaws.com"}),
        ("everyone", "*", "*"),
    ],
)
def test_get_policy_and_add_permission_name_principals_in_aws_shape(
    world: World, kind: str, principal: str, expected: Any
) -> None:
    name = world.new_function(f"policy-shape-{kind}")["name"]
    added = world.lam.add_permission(
        FunctionName=name, StatementId="grant", Action="lambda:InvokeFunction", Principal=principal
    )
    assert json.loads(added["Statement"])["Principal"] == expected
    statement = statements(world, name)["grant"]
    assert statement["Principal"] == expected
    assert (statement["Effect"], statement["Action"], statement["Resource"]) == (
        "Allow",
        "lambda:InvokeFunction",
        fn_arn(name),
    )


def test_a_service_principal_keeps_its_condition_and_an_alias_policy_its_own_principals(world: World) -> None:
    name = world.new_function("policy-alias-shape")["name"]
    world.lam.add_permission(
        FunctionName=name,
        StatementId="from-bucket",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::some-bucket",
    )
    world.lam.add_permission(
        FunctionName=name, Qualifier="live", StatementId="acct", Action="lambda:InvokeFunction", Principal=ACCOUNT
    )
    bucket = statements(world, name)["from-bucket"]
    assert bucket["Principal"] == {"Service": "s3.amazonaws.com"}
    assert bucket["Condition"] == {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::some-bucket"}}
    alias = statements(world, name, "live")["acct"]
    assert alias["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert alias["Resource"] == fn_arn(name, "live")


def test_c11_a_function_permission_naming_the_role_lets_it_use_the_function_as_a_destination(world: World) -> None:
    """Issue 16, item 8: granted through the destination's resource policy, the write succeeds, and GetPolicy
    shows the grant under Principal.AWS, where a policy reader looks for it."""
    role = world.new_role("named-in-permission-role")
    caller = world.function_with_role("named-in-permission-caller", role)["name"]
    target = world.new_function("named-in-permission-target")["name"]
    world.lam.add_permission(FunctionName=target, StatementId="role", Action="lambda:InvokeFunction", Principal=role)
    assert statements(world, target)["role"]["Principal"] == {"AWS": role}
    put = world.lam.put_function_event_invoke_config(
        FunctionName=caller, DestinationConfig={"OnFailure": {"Destination": fn_arn(target)}}
    )
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": fn_arn(target)}
