"""Contract: iam:SimulatePrincipalPolicy through a real boto3 IAM client, answered from the emulator's evaluator.

Shapes follow the IAM API reference (one EvaluationResult per action, per-resource decisions in
ResourceSpecificResults) and recorded answers (EvalResourceName "*", SourcePolicyType "IAM Policy").
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import policy_document

OTHER_ACCOUNT = "210987654321"


@pytest.fixture
def iam(world: World) -> Any:
    return world.clients.iam


@pytest.fixture
def role(world: World) -> str:
    """The world's role: its inline policy "destinations" grants every fixture destination and nothing else."""
    return str(world.created["role"]["arn"])


def simulate(iam: Any, role: str, actions: list[str], **extra: Any) -> list[dict[str, Any]]:
    response = iam.simulate_principal_policy(PolicySourceArn=role, ActionNames=actions, **extra)
    assert response["IsTruncated"] is False
    return list(response["EvaluationResults"])


def decisions(results: list[dict[str, Any]]) -> dict[str, str]:
    return {result["EvalActionName"]: result["EvalDecision"] for result in results}


# --- decisions ----------------------------------------------------------------------------------------------------


def test_decisions_per_action_on_the_roles_destination_resources(world: World, iam: Any, role: str) -> None:
    queue = world.arn("queue")
    results = simulate(iam, role, ["sqs:SendMessage", "sqs:DeleteQueue", "SQS:sendmessage"], ResourceArns=[queue])
    assert decisions(results) == {
        "sqs:SendMessage": "allowed",
        "sqs:DeleteQueue": "implicitDeny",
        "SQS:sendmessage": "allowed",
    }


def test_without_resource_arns_the_resource_is_star(iam: Any, role: str) -> None:
    # Recorded shape: EvalResourceName "*", no ResourceSpecificResults or EvalDecisionDetails.
    results = simulate(iam, role, ["logs:CreateLogGroup", "sqs:SendMessage"])
    assert [(r["EvalResourceName"], r["EvalDecision"]) for r in results] == [("*", "allowed"), ("*", "implicitDeny")]
    for result in results:
        assert "ResourceSpecificResults" not in result
        assert "EvalDecisionDetails" not in result
        assert result["MissingContextValues"] == []


def test_explicit_deny_from_an_attached_managed_policy(world: World, iam: Any) -> None:
    queue = world.arn("queue")
    deny = iam.create_policy(PolicyName="sim-deny", PolicyDocument=policy_document(allow("sqs:*", queue, "Deny")))
    role = world.new_role("sim-deny-role", allow("sqs:SendMessage", queue), managed=[deny["Policy"]["Arn"]])
    [result] = simulate(iam, role, ["sqs:SendMessage"], ResourceArns=[queue])
    assert result["EvalDecision"] == "explicitDeny"
    assert {(m["SourcePolicyId"], m["SourcePolicyType"]) for m in result["MatchedStatements"]} == {
        ("sim-deny", "IAM Policy"),
        ("grants", "IAM Policy"),
    }


def test_matched_statement_names_the_policy_and_where_the_statement_is(world: World, iam: Any, role: str) -> None:
    document = iam.get_role_policy(RoleName=world.created["role"]["name"], PolicyName="destinations")["PolicyDocument"]
    text = json.dumps(document) if isinstance(document, dict) else document
    [result] = simulate(iam, role, ["sqs:SendMessage"], ResourceArns=[world.arn("queue")])
    [matched] = result["MatchedStatements"]
    assert (matched["SourcePolicyId"], matched["SourcePolicyType"]) == ("destinations", "IAM Policy")
    assert matched["StartPosition"] == {"Line": 1, "Column": text.index('{"Effect"') + 1}
    assert matched["EndPosition"]["Line"] == 1
    assert matched["EndPosition"]["Column"] > matched["StartPosition"]["Column"]


def test_one_resource_fills_resource_specific_results_and_empty_decision_details(
    world: World, iam: Any, role: str
) -> None:
    queue = world.arn("queue")
    [result] = simulate(iam, role, ["sqs:SendMessage"], ResourceArns=[queue])
    assert result["EvalResourceName"] == queue
    assert result["EvalDecisionDetails"] == {}  # documented: present but empty within one account
    [specific] = result["ResourceSpecificResults"]
    assert specific["EvalResourceName"] == queue
    assert specific["EvalResourceDecision"] == "allowed"
    assert specific["MatchedStatements"] == result["MatchedStatements"]
    assert specific["MissingContextValues"] == []


