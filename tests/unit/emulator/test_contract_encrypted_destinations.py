"""Contract: encrypted destinations (reference C19): KMS keys and their policies, SQS queues and SNS topics with a
KMS key, what a producer needs to deliver to them, and what Put does with them.

boto3 against the in-process emulator. Keys are made per test (KMS keys are cheap in the emulator), roles per test
too: the world's role is shared.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import REGION
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error

OTHER_ACCOUNT = "210987654321"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
QUEUE_ATTRIBUTES = ["KmsMasterKeyId", "SqsManagedSseEnabled", "FifoQueue", "Policy", "QueueArn"]


def kms(world: World, region: str = REGION) -> Any:
    return world.emulator.client("kms", region=region, retries={"total_max_attempts": 1})


def in_account(client: Any, account: str) -> Any:
    """The client, its requests made as another account (the emulator reads moto's account header)."""

    def header(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign", header)
    return client


def key_with_policy(world: World, alias: str, policy: dict[str, Any] | None = None) -> dict[str, str]:
    return fixtures.create_key(world.clients, alias, policy or fixtures.default_key_policy(ACCOUNT))


def queue_with_key(world: World, name: str, key: str) -> dict[str, str]:
    return fixtures.create_encrypted_queue(world.clients, name, key)


def delivery_check(world: World, role: str, destination: str) -> dict[str, Any] | None:
    query = urllib.parse.urlencode({"role": role, "destination": destination})
    with urllib.request.urlopen(f"{world.emulator.endpoint_url}/_emulator/delivery-check?{query}") as response:
        verdict: dict[str, Any] | None = json.loads(response.read())["refused"]
    return verdict


def error_of(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    error = client_error(call, **kwargs)
    return (
        error.response["ResponseMetadata"]["HTTPStatusCode"],
        error.response["Error"]["Code"],
        error.response["Error"]["Message"],
    )


# --- KMS: keys, aliases, key policies -----------------------------------------------------------------------------


def test_c19_describe_key_resolves_a_key_id_key_arn_alias_name_and_alias_arn(world: World) -> None:
    key = key_with_policy(world, "alias/c19-forms")
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/c19-forms"
    for reference in (key["id"], key["arn"], "alias/c19-forms", alias_arn):
        metadata = kms(world).describe_key(KeyId=reference)["KeyMetadata"]
        assert (metadata["Arn"], metadata["KeyId"], metadata["KeyManager"]) == (key["arn"], key["id"], "CUSTOMER")
        assert metadata["AWSAccountId"] == ACCOUNT
    assert key["arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key['id']}"


def test_c19_get_key_policy_returns_the_policy_given_at_create_policy_name_defaults_to_default(world: World) -> None:
    policy = fixtures.admin_only_key_policy(ACCOUNT)
    key = key_with_policy(world, "alias/c19-policy", policy)
    for extra in ({}, {"PolicyName": "default"}):
        answer = kms(world).get_key_policy(KeyId=key["id"], **extra)
        assert json.loads(answer["Policy"]) == policy
        assert answer["PolicyName"] == "default"
    assert json.loads(kms(world).get_key_policy(KeyId=key["arn"])["Policy"]) == policy


def test_c19_a_key_created_without_a_policy_gets_the_default_key_policy(world: World) -> None:
    key_id = kms(world).create_key()["KeyMetadata"]["KeyId"]
    statements = json.loads(kms(world).get_key_policy(KeyId=key_id)["Policy"])["Statement"]
    assert statements == [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]


def test_emulator_choice_get_key_policy_takes_a_key_id_or_arn_only(world: World) -> None:
    key = key_with_policy(world, "alias/c19-policy-alias")
    assert error_of(kms(world).get_key_policy, KeyId="alias/c19-policy-alias") == (
        400,
        "NotFoundException",
        "Invalid keyId alias/c19-policy-alias",
    )
    assert error_of(kms(world).get_key_policy, KeyId=key["id"], PolicyName="other")[:2] == (400, "NotFoundException")


def test_c19_a_missing_key_or_alias_is_not_found(world: World) -> None:
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert error_of(kms(world).describe_key, KeyId=missing) == (
        400,
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist",
    )
    assert error_of(kms(world).get_key_policy, KeyId=missing)[:2] == (400, "NotFoundException")
    assert error_of(kms(world).describe_key, KeyId="alias/c19-nothing") == (
        400,
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/c19-nothing is not found.",
    )


@pytest.mark.parametrize(("alias", "service"), [("alias/aws/sqs", "sqs"), ("alias/aws/sns", "sns")])
def test_c19_aws_managed_aliases_resolve_to_an_aws_managed_key_of_the_account_and_region(
    world: World, alias: str, service: str
) -> None:
    first = kms(world).describe_key(KeyId=alias)["KeyMetadata"]
    assert first["KeyManager"] == "AWS"
    assert first["Arn"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    again = kms(world).describe_key(KeyId=f"arn:aws:kms:{REGION}:{ACCOUNT}:{alias}")["KeyMetadata"]
    assert again["Arn"] == first["Arn"]  # one key per account and region
    elsewhere = kms(world, "eu-west-1").describe_key(KeyId=alias)["KeyMetadata"]
    assert elsewhere["Arn"].startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/")
    statements = json.loads(kms(world).get_key_policy(KeyId=first["KeyId"])["Policy"])["Statement"]
    through_service = statements[0]
    assert through_service["Principal"] == {"AWS": "*"}
    assert {"kms:GenerateDataKey*", "kms:Decrypt"} <= set(through_service["Action"])
    assert through_service["Condition"] == {
        "StringEquals": {"kms:ViaService": f"{service}.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    }
    assert statements[1]["Principal"] == {"AWS": ROOT}
    assert "kms:Decrypt" not in statements[1]["Action"]  # the account reads metadata directly, nothing more


def test_emulator_choice_describe_key_by_arn_of_another_region_is_not_found(world: World) -> None:
    key = key_with_policy(world, "alias/c19-here")
    status, code, _message = error_of(kms(world, "eu-west-1").describe_key, KeyId=key["arn"])
    assert (status, code) == (400, "NotFoundException")
    west_alias = f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/c19-here"
    assert error_of(kms(world).describe_key, KeyId=west_alias)[:2] == (400, "NotFoundException")


def test_c19_describe_key_of_another_accounts_key_follows_its_key_policy(world: World) -> None:
    """A key ARN of another account is that account's key: described when its policy lets our account, else KMS's
    AccessDeniedException (400); never the caller's own key of the same name."""
    other = in_account(kms(world), OTHER_ACCOUNT)
    closed = other.create_key()["KeyMetadata"]  # default policy: its own account only
    shared_policy = fixtures.default_key_policy(OTHER_ACCOUNT)
    shared_policy["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:DescribeKey", "Resource": "*"}
    )
    shared = other.create_key(Policy=json.dumps(shared_policy))["KeyMetadata"]
    assert kms(world).describe_key(KeyId=shared["Arn"])["KeyMetadata"]["AWSAccountId"] == OTHER_ACCOUNT
    assert error_of(kms(world).describe_key, KeyId=closed["Arn"]) == (
        400,
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:user/caller is not authorized to perform: kms:DescribeKey on resource: "
        f"{closed['Arn']} because no resource-based policy allows the kms:DescribeKey action",
    )
    other.describe_key(KeyId="alias/aws/sqs")  # the other account's AWS managed key now exists
    theirs = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:alias/aws/sqs"
    assert error_of(kms(world).describe_key, KeyId=theirs)[:2] == (400, "AccessDeniedException")
    assert error_of(kms(world).get_key_policy, KeyId=shared["Arn"])[:2] == (400, "AccessDeniedException")


# --- SQS and SNS: the key a destination is encrypted with --------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias_arn"])
def test_c19_a_queue_names_its_key_as_given_and_sqs_managed_sse_is_off(world: World, form: str) -> None:
    key = key_with_policy(world, f"alias/c19-queue-{form.replace('_', '-')}")
    reference = {
        "id": key["id"],
        "arn": key["arn"],
        "alias": key["alias"],
        "alias_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:{key['alias']}",
    }[form]
    queue = queue_with_key(world, f"c19-queue-{form.replace('_', '-')}", reference)
    attributes = world.clients.sqs.get_queue_attributes(QueueUrl=queue["url"], AttributeNames=QUEUE_ATTRIBUTES)
    assert attributes["Attributes"] == {
        "KmsMasterKeyId": reference,
        "SqsManagedSseEnabled": "false",
        "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:c19-queue-{form.replace('_', '-')}",
    }
    described = kms(world).describe_key(KeyId=attributes["Attributes"]["KmsMasterKeyId"])["KeyMetadata"]
    assert described["Arn"] == key["arn"]


def test_c19_set_queue_attributes_adds_and_removes_a_key_and_sse_sqs_follows(world: World) -> None:
    sqs = world.clients.sqs
    url = sqs.create_queue(QueueName="c19-switch")["QueueUrl"]
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert before["SqsManagedSseEnabled"] == "true"  # new queues: SSE-SQS, no KMS permission needed
    assert "KmsMasterKeyId" not in before
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    encrypted = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId", "SqsManagedSseEnabled"])
    assert encrypted["Attributes"] == {"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "false"}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
    after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId", "SqsManagedSseEnabled"])
    assert after["Attributes"] == {"SqsManagedSseEnabled": "true"}


def test_c19_one_kind_of_server_side_encryption_at_a_time(world: World) -> None:
    sqs = world.clients.sqs
    both = {"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"}
    with pytest.raises(sqs.exceptions.InvalidAttributeValue) as refused:
        sqs.create_queue(QueueName="c19-both", Attributes=both)
    assert "You can use one type of server-side encryption (SSE) at one time." in str(refused.value)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "c19-both" not in json.dumps(sqs.list_queues())
    url = queue_with_key(world, "c19-kms-then-sse", "alias/aws/sqs")["url"]
    with pytest.raises(sqs.exceptions.InvalidAttributeValue):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})


def test_c19_fifo_queue_and_queue_policy_attributes(world: World) -> None:
    sqs = world.clients.sqs
    fifo = fixtures.create_fifo_queue(world.clients, "c19-order.fifo")
    attributes = sqs.get_queue_attributes(QueueUrl=fifo["url"], AttributeNames=QUEUE_ATTRIBUTES)["Attributes"]
    assert attributes["FifoQueue"] == "true"
    assert attributes["QueueArn"].endswith(":c19-order.fifo")
    policy = {"Version": "2012-10-17", "Statement": [{"Principal": "*", **allow("sqs:SendMessage", fifo["arn"])}]}
    sqs.set_queue_attributes(QueueUrl=fifo["url"], Attributes={"Policy": json.dumps(policy)})
    attributes = sqs.get_queue_attributes(QueueUrl=fifo["url"], AttributeNames=QUEUE_ATTRIBUTES)["Attributes"]
    assert json.loads(attributes["Policy"]) == policy


def test_c19_a_deleted_queue_is_non_existent_queue_for_get_queue_attributes(world: World) -> None:
    sqs = world.clients.sqs
    url = queue_with_key(world, "c19-gone", "alias/aws/sqs")["url"]
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as gone:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=QUEUE_ATTRIBUTES)
    error = gone.value.response["Error"]
    assert (error["Code"], error["QueryErrorCode"]) == ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_c19_a_topic_names_its_key_at_create_and_after_set_topic_attributes(world: World) -> None:
    sns = world.clients.sns
    key = key_with_policy(world, "alias/c19-topic")
    created = fixtures.create_encrypted_topic(world.clients, "c19-topic", key["arn"])
    assert sns.get_topic_attributes(TopicArn=created["arn"])["Attributes"]["KmsMasterKeyId"] == key["arn"]
    plain = sns.create_topic(Name="c19-topic-later")["TopicArn"]
    assert "KmsMasterKeyId" not in sns.get_topic_attributes(TopicArn=plain)["Attributes"]
    sns.set_topic_attributes(TopicArn=plain, AttributeName="KmsMasterKeyId", AttributeValue="alias/aws/sns")
    assert sns.get_topic_attributes(TopicArn=plain)["Attributes"]["KmsMasterKeyId"] == "alias/aws/sns"


# --- the caller refused: denied_actions in KMS's and SQS's wire formats ------------------------------------------


def test_c19_denied_kms_calls_are_kms_access_denied_naming_the_key(world: World) -> None:
    key = key_with_policy(world, "alias/c19-denied")
    world.emulator.set_faults(denied_actions=["kms:DescribeKey", "kms:GetKeyPolicy"])
    for call, action, kwargs in (
        (kms(world).describe_key, "kms:DescribeKey", {"KeyId": "alias/c19-denied"}),
        (kms(world).get_key_policy, "kms:GetKeyPolicy", {"KeyId": key["id"]}),
    ):
        assert error_of(call, **kwargs) == (
            400,
            "AccessDeniedException",
            f"User: arn:aws:iam::{ACCOUNT}:user/caller is not authorized to perform: {action} on resource: "
            f"{key['arn']} because no resource-based policy allows the {action} action",
        )
    assert kms(world).list_aliases()["Aliases"]  # other KMS calls go through
    denied = [entry["operation"] for entry in world.emulator.requests(service="kms", fault="denied")]
    assert denied == ["DescribeKey", "GetKeyPolicy"]


def test_c19_denied_get_queue_attributes_is_sqs_access_denied(world: World) -> None:
    world.emulator.set_faults(denied_actions=["sqs:GetQueueAttributes"])
    url = world.created["queue"]["url"]
    error = client_error(world.clients.sqs.get_queue_attributes, QueueUrl=url, AttributeNames=QUEUE_ATTRIBUTES)
    assert (error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"]) == (
        403,
        "AccessDenied",
    )
    assert "sqs:GetQueueAttributes on resource: " + world.arn("queue") in error.response["Error"]["Message"]


# --- the policy simulator and KMS actions ------------------------------------------------------------------------


def test_c19_the_simulator_evaluates_kms_actions_on_a_key_arn_like_any_other(world: World) -> None:
    key = key_with_policy(world, "alias/c19-simulated")
    granted = world.new_role("c19-sim-granted", allow(["kms:GenerateDataKey", "kms:Decrypt"], key["arn"]))
    bare = world.new_role("c19-sim-bare", allow("kms:Decrypt", "arn:aws:kms:*:*:key/other"))
    for role, expected in ((granted, "allowed"), (bare, "implicitDeny")):
        results = world.clients.iam.simulate_principal_policy(
            PolicySourceArn=role, ActionNames=["kms:GenerateDataKey", "KMS:Decrypt"], ResourceArns=[key["arn"]]
        )["EvaluationResults"]
        assert [(r["EvalActionName"], r["EvalDecision"]) for r in results] == [
            ("kms:GenerateDataKey", expected),
            ("KMS:Decrypt", expected),
        ]
        assert [r["ResourceSpecificResults"][0]["EvalResourceName"] for r in results] == [key["arn"]] * 2


# --- what delivery needs, and what Put does (C19) ----------------------------------------------------------------


def test_c19_put_accepts_an_encrypted_queue_whose_key_the_role_may_not_use(world: World) -> None:
    """INFERRED: no KMS check when the config is written; the records are lost at delivery instead."""
    key = key_with_policy(world, "alias/c19-put-locked", fixtures.admin_only_key_policy(ACCOUNT))
    queue = queue_with_key(world, "c19-put-locked", key["arn"])
    role = world.new_role(
        "c19-put-role", allow("sqs:SendMessage", queue["arn"]), allow(["kms:GenerateDataKey", "kms:Decrypt"], "*")
    )
    name = world.function_with_role("c19-put-fn", role)["name"]
    put = world.lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": queue["arn"]}}
    )
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": queue["arn"]}
    updated = world.lam.update_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue["arn"]}}
    )
    assert updated["DestinationConfig"]["OnSuccess"] == {"Destination": queue["arn"]}
    assert delivery_check(world, role, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": "KMS.AccessDeniedException",
    }


