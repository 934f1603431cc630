"""Contract: an execution role's permissions boundary (docs/aws-behaviour.md C24) in every place the emulator decides
what a role may do: the Put/Update permission check (C11), the dead-letter check, the delivery check (C19) and
iam:SimulatePrincipalPolicy.

The rule: a grant counts only if the boundary allows the same request too, and a Deny in the boundary wins. A role
without a boundary is not limited.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import policy_document

OTHER_ACCOUNT = "210987654321"


def boundary_policy(world: World, name: str, *statements: dict[str, Any]) -> str:
    """A customer managed policy to use as a boundary; returns its ARN."""
    created = world.clients.iam.create_policy(PolicyName=name, PolicyDocument=policy_document(*statements))
    return str(created["Policy"]["Arn"])


def bounded_role(world: World, name: str, boundary: str | None, *statements: dict[str, Any]) -> str:
    """A role created with this boundary (CreateRole's PermissionsBoundary) and these statements inline."""
    iam = world.clients.iam
    extra = {"PermissionsBoundary": boundary} if boundary else {}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(fixtures.TRUST_POLICY), **extra)
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=policy_document(*statements))
    return str(arn["Role"]["Arn"])


def put_destination(world: World, function: str, destination: str) -> str | None:
    """Put a config with this on-failure destination: None if accepted, else the refusal's message."""
    try:
        world.lam.put_function_event_invoke_config(
            FunctionName=function, DestinationConfig={"OnFailure": {"Destination": destination}}
        )
    except world.lam.exceptions.InvalidParameterValueException as error:
        return str(error.response["Error"]["Message"])
    return None


def delivery_check(world: World, role: str, destination: str) -> dict[str, Any] | None:
    query = urllib.parse.urlencode({"role": role, "destination": destination})
    with urllib.request.urlopen(f"{world.emulator.endpoint_url}/_emulator/delivery-check?{query}") as response:
        verdict: dict[str, Any] | None = json.loads(response.read())["refused"]
    return verdict


def refused(destination: str, action: str = "SendMessage") -> str:
    return f"The function's execution role does not have permissions to call {action} on {destination}"


# --- the Put/Update permission check ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "boundary_statements", "accepted"),
    [
        ("covers", [allow("sqs:*", "*")], True),
        ("other-service", [allow("logs:*", "*")], False),
        ("other-queue", [allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:elsewhere")], False),
        ("denies", [allow("*", "*"), allow("sqs:SendMessage", "*", "Deny")], False),
        ("empty", [allow("sqs:*", "*", "Deny")], False),
    ],
)
def test_c24_put_needs_the_boundary_to_allow_what_the_identity_policy_grants(
    world: World, case: str, boundary_statements: list[dict[str, Any]], accepted: bool
) -> None:
    queue = world.arn("queue")
    boundary = boundary_policy(world, f"c24-put-{case}", *boundary_statements)
    role = bounded_role(world, f"c24-put-{case}", boundary, allow("sqs:SendMessage", queue))
    function = world.function_with_role(f"c24-put-{case}", role)["name"]
    assert put_destination(world, function, queue) == (None if accepted else refused(queue))


def test_c24_a_boundary_alone_grants_nothing(world: World) -> None:
    queue = world.arn("queue")
    boundary = boundary_policy(world, "c24-alone", allow("*", "*"))
    function = world.function_with_role("c24-alone", bounded_role(world, "c24-alone", boundary))["name"]
    assert put_destination(world, function, queue) == refused(queue)


def test_c24_put_and_delete_role_permissions_boundary_change_the_answer(world: World) -> None:
    queue, topic = world.arn("queue"), world.arn("topic")
    role = bounded_role(world, "c24-later", None, allow(["sqs:SendMessage", "sns:Publish"], "*"))
    function = world.function_with_role("c24-later", role)["name"]
    assert put_destination(world, function, topic) is None

    boundary = boundary_policy(world, "c24-later", allow("sqs:*", "*"))
    world.clients.iam.put_role_permissions_boundary(RoleName="c24-later", PermissionsBoundary=boundary)
    assert world.clients.iam.get_role(RoleName="c24-later")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"
    ] == (boundary)
    assert put_destination(world, function, topic) == refused(topic, "Publish")
    assert put_destination(world, function, queue) is None
    error = client_error(
        world.lam.update_function_event_invoke_config,
        FunctionName=function,
        DestinationConfig={"OnSuccess": {"Destination": topic}},
    )
    assert error.response["Error"]["Message"] == refused(topic, "Publish")

    world.clients.iam.delete_role_permissions_boundary(RoleName="c24-later")
    assert put_destination(world, function, topic) is None