def test_several_resources_give_one_result_per_action_with_the_most_restrictive_decision(
    world: World, iam: Any, role: str
) -> None:
    queue, topic = world.arn("queue"), world.arn("topic")
    results = simulate(iam, role, ["sqs:SendMessage", "sns:Publish"], ResourceArns=[queue, topic])
    assert len(results) == 2  # the API reference: one EvaluationResult per action, whatever the resource count
    per_resource = {
        r["EvalActionName"]: {s["EvalResourceName"]: s["EvalResourceDecision"] for s in r["ResourceSpecificResults"]}
        for r in results
    }
    assert per_resource == {
        "sqs:SendMessage": {queue: "allowed", topic: "implicitDeny"},
        "sns:Publish": {queue: "implicitDeny", topic: "allowed"},
    }
    assert decisions(results) == {"sqs:SendMessage": "implicitDeny", "sns:Publish": "implicitDeny"}


def test_emulator_choice_several_resources_leave_out_the_top_level_resource_name(
    world: World, iam: Any, role: str
) -> None:
    [result] = simulate(iam, role, ["sqs:SendMessage"], ResourceArns=[world.arn("queue"), world.arn("topic")])
    assert "EvalResourceName" not in result


def test_policy_input_list_adds_identity_policies(iam: Any, role: str) -> None:
    extra = policy_document(allow("dynamodb:GetItem", "*"))
    [result] = simulate(iam, role, ["dynamodb:GetItem"], PolicyInputList=[extra])
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"


def test_max_items_pages_the_results(iam: Any, role: str) -> None:
    actions = ["sqs:SendMessage", "sns:Publish", "events:PutEvents"]
    first = iam.simulate_principal_policy(PolicySourceArn=role, ActionNames=actions, MaxItems=2)
    assert first["IsTruncated"] is True
    second = iam.simulate_principal_policy(
        PolicySourceArn=role, ActionNames=actions, MaxItems=2, Marker=first["Marker"]
    )
    assert second["IsTruncated"] is False
    assert "Marker" not in second
    names = [r["EvalActionName"] for page in (first, second) for r in page["EvaluationResults"]]
    assert names == actions


# --- ResourcePolicy and ResourceOwner -----------------------------------------------------------------------------


def test_resource_policy_grants_a_role_without_identity_grants(world: World, iam: Any) -> None:
    bare = world.new_role("sim-bare")
    queue = world.arn("queue")
    grant = policy_document({"Principal": {"AWS": bare}, **allow("sqs:SendMessage", queue)})
    caller = f"arn:aws:iam::{ACCOUNT}:user/caller"
    without = simulate(iam, bare, ["sqs:SendMessage"], ResourceArns=[queue])
    assert decisions(without) == {"sqs:SendMessage": "implicitDeny"}
    [result] = simulate(iam, bare, ["sqs:SendMessage"], ResourceArns=[queue], ResourcePolicy=grant, CallerArn=caller)
    assert result["EvalDecision"] == "allowed"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in result["MatchedStatements"]] == [
        ("ResourcePolicy", "Resource Policy")
    ]


def test_resource_policy_deny_wins(world: World, iam: Any, role: str) -> None:
    queue = world.arn("queue")
    deny = policy_document({"Principal": "*", **allow("sqs:SendMessage", queue, "Deny")})
    caller = f"arn:aws:iam::{ACCOUNT}:user/caller"
    [result] = simulate(iam, role, ["sqs:SendMessage"], ResourceArns=[queue], ResourcePolicy=deny, CallerArn=caller)
    assert result["EvalDecision"] == "explicitDeny"
    assert result["MatchedStatements"][0]["SourcePolicyType"] == "Resource Policy"


def test_cross_account_needs_both_policies_and_reports_each(world: World, iam: Any, role: str) -> None:
    foreign = f"arn:aws:sqs:us-east-1:{OTHER_ACCOUNT}:foreign"
    caller = f"arn:aws:iam::{ACCOUNT}:user/caller"
    grant = policy_document({"Principal": {"AWS": role}, **allow("sqs:SendMessage", foreign)})
    # The role's inline policy names only the fixture queue: the owner's grant alone is not enough.
    [result] = simulate(iam, role, ["sqs:SendMessage"], ResourceArns=[foreign], ResourcePolicy=grant, CallerArn=caller)
    assert result["EvalDecision"] == "implicitDeny"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
    extra = policy_document(allow("sqs:SendMessage", foreign))
    [both] = simulate(
        iam,
        role,
        ["sqs:SendMessage"],
        ResourceArns=[foreign],
        ResourcePolicy=grant,
        CallerArn=caller,
        PolicyInputList=[extra],
    )
    assert both["EvalDecision"] == "allowed"