def test_c19_put_still_checks_the_destination_permission_of_an_encrypted_queue(world: World) -> None:
    queue = queue_with_key(world, "c19-put-no-send", "alias/aws/sqs")
    name = world.function_with_role("c19-put-no-send-fn", world.new_role("c19-put-no-send-role"))["name"]
    error = client_error(
        world.lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnFailure": {"Destination": queue["arn"]}},
    )
    assert "does not have permissions to call SendMessage on " + queue["arn"] in error.response["Error"]["Message"]


def test_c19_default_key_policy_delegates_to_iam_so_the_role_needs_both_kms_actions(world: World) -> None:
    key = key_with_policy(world, "alias/c19-delegated")
    queue = queue_with_key(world, "c19-delegated", key["alias"])
    send = allow("sqs:SendMessage", queue["arn"])
    none = world.new_role("c19-delegated-none", send)
    encrypt_only = world.new_role("c19-delegated-half", send, allow("kms:GenerateDataKey", key["arn"]))
    both = world.new_role("c19-delegated-both", send, allow(["kms:GenerateDataKey", "kms:Decrypt"], key["arn"]))
    denied = "KMS.AccessDeniedException"
    assert delivery_check(world, none, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": denied,
    }
    assert delivery_check(world, encrypt_only, queue["arn"]) == {
        "action": "kms:Decrypt",
        "resource": key["arn"],
        "error": denied,
    }
    assert delivery_check(world, both, queue["arn"]) is None


