"""Contract: a KMS key's state (reference C19, docs/aws-behaviour.md C23) and what it does to delivery.

DisableKey, EnableKey, ScheduleKeyDeletion and CancelKeyDeletion by key id and by key ARN (moto 5.2.5 answers a 500
for the ARN), DescribeKey's ``KeyState``/``Enabled``, the key state table's refusals, a key awaiting imported
material, the AWS managed keys, and the delivery check: a destination whose key is not Enabled cannot be delivered to,
while Put still accepts it.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import ACCOUNT
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import REGION
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import allow
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error

DAY = 86400


def kms(world: World) -> Any:
    return world.emulator.client("kms", retries={"total_max_attempts": 1})


def new_key(world: World, **extra: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms(world).create_key(**extra)["KeyMetadata"]
    return metadata


def state(world: World, key: str) -> tuple[str, bool]:
    metadata = kms(world).describe_key(KeyId=key)["KeyMetadata"]
    return metadata["KeyState"], metadata["Enabled"]


def error_of(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    error = client_error(call, **kwargs)
    response = error.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def delivery_check(world: World, role: str, destination: str) -> dict[str, Any] | None:
    query = urllib.parse.urlencode({"role": role, "destination": destination})
    with urllib.request.urlopen(f"{world.emulator.endpoint_url}/_emulator/delivery-check?{query}") as response:
        verdict: dict[str, Any] | None = json.loads(response.read())["refused"]
    return verdict


# --- the four operations, by key id and by key ARN ----------------------------------------------------------------


@pytest.mark.parametrize("form", ["KeyId", "Arn"])
def test_c23_disable_enable_schedule_and_cancel_work_by_key_id_and_key_arn(world: World, form: str) -> None:
    key = new_key(world)
    reference, arn = key[form], key["Arn"]
    assert state(world, reference) == ("Enabled", True)

    kms(world).disable_key(KeyId=reference)
    assert state(world, key["KeyId"]) == ("Disabled", False)
    kms(world).enable_key(KeyId=reference)
    assert state(world, arn) == ("Enabled", True)

    before = time.time()
    scheduled = kms(world).schedule_key_deletion(KeyId=reference, PendingWindowInDays=7)
    assert (scheduled["KeyId"], scheduled["KeyState"], scheduled["PendingWindowInDays"]) == (arn, "PendingDeletion", 7)
    assert before + 7 * DAY - 5 <= scheduled["DeletionDate"].timestamp() <= time.time() + 7 * DAY + 5
    metadata = kms(world).describe_key(KeyId=reference)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("PendingDeletion", False)
    assert abs(metadata["DeletionDate"].timestamp() - scheduled["DeletionDate"].timestamp()) < 2

    assert kms(world).cancel_key_deletion(KeyId=reference)["KeyId"] == arn
    metadata = kms(world).describe_key(KeyId=reference)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Disabled", False)  # DOCUMENTED: cancel leaves it Disabled
    assert "DeletionDate" not in metadata


def test_c23_schedule_key_deletion_waits_30_days_unless_told(world: World) -> None:
    key = new_key(world)
    scheduled = kms(world).schedule_key_deletion(KeyId=key["KeyId"])
    assert scheduled["PendingWindowInDays"] == 30
    assert abs(scheduled["DeletionDate"].timestamp() - (time.time() + 30 * DAY)) < 10


def test_c23_a_key_pending_deletion_cannot_be_disabled_enabled_or_scheduled_again(world: World) -> None:
    key = new_key(world)
    kms(world).schedule_key_deletion(KeyId=key["Arn"], PendingWindowInDays=7)
    refused = (400, "KMSInvalidStateException", f"{key['Arn']} is pending deletion.")
    assert error_of(kms(world).schedule_key_deletion, KeyId=key["KeyId"], PendingWindowInDays=7) == refused
    assert error_of(kms(world).disable_key, KeyId=key["KeyId"]) == refused
    assert error_of(kms(world).enable_key, KeyId=key["Arn"]) == refused
    assert state(world, key["KeyId"]) == ("PendingDeletion", False)


def test_c23_cancel_key_deletion_needs_a_key_pending_deletion(world: World) -> None:
    key = new_key(world)
    assert error_of(kms(world).cancel_key_deletion, KeyId=key["KeyId"]) == (
        400,
        "KMSInvalidStateException",
        f"{key['Arn']} is not pending deletion.",
    )
    assert state(world, key["KeyId"]) == ("Enabled", True)


def test_c23_disabling_twice_and_enabling_an_enabled_key_are_accepted(world: World) -> None:
    key = new_key(world)
    kms(world).enable_key(KeyId=key["KeyId"])
    kms(world).disable_key(KeyId=key["KeyId"])
    kms(world).disable_key(KeyId=key["Arn"])
    assert state(world, key["KeyId"]) == ("Disabled", False)


def test_c23_the_pending_window_is_7_to_30_days(world: World) -> None:
    key = new_key(world)
    for days in (6, 31):
        assert error_of(kms(world).schedule_key_deletion, KeyId=key["KeyId"], PendingWindowInDays=days)[:2] == (
            400,
            "ValidationException",
        )
    assert state(world, key["KeyId"]) == ("Enabled", True)


def test_c23_state_operations_take_no_alias_and_name_a_missing_key(world: World) -> None:
    key = new_key(world)
    kms(world).create_alias(AliasName="alias/c23-state", TargetKeyId=key["KeyId"])
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    for operation in ("disable_key", "enable_key", "schedule_key_deletion", "cancel_key_deletion"):
        call = getattr(kms(world), operation)
        assert error_of(call, KeyId="alias/c23-state") == (400, "NotFoundException", "Invalid keyId alias/c23-state")
        assert error_of(call, KeyId=missing) == (
            400,
            "NotFoundException",
            f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist",
        )
    assert state(world, "alias/c23-state") == ("Enabled", True)


def test_c23_state_operations_have_no_cross_account_use(world: World) -> None:
    foreign = f"arn:aws:kms:{REGION}:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    status, code, _message = error_of(kms(world).disable_key, KeyId=foreign)
    assert (status, code) == (400, "AccessDeniedException")


def test_c23_describe_key_of_a_missing_key_or_alias_is_not_found(world: World) -> None:
    assert error_of(kms(world).describe_key, KeyId="alias/c23-never-made") == (
        400,
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/c23-never-made is not found.",
    )
    assert error_of(kms(world).describe_key, KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")[:2] == (
        400,
        "NotFoundException",
    )


# --- imported key material ----------------------------------------------------------------------------------------


def test_c23_a_key_for_imported_material_starts_pending_import(world: World) -> None:
    created = new_key(world, Origin="EXTERNAL", Description="no material yet")
    assert (created["KeyState"], created["Enabled"], created["Origin"]) == ("PendingImport", False, "EXTERNAL")
    assert created["Description"] == "no material yet"
    assert state(world, created["Arn"]) == ("PendingImport", False)
    refused = (400, "KMSInvalidStateException", f"{created['Arn']} is pending import.")
    assert error_of(kms(world).enable_key, KeyId=created["KeyId"]) == refused
    assert error_of(kms(world).disable_key, KeyId=created["Arn"]) == refused
    kms(world).schedule_key_deletion(KeyId=created["Arn"], PendingWindowInDays=7)
    assert state(world, created["KeyId"]) == ("PendingDeletion", False)
    kms(world).cancel_key_deletion(KeyId=created["KeyId"])
    assert state(world, created["KeyId"]) == ("PendingImport", False)


# --- AWS managed keys ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["alias/aws/sqs", "alias/aws/sns"])
def test_c23_an_aws_managed_key_is_enabled_and_cannot_be_disabled_or_deleted(world: World, alias: str) -> None:
    metadata = kms(world).describe_key(KeyId=alias)["KeyMetadata"]
    assert (metadata["KeyManager"], metadata["KeyState"], metadata["Enabled"]) == ("AWS", "Enabled", True)
    for operation in ("disable_key", "schedule_key_deletion"):
        status, code, message = error_of(getattr(kms(world), operation), KeyId=metadata["Arn"])
        assert (status, code) == (400, "AccessDeniedException")
        assert metadata["Arn"] in message
    assert state(world, metadata["KeyId"]) == ("Enabled", True)


# --- delivery: a key that is not Enabled cannot encrypt ----------------------------------------------------------


def encrypted_queue_and_role(world: World, name: str, key: str) -> tuple[dict[str, str], str]:
    """A queue encrypted with ``key`` and a role allowed to send to it and to use every key: only the key's state
    can stop delivery."""
    queue = fixtures.create_encrypted_queue(world.clients, name, key)
    role = world.new_role(f"{name}-role", allow("sqs:SendMessage", queue["arn"]), allow("kms:*", "*"))
    return queue, role


def test_c23_a_disabled_key_fails_delivery_but_put_still_accepts_the_queue(world: World) -> None:
    key = fixtures.create_key(world.clients, "alias/c23-disabled")
    queue, role = encrypted_queue_and_role(world, "c23-disabled", key["alias"])
    assert delivery_check(world, role, queue["arn"]) is None

    kms(world).disable_key(KeyId=key["arn"])
    refused = {"action": "kms:GenerateDataKey", "resource": key["arn"], "error": "KMS.DisabledException"}
    assert delivery_check(world, role, queue["arn"]) == refused
    name = world.function_with_role("c23-disabled-fn", role)["name"]
    put = world.lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": queue["arn"]}}
    )
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": queue["arn"]}
    updated = world.lam.update_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue["arn"]}}
    )
    assert updated["DestinationConfig"]["OnSuccess"] == {"Destination": queue["arn"]}

    kms(world).enable_key(KeyId=key["id"])
    assert delivery_check(world, role, queue["arn"]) is None


def test_c23_a_key_pending_deletion_or_import_fails_delivery_with_an_invalid_state(world: World) -> None:
    doomed = fixtures.create_key(world.clients, "alias/c23-doomed")
    queue, role = encrypted_queue_and_role(world, "c23-doomed", doomed["id"])
    kms(world).schedule_key_deletion(KeyId=doomed["arn"], PendingWindowInDays=7)
    invalid = {"action": "kms:GenerateDataKey", "resource": doomed["arn"], "error": "KMS.KMSInvalidStateException"}
    assert delivery_check(world, role, queue["arn"]) == invalid

    external = new_key(world, Origin="EXTERNAL")
    pending, other_role = encrypted_queue_and_role(world, "c23-pending-import", external["Arn"])
    assert delivery_check(world, other_role, pending["arn"]) == {**invalid, "resource": external["Arn"]}


def test_c23_an_sns_topic_on_a_disabled_key_fails_delivery_with_sns_codes(world: World) -> None:
    key = fixtures.create_key(world.clients, "alias/c23-topic")
    topic = fixtures.create_encrypted_topic(world.clients, "c23-topic", key["alias"])
    role = world.new_role("c23-topic-role", allow("sns:Publish", topic["arn"]), allow("kms:*", "*"))
    kms(world).disable_key(KeyId=key["id"])
    assert delivery_check(world, role, topic["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": "KMSDisabled",
    }
    kms(world).enable_key(KeyId=key["arn"])
    kms(world).schedule_key_deletion(KeyId=key["arn"], PendingWindowInDays=7)
    assert delivery_check(world, role, topic["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": "KMSInvalidState",
    }


def test_c23_a_permission_refused_is_named_before_the_key_state(world: World) -> None:
    key = fixtures.create_key(world.clients, "alias/c23-both", fixtures.admin_only_key_policy(ACCOUNT))
    queue, role = encrypted_queue_and_role(world, "c23-both", key["arn"])
    kms(world).disable_key(KeyId=key["id"])
    assert delivery_check(world, role, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": "KMS.AccessDeniedException",
    }


def test_c23_a_dead_letter_queue_on_a_disabled_key_is_accepted_and_fails_delivery(world: World) -> None:
    """The dead-letter check of CreateFunction/UpdateFunctionConfiguration does not look at the key either (C19)."""
    key = fixtures.create_key(world.clients, "alias/c23-dlq")
    queue, role = encrypted_queue_and_role(world, "c23-dlq", key["arn"])
    fixtures.disable_key(world.clients, key["alias"])
    function = fixtures.create_function(world.clients, "c23-dlq-fn", role, dead_letter_target=queue["arn"])
    configuration = world.lam.get_function(FunctionName=function["name"])["Configuration"]
    assert configuration["DeadLetterConfig"] == {"TargetArn": queue["arn"]}
    assert delivery_check(world, role, queue["arn"]) == {
        "action": "kms:GenerateDataKey",
        "resource": key["arn"],
        "error": "KMS.DisabledException",
    }