def test_c24_a_queue_policy_naming_the_role_does_not_reach_past_the_boundary(world: World) -> None:
    role = bounded_role(world, "c24-queue-policy", boundary_policy(world, "c24-queue-policy", allow("logs:*", "*")))
    queue = fixtures.create_fifo_queue(world.clients, "c24-queue-policy.fifo")  # any queue; FIFO passes the write
    grant = {"Principal": {"AWS": role}, **allow("sqs:SendMessage", queue["arn"])}
    world.clients.sqs.set_queue_attributes(QueueUrl=queue["url"], Attributes={"Policy": policy_document(grant)})
    function = world.function_with_role("c24-queue-policy", role)["name"]
    assert put_destination(world, function, queue["arn"]) == refused(queue["arn"])
    world.clients.iam.delete_role_permissions_boundary(RoleName="c24-queue-policy")
    assert put_destination(world, function, queue["arn"]) is None  # the queue policy alone grants it


def test_c24_an_aws_managed_policy_can_be_the_boundary(world: World) -> None:
    queue, topic = world.arn("queue"), world.arn("topic")
    managed = "arn:aws:iam::aws:policy/AmazonSQSFullAccess"
    role = bounded_role(world, "c24-aws-managed", managed, allow(["sqs:SendMessage", "sns:Publish"], "*"))
    function = world.function_with_role("c24-aws-managed", role)["name"]
    assert put_destination(world, function, queue) is None
    assert put_destination(world, function, topic) == refused(topic, "Publish")


# --- the dead-letter check and the delivery check -----------------------------------------------------------------


def test_c24_the_dead_letter_check_uses_the_boundary(world: World) -> None:
    queue = world.arn("queue")
    role = bounded_role(
        world, "c24-dlq", boundary_policy(world, "c24-dlq", allow("logs:*", "*")), allow("sqs:SendMessage", queue)
    )
    error = client_error(
        world.lam.create_function,
        FunctionName="c24-dlq",
        Runtime=fixtures.RUNTIME,
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": fixtures.handler_zip()},
        DeadLetterConfig={"TargetArn": queue},
    )
    assert (
        error.response["Error"]["Message"]
        == "The provided execution role does not have permissions to call SendMessage on SQS"
    )


def test_c24_delivery_to_an_encrypted_queue_needs_the_boundary_to_allow_the_key(world: World) -> None:
    key = fixtures.create_key(world.clients, "alias/c24-key")
    queue = fixtures.create_encrypted_queue(world.clients, "c24-key", key["arn"])
    grants = (allow("sqs:SendMessage", queue["arn"]), allow("kms:*", "*"))
    narrow = bounded_role(
        world, "c24-key-narrow", boundary_policy(world, "c24-key-narrow", allow("sqs:*", "*")), *grants
    )
    wide = bounded_role(
        world, "c24-key-wide", boundary_policy(world, "c24-key-wide", allow(["sqs:*", "kms:*"], "*")), *grants
    )
    assert delivery_check(world, narrow, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": "KMS.AccessDeniedException",
    }
    assert delivery_check(world, wide, queue["arn"]) is None
    function = world.function_with_role("c24-key-narrow", narrow)["name"]
    assert put_destination(world, function, queue["arn"]) is None  # the write does not look at the key (C19)


# --- iam:SimulatePrincipalPolicy ----------------------------------------------------------------------------------


def simulate(world: World, role: str, resources: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"PolicySourceArn": role, "ActionNames": ["sqs:SendMessage"], **extra}
    if resources is not None:
        arguments["ResourceArns"] = resources
    [result] = world.clients.iam.simulate_principal_policy(**arguments)["EvaluationResults"]
    return dict(result)