def test_c19_a_key_policy_that_does_not_allow_the_role_wins_over_its_iam_policy(world: World) -> None:
    key = key_with_policy(world, "alias/c19-locked", fixtures.admin_only_key_policy(ACCOUNT))
    queue = queue_with_key(world, "c19-locked", key["id"])
    role = world.new_role("c19-locked-role", allow("sqs:SendMessage", queue["arn"]), allow("kms:*", "*"))
    assert delivery_check(world, role, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": "KMS.AccessDeniedException",
    }


def test_c19_a_key_policy_naming_the_role_is_enough_without_iam(world: World) -> None:
    role = world.new_role("c19-named-role")
    policy = fixtures.admin_only_key_policy(ACCOUNT)
    policy["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": role},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
        }
    )
    key = key_with_policy(world, "alias/c19-named", policy)
    topic = fixtures.create_encrypted_topic(world.clients, "c19-named-topic", key["alias"])
    fixtures.grant(world.clients, "c19-named-role", "publish", [allow("sns:Publish", topic["arn"])])
    assert delivery_check(world, role, topic["arn"]) is None
    policy["Statement"].append({"Effect": "Deny", "Principal": {"AWS": role}, "Action": "kms:Decrypt", "Resource": "*"})
    kms(world).put_key_policy(KeyId=key["id"], PolicyName="default", Policy=json.dumps(policy))
    assert delivery_check(world, role, topic["arn"]) == {
        "action": "kms:Decrypt",
        "resource": key["arn"],
        "error": "KMSAccessDenied",
    }


