"""fixtures.py: the standalone create/delete script for test resources."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from ansible_collections.cloudops.aws_lambda.tests.emulator import moto_view
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

SCRIPT = Path(fixtures.__file__)


def run_script(*args: str) -> dict:
    # No credentials anywhere: the script must fall back to dummy ones for a loopback endpoint.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_fixtures_cli_creates_and_deletes_everything(fresh_emulator: Emulator) -> None:
    common = ["--prefix", "fx", "--endpoint-url", fresh_emulator.endpoint_url, "--region", "us-east-1"]
    created = run_script("create", *common, "--functions", "2")

    assert [f["name"] for f in created["functions"]] == ["fx-fn-1", "fx-fn-2"]
    first = created["functions"][0]
    assert (first["version"], first["alias"]) == ("1", "live")
    assert first["alias_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:fx-fn-1:live"
    record = moto_view.get_function("123456789012", "us-east-1", "fx-fn-1")
    assert record is not None and record.has_qualifier("1") and record.has_qualifier("live")
    for key in ("queue", "topic", "event_bus", "bucket"):
        assert moto_view.destination_exists(created[key]["arn"]), key
    assert created["role"]["arn"] == "arn:aws:iam::123456789012:role/fx-role"

    again = fixtures.create("fx", fresh_emulator.endpoint_url, functions=2)  # idempotent
    assert again == created

    deleted = run_script("delete", *common)
    assert deleted["functions"] == ["fx-fn-1", "fx-fn-2"]
    assert all(deleted[key] for key in ("queue", "topic", "event_bus", "bucket", "role"))
    assert moto_view.get_function("123456789012", "us-east-1", "fx-fn-1") is None
    assert not any(moto_view.destination_exists(created[k]["arn"]) for k in ("queue", "topic", "event_bus", "bucket"))

    nothing_left = fixtures.delete("fx", fresh_emulator.endpoint_url)
    assert nothing_left["functions"] == []
    assert not any(nothing_left[key] for key in ("queue", "topic", "event_bus", "bucket", "role"))


def test_fixtures_handler_returns_the_event() -> None:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(fixtures.handler_zip())) as archive:
        namespace: dict = {}
        exec(archive.read("index.py").decode(), namespace)
    assert namespace["handler"]({"x": 1}, None) == {"x": 1}


def test_fixtures_script_imports_nothing_from_this_repository() -> None:
    tree = ast.parse(SCRIPT.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            imported.add((node.module or "").split(".")[0])
    assert imported - set(sys.stdlib_module_names) <= {"boto3", "botocore"}


def test_fixtures_create_makes_nothing_encrypted_unless_asked(fresh_emulator: Emulator) -> None:
    fixtures.create("plain", fresh_emulator.endpoint_url, functions=1)
    services = {entry["service"] for entry in fresh_emulator.requests()}
    assert services == {"sqs", "sns", "events", "s3", "iam", "lambda"}
    assert "encrypted" not in fixtures.create("plain", fresh_emulator.endpoint_url, functions=1)


def test_fixtures_cli_encrypted_set_is_idempotent_and_deleted_on_request(fresh_emulator: Emulator) -> None:
    common = ["--prefix", "fxk", "--endpoint-url", fresh_emulator.endpoint_url, "--region", "us-east-1"]
    created = run_script("create", *common, "--encrypted")["encrypted"]
    kms = fresh_emulator.client("kms")
    sqs = fresh_emulator.client("sqs")
    key = kms.describe_key(KeyId="alias/fxk-key")["KeyMetadata"]
    assert (key["Arn"], key["KeyManager"]) == (created["key"]["arn"], "CUSTOMER")
    assert json.loads(kms.get_key_policy(KeyId=key["KeyId"])["Policy"]) == fixtures.default_key_policy("123456789012")
    locked = json.loads(kms.get_key_policy(KeyId=created["locked_key"]["id"])["Policy"])
    assert locked == fixtures.admin_only_key_policy("123456789012")
    for name, key_reference in (("queue", created["key"]["alias"]), ("locked_queue", created["locked_key"]["arn"])):
        attributes = sqs.get_queue_attributes(QueueUrl=created[name]["url"], AttributeNames=["KmsMasterKeyId"])
        assert attributes["Attributes"]["KmsMasterKeyId"] == key_reference
    topic = fresh_emulator.client("sns").get_topic_attributes(TopicArn=created["topic"]["arn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == created["key"]["id"]
    fifo = sqs.get_queue_attributes(QueueUrl=created["fifo_queue"]["url"], AttributeNames=["FifoQueue"])
    assert fifo["Attributes"]["FifoQueue"] == "true"
    dead_letter = fresh_emulator.client("lambda").get_function(FunctionName="fxk-dlq-fn", Qualifier="live")
    assert dead_letter["Configuration"]["DeadLetterConfig"] == {"TargetArn": created["locked_queue"]["arn"]}
    policy_names = fresh_emulator.client("iam").list_role_policies(RoleName="fxk-role")["PolicyNames"]
    assert sorted(policy_names) == ["destinations", "encrypted-destinations"]

    again = fixtures.create_encrypted("fxk", fresh_emulator.endpoint_url)  # idempotent: the same keys, no new ones
    assert {k: again[k] for k in ("key", "locked_key", "queue", "topic")} == {
        k: created[k] for k in ("key", "locked_key", "queue", "topic")
    }
    assert len(kms.list_keys()["Keys"]) == 2

    deleted = run_script("delete", *common, "--encrypted")
    assert all(deleted["encrypted"].values())
    assert deleted["role"]
    assert kms.describe_key(KeyId=created["key"]["id"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert not any(moto_view.destination_exists(created[k]["arn"]) for k in ("queue", "locked_queue", "topic"))
    assert not any(fixtures.delete_encrypted("fxk", fresh_emulator.endpoint_url).values())