def test_resource_owner_sets_the_account_of_arns_without_one(world: World, iam: Any, role: str) -> None:
    bucket = world.arn("bucket")  # S3 ARNs name no account
    caller = f"arn:aws:iam::{ACCOUNT}:user/caller"
    grant = policy_document({"Principal": "*", **allow("s3:ListBucket", bucket)})
    bare = world.new_role("sim-owner")
    kwargs = {"ResourceArns": [bucket], "ResourcePolicy": grant, "CallerArn": caller}
    assert decisions(simulate(iam, bare, ["s3:ListBucket"], **kwargs)) == {"s3:ListBucket": "allowed"}
    foreign_owner = {"ResourceOwner": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    assert decisions(simulate(iam, bare, ["s3:ListBucket"], **kwargs, **foreign_owner)) == {
        "s3:ListBucket": "implicitDeny"
    }


# --- errors -------------------------------------------------------------------------------------------------------


def assert_iam_error(error: ClientError, status: int, code: str) -> None:
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error.response["Error"]["Code"] == code
    assert error.response["Error"]["Type"] == "Sender"


def test_unknown_role_is_no_such_entity(iam: Any) -> None:
    error = client_error(
        iam.simulate_principal_policy,
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/doesnotexist",
        ActionNames=["sqs:SendMessage"],
    )
    assert_iam_error(error, 404, "NoSuchEntity")
    assert error.response["Error"]["Message"] == "The role with name doesnotexist cannot be found."
    assert isinstance(error, iam.exceptions.NoSuchEntityException)


@pytest.mark.parametrize(
    "source",
    [
        f"arn:aws:iam::{ACCOUNT}:user/someone",
        f"arn:aws:iam::{ACCOUNT}:group/admins",
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:q",
    ],
)
def test_emulator_choice_users_groups_and_garbage_are_invalid_input(iam: Any, source: str) -> None:
    error = client_error(iam.simulate_principal_policy, PolicySourceArn=source, ActionNames=["sqs:SendMessage"])
    assert_iam_error(error, 400, "InvalidInput")
    assert isinstance(error, iam.exceptions.InvalidInputException)


def test_resource_policy_without_caller_arn_is_invalid_input(iam: Any, role: str) -> None:
    # Documented: CallerArn is required with ResourcePolicy unless PolicySourceArn is a user.
    grant = policy_document({"Principal": "*", **allow("sqs:SendMessage", "*")})
    error = client_error(
        iam.simulate_principal_policy, PolicySourceArn=role, ActionNames=["sqs:SendMessage"], ResourcePolicy=grant
    )
    assert_iam_error(error, 400, "InvalidInput")
    assert "CallerArn" in error.response["Error"]["Message"]


@pytest.mark.parametrize(
    "extra",
    [
        {"ResourcePolicy": "not json", "CallerArn": f"arn:aws:iam::{ACCOUNT}:user/caller"},
        {"PolicyInputList": ['{"Statement": 5}']},
        {"ResourceOwner": ACCOUNT},
        {"Marker": "garbage"},
        {
            "ContextEntries": [
                {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["1.2.3.4"], "ContextKeyType": "ip"}
            ]
        },
        {"PermissionsBoundaryPolicyInputList": [policy_document(allow("*", "*"))] * 2},
        {"PermissionsBoundaryPolicyInputList": ["not json"]},
    ],
)
def test_emulator_choice_unreadable_or_unsupported_parameters_are_invalid_input(
    iam: Any, role: str, extra: dict[str, Any]
) -> None:
    error = client_error(iam.simulate_principal_policy, PolicySourceArn=role, ActionNames=["sqs:SendMessage"], **extra)
    assert_iam_error(error, 400, "InvalidInput")


def test_simulation_is_logged_like_any_request(world: World, iam: Any, role: str) -> None:
    simulate(iam, role, ["sqs:SendMessage"])
    entries = world.emulator.requests(operation="SimulatePrincipalPolicy")
    assert [(e["service"], e["status"], e["fault"]) for e in entries] == [("iam", 200, None)]