def test_c19_the_aws_managed_key_serves_the_accounts_roles_through_the_service_without_iam(world: World) -> None:
    queue = queue_with_key(world, "c19-managed", "alias/aws/sqs")
    role = world.new_role("c19-managed-role", allow("sqs:SendMessage", queue["arn"]))
    assert delivery_check(world, role, queue["arn"]) is None
    topic = fixtures.create_encrypted_topic(world.clients, "c19-managed-topic", "alias/aws/sns")
    publisher = world.new_role("c19-managed-publisher", allow("sns:Publish", topic["arn"]))
    assert delivery_check(world, publisher, topic["arn"]) is None


def test_c19_a_queue_on_the_aws_managed_key_cannot_be_used_from_another_account(world: World) -> None:
    """RECORDED (SQS developer guide): the AWS managed key serves its own account only. A customer key whose
    policy names the other account works once that account's role has the KMS actions too."""
    queue = queue_with_key(world, "c19-cross-managed", "alias/aws/sqs")
    iam = in_account(world.emulator.client("iam"), OTHER_ACCOUNT)
    role = iam.create_role(RoleName="c19-outsider", AssumeRolePolicyDocument=json.dumps(fixtures.TRUST_POLICY))
    role_arn = role["Role"]["Arn"]
    assert role_arn == f"arn:aws:iam::{OTHER_ACCOUNT}:role/c19-outsider"
    key = key_with_policy(world, "alias/c19-cross")
    key_policy = fixtures.default_key_policy(ACCOUNT)
    key_policy["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": "*",
        }
    )
    kms(world).put_key_policy(KeyId=key["id"], PolicyName="default", Policy=json.dumps(key_policy))
    customer = queue_with_key(world, "c19-cross-customer", key["arn"])
    for url, arn in ((queue["url"], queue["arn"]), (customer["url"], customer["arn"])):
        grant = {"Principal": {"AWS": role_arn}, **allow("sqs:SendMessage", arn)}
        world.clients.sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [grant]})}
        )
    statements = [allow("sqs:SendMessage", "*"), allow(["kms:GenerateDataKey", "kms:Decrypt"], "*")]
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    iam.put_role_policy(RoleName="c19-outsider", PolicyName="send", PolicyDocument=document)
    managed = kms(world).describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["Arn"]
    assert delivery_check(world, role_arn, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": managed,
        "error": "KMS.AccessDeniedException",
    }
    assert delivery_check(world, role_arn, customer["arn"]) is None


def test_c19_a_queue_whose_key_is_gone_cannot_be_delivered_to(world: World) -> None:
    queue = queue_with_key(world, "c19-no-key", "alias/c19-never-made")
    role = world.new_role("c19-no-key-role", allow("sqs:SendMessage", queue["arn"]), allow("kms:*", "*"))
    assert delivery_check(world, role, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/c19-never-made",
        "error": "KMS.NotFoundException",
    }


def test_delivery_check_needs_a_role_and_a_destination(world: World) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{world.emulator.endpoint_url}/_emulator/delivery-check?role=x")
    assert refused.value.code == 400


def test_clienterror_is_what_botocore_raises_for_kms_errors(world: World) -> None:
    with pytest.raises(ClientError):
        kms(world).describe_key(KeyId="alias/c19-absent")