def test_c24_the_simulator_includes_the_roles_boundary(world: World) -> None:
    queue = world.arn("queue")
    role = bounded_role(
        world, "c24-sim", boundary_policy(world, "c24-sim", allow("logs:*", "*")), allow("sqs:SendMessage", queue)
    )
    result = simulate(world, role, [queue])
    assert result["EvalDecision"] == "implicitDeny"
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    [per_resource] = result["ResourceSpecificResults"]
    assert per_resource["EvalResourceDecision"] == "implicitDeny"
    assert per_resource["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    without_resources = simulate(world, role)
    assert (without_resources["EvalDecision"], without_resources["PermissionsBoundaryDecisionDetail"]) == (
        "implicitDeny",
        {"AllowedByPermissionsBoundary": False},
    )

    world.clients.iam.put_role_permissions_boundary(
        RoleName="c24-sim", PermissionsBoundary=boundary_policy(world, "c24-sim-sqs", allow("sqs:*", "*"))
    )
    result = simulate(world, role, [queue])
    assert result["EvalDecision"] == "allowed"
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert {m["SourcePolicyId"] for m in result["MatchedStatements"]} == {"grants", "c24-sim-sqs"}


def test_c24_an_explicit_deny_in_the_boundary_is_an_explicit_deny(world: World) -> None:
    queue = world.arn("queue")
    boundary = boundary_policy(world, "c24-sim-deny", allow("*", "*"), allow("sqs:*", queue, "Deny"))
    role = bounded_role(world, "c24-sim-deny", boundary, allow("sqs:SendMessage", "*"))
    result = simulate(world, role, [queue])
    assert (result["EvalDecision"], result["PermissionsBoundaryDecisionDetail"]) == (
        "explicitDeny",
        {"AllowedByPermissionsBoundary": False},
    )


def test_c24_without_a_boundary_the_simulator_sends_no_boundary_detail(world: World) -> None:
    result = simulate(world, str(world.created["role"]["arn"]), [world.arn("queue")])
    assert result["EvalDecision"] == "allowed"
    assert "PermissionsBoundaryDecisionDetail" not in result
    assert "PermissionsBoundaryDecisionDetail" not in result["ResourceSpecificResults"][0]


def test_c24_a_boundary_passed_in_replaces_the_roles_own(world: World) -> None:
    queue = world.arn("queue")
    role = bounded_role(
        world, "c24-sim-given", boundary_policy(world, "c24-sim-given", allow("logs:*", "*")), allow("sqs:*", queue)
    )
    wide = simulate(world, role, [queue], PermissionsBoundaryPolicyInputList=[policy_document(allow("sqs:*", "*"))])
    assert (wide["EvalDecision"], wide["PermissionsBoundaryDecisionDetail"]) == (
        "allowed",
        {"AllowedByPermissionsBoundary": True},
    )
    unbounded = str(world.created["role"]["arn"])
    narrow = simulate(
        world, unbounded, [queue], PermissionsBoundaryPolicyInputList=[policy_document(allow("logs:*", "*"))]
    )
    assert (narrow["EvalDecision"], narrow["PermissionsBoundaryDecisionDetail"]) == (
        "implicitDeny",
        {"AllowedByPermissionsBoundary": False},
    )


def test_c24_across_accounts_the_decision_details_name_the_boundary(world: World) -> None:
    other_queue = f"arn:aws:sqs:us-east-1:{OTHER_ACCOUNT}:elsewhere"
    role = bounded_role(
        world, "c24-sim-cross", boundary_policy(world, "c24-sim-cross", allow("logs:*", "*")), allow("sqs:*", "*")
    )
    result = simulate(world, role, [other_queue])
    assert result["EvalDecision"] == "implicitDeny"
    assert result["EvalDecisionDetails"] == {
        "IAM Policy": "allowed",
        "Resource Policy": "implicitDeny",
        "Permissions Boundary Policy": "implicitDeny",
    }
    assert ACCOUNT != OTHER_ACCOUNT
