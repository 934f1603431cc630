"""Create and delete test fixtures for Lambda event-invoke-config tests, against the emulator or real AWS.

Standalone: needs only boto3 and imports nothing else from this repository, so playbooks and CI can copy or run
it directly::

    python fixtures.py create --prefix P [--endpoint-url U] [--region R] [--functions N] [--encrypted]
    python fixtures.py delete --prefix P [--endpoint-url U] [--region R] [--encrypted]

``create`` makes, all named from the prefix: an IAM role Lambda can assume (with an inline policy allowing
delivery to the destinations below), N Lambda functions (python3.12, handler returns the event) each with
published version 1 and alias ``live``, an SQS queue, an SNS topic, an EventBridge bus and an S3 bucket. It is
idempotent and prints the names and ARNs as JSON. ``delete`` removes everything the prefix names (functions are
found by listing, so N is not needed) and ignores what is already gone.

``--encrypted`` (opt in; ``create_encrypted``/``delete_encrypted``) adds, under the key ``encrypted``: a customer
managed KMS key with the default key policy (the account's IAM policies decide) and its alias, a key whose policy
lets the account administer it but not use it, an SQS queue encrypted with each, an SNS topic encrypted with the
first, a FIFO queue created directly (as another tool would), a second inline policy on the role granting all of
these (the KMS actions on both keys, so only the second key's policy refuses), and a function whose dead-letter
queue is the queue of the key the role may not use. On real AWS a KMS key costs money until it is deleted, and
``delete --encrypted`` can only schedule that (7 days). The building blocks (``create_key``,
``create_encrypted_queue``, ``create_encrypted_topic``, ``create_fifo_queue``, ``grant``, ``create_function`` with
``dead_letter_target``) can be used one by one.

For a messy estate (never part of ``create``): ``delete_role``/``delete_function_role`` (a function whose execution
role is gone), ``disable_key``, ``schedule_key_deletion``, ``create_pending_import_key``,
``delete_alias_leaving_config`` (a config left on a deleted alias), ``set_reserved_concurrency`` (0 switches a
function off) and ``put_fifo_destination_config`` (a FIFO queue written as a destination, as another tool would).

Credentials come from the usual boto3 chain. For an endpoint on 127.0.0.1/localhost without configured
credentials, dummy ones are used (the emulator accepts any).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
import zipfile
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import ClientError

RUNTIME = "python3.12"
HANDLER_SOURCE = "def handler(event, context):\n    return event\n"
ALIAS_NAME = "live"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ROLE_PROPAGATION_TIMEOUT = 90.0  # real IAM: a new role can take a while before Lambda may assume it


def names(prefix: str) -> dict[str, str]:
    """Resource names derived from the prefix (S3 needs lowercase letters, digits and hyphens)."""
    bucket = re.sub(r"[^a-z0-9-]", "-", f"{prefix}-bucket".lower()).strip("-")[:63]
    return {
        "role": f"{prefix}-role",
        "function_prefix": f"{prefix}-fn-",
        "queue": f"{prefix}-queue",
        "topic": f"{prefix}-topic",
        "event_bus": f"{prefix}-bus",
        "bucket": bucket,
    }


def function_names(prefix: str, count: int) -> list[str]:
    return [f"{names(prefix)['function_prefix']}{index}" for index in range(1, count + 1)]


def handler_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.py", HANDLER_SOURCE)
    return buffer.getvalue()


class Clients:
    def __init__(self, endpoint_url: str | None, region: str) -> None:
        credentials: dict[str, str] = {}
        session = boto3.session.Session(region_name=region)
        if endpoint_url and _is_loopback(endpoint_url) and session.get_credentials() is None:
            credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self.region = region
        self._make = lambda service: session.client(service, endpoint_url=endpoint_url, **credentials)
        self.make = self._make  # any other service's client, same endpoint and credentials
        self.iam = self._make("iam")
        self.awslambda = self._make("lambda")
        self.sqs = self._make("sqs")
        self.sns = self._make("sns")
        self.events = self._make("events")
        self.s3 = self._make("s3")
        self.kms = self._make("kms")


def _is_loopback(url: str) -> bool:
    return urlparse(url).hostname in ("127.0.0.1", "localhost", "::1")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# --- create -------------------------------------------------------------------------------------------------------


def create(
    prefix: str,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    functions: int = 1,
    clients: Clients | None = None,
) -> dict:
    """Create (or find) every fixture; ``clients`` may be passed to reuse already built boto3 clients."""
    clients = clients or Clients(endpoint_url, region)
    named = names(prefix)
    result: dict[str, Any] = {"prefix": prefix, "region": region}
    result["queue"] = _create_queue(clients, named["queue"])
    result["topic"] = _create_topic(clients, named["topic"])
    result["event_bus"] = _create_event_bus(clients, named["event_bus"])
    result["bucket"] = _create_bucket(clients, named["bucket"])
    result["role"] = _create_role(clients, named["role"], result)
    result["functions"] = [
        create_function(clients, name, result["role"]["arn"]) for name in function_names(prefix, functions)
    ]
    return result


def _create_queue(clients: Clients, name: str) -> dict[str, str]:
    url = clients.sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"name": name, "url": url, "arn": arn}


def _create_topic(clients: Clients, name: str) -> dict[str, str]:
    return {"name": name, "arn": clients.sns.create_topic(Name=name)["TopicArn"]}


def _create_event_bus(clients: Clients, name: str) -> dict[str, str]:
    try:
        arn = clients.events.create_event_bus(Name=name)["EventBusArn"]
    except ClientError as error:
        if _code(error) != "ResourceAlreadyExistsException":
            raise
        arn = clients.events.describe_event_bus(Name=name)["Arn"]
    return {"name": name, "arn": arn}


def _create_bucket(clients: Clients, name: str) -> dict[str, str]:
    kwargs: dict[str, Any] = {"Bucket": name}
    if clients.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": clients.region}
    try:
        clients.s3.create_bucket(**kwargs)
    except ClientError as error:
        if _code(error) != "BucketAlreadyOwnedByYou":
            raise
    partition = clients.sns.meta.partition
    return {"name": name, "arn": f"arn:{partition}:s3:::{name}"}


def _create_role(clients: Clients, name: str, destinations: dict[str, Any]) -> dict[str, str]:
    try:
        arn = clients.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_POLICY))["Role"]["Arn"]
    except ClientError as error:
        if _code(error) != "EntityAlreadyExists":
            raise
        arn = clients.iam.get_role(RoleName=name)["Role"]["Arn"]
    account = arn.split(":")[4]
    partition = arn.split(":")[1]
    function_arns = f"arn:{partition}:lambda:{clients.region}:{account}:function:{destinations['prefix']}-fn-*"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": destinations["queue"]["arn"]},
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": destinations["topic"]["arn"]},
            {"Effect": "Allow", "Action": "events:PutEvents", "Resource": destinations["event_bus"]["arn"]},
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:ListBucket"],
                "Resource": [destinations["bucket"]["arn"], destinations["bucket"]["arn"] + "/*"],
            },
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": function_arns},
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            },
        ],
    }
    clients.iam.put_role_policy(RoleName=name, PolicyName="destinations", PolicyDocument=json.dumps(policy))
    return {"name": name, "arn": arn}


def create_function(
    clients: Clients, name: str, role_arn: str, dead_letter_target: str | None = None
) -> dict[str, str]:
    """A function with published version 1 and alias ``live``; an existing one is reused.

    ``dead_letter_target`` (an SQS queue or SNS topic ARN) becomes its ``DeadLetterConfig``; Lambda refuses it when
    the role may not send there (``sqs:SendMessage``/``sns:Publish``), so grant that first.
    """
    client = clients.awslambda
    dead_letter = {"DeadLetterConfig": {"TargetArn": dead_letter_target}} if dead_letter_target else {}
    try:
        arn = _create_when_role_ready(client, name, role_arn, dead_letter)
    except ClientError as error:
        if _code(error) != "ResourceConflictException":
            raise
        configuration = client.get_function(FunctionName=name)["Configuration"]
        arn = configuration["FunctionArn"]
        if dead_letter and configuration.get("DeadLetterConfig", {}).get("TargetArn") != dead_letter_target:
            client.get_waiter("function_active_v2").wait(FunctionName=name)
            client.update_function_configuration(FunctionName=name, **dead_letter)
            client.get_waiter("function_updated_v2").wait(FunctionName=name)
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    version = client.publish_version(FunctionName=name)
    try:
        alias = client.create_alias(FunctionName=name, Name=ALIAS_NAME, FunctionVersion=version["Version"])
    except ClientError as error:
        if _code(error) not in ("ResourceConflictException", "ConflictException"):  # moto says the latter
            raise
        alias = client.get_alias(FunctionName=name, Name=ALIAS_NAME)
    return {
        "name": name,
        "arn": arn,
        "version": version["Version"],
        "version_arn": version["FunctionArn"],
        "alias": ALIAS_NAME,
        "alias_arn": alias["AliasArn"],
    }


def _create_when_role_ready(client: Any, name: str, role_arn: str, extra: dict[str, Any] | None = None) -> str:
    """CreateFunction, retried while real IAM has not yet propagated the new role (or its grants) to Lambda."""
    deadline = time.monotonic() + ROLE_PROPAGATION_TIMEOUT
    while True:
        try:
            return client.create_function(
                FunctionName=name,
                Runtime=RUNTIME,
                Role=role_arn,
                Handler="index.handler",
                Code={"ZipFile": handler_zip()},
                Description="cloudops.aws_lambda test fixture",
                Timeout=10,
                **(extra or {}),
            )["FunctionArn"]
        except ClientError as error:
            message = str(error)
            propagating = _code(error) == "InvalidParameterValueException" and (
                "cannot be assumed" in message or "does not have permissions" in message
            )
            if not propagating or time.monotonic() > deadline:
                raise
            time.sleep(3)


# --- encrypted destinations, a FIFO queue, a dead-letter queue (opt in) ---------------------------------------------


def encrypted_names(prefix: str) -> dict[str, str]:
    """Names of the opt-in resources ``create_encrypted`` makes (KMS aliases must not start with alias/aws/)."""
    return {
        "key_alias": f"alias/{prefix}-key",
        "locked_key_alias": f"alias/{prefix}-locked-key",
        "queue": f"{prefix}-kms-queue",
        "locked_queue": f"{prefix}-locked-queue",
        "topic": f"{prefix}-kms-topic",
        "fifo_queue": f"{prefix}-queue.fifo",
        "dead_letter_function": f"{prefix}-dlq-fn",
        "role_policy": "encrypted-destinations",
    }


def default_key_policy(account: str, partition: str = "aws") -> dict[str, Any]:
    """KMS's default key policy: the account's root, so its IAM policies decide who may use the key."""
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def admin_only_key_policy(account: str, partition: str = "aws") -> dict[str, Any]:
    """A key policy that lets the account's IAM policies administer the key (so its creator is not locked out) but
    use it for nothing: no Encrypt, Decrypt or GenerateDataKey, whatever IAM policy a role has."""
    actions = [
        "kms:Create*",
        "kms:Describe*",
        "kms:Enable*",
        "kms:List*",
        "kms:Put*",
        "kms:Update*",
        "kms:Revoke*",
        "kms:Disable*",
        "kms:Get*",
        "kms:Delete*",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
    ]
    principal = {"AWS": f"arn:{partition}:iam::{account}:root"}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Key administration only",
                "Effect": "Allow",
                "Principal": principal,
                "Action": actions,
                "Resource": "*",
            }
        ],
    }


def _account_and_partition(clients: Clients) -> tuple[str, str]:
    identity = clients.make("sts").get_caller_identity()["Arn"].split(":")
    return identity[4], identity[1]


def create_key(clients: Clients, alias: str, key_policy: dict[str, Any] | None = None) -> dict[str, str]:
    """A customer managed symmetric key with this alias (found by its alias when it exists) and key policy (KMS's
    default one when None)."""
    try:
        metadata = clients.kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as error:
        if _code(error) != "NotFoundException":
            raise
        account, partition = _account_and_partition(clients)
        policy = key_policy or default_key_policy(account, partition)
        metadata = clients.kms.create_key(Policy=json.dumps(policy), Description=f"test fixture {alias}")["KeyMetadata"]
        clients.kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
    return {"alias": alias, "id": metadata["KeyId"], "arn": metadata["Arn"]}


def _queue(clients: Clients, name: str, attributes: dict[str, str]) -> dict[str, str]:
    url = clients.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"name": name, "url": url, "arn": arn}


def create_encrypted_queue(clients: Clients, name: str, key: str) -> dict[str, str]:
    """An SQS queue encrypted with this KMS key (SSE-KMS; key id, key ARN, alias name or alias ARN)."""
    return {**_queue(clients, name, {"KmsMasterKeyId": key}), "key": key}


def create_encrypted_topic(clients: Clients, name: str, key: str) -> dict[str, str]:
    """An SNS topic encrypted with this KMS key."""
    return {
        "name": name,
        "arn": clients.sns.create_topic(Name=name, Attributes={"KmsMasterKeyId": key})["TopicArn"],
        "key": key,
    }


def create_fifo_queue(clients: Clients, name: str) -> dict[str, str]:
    """A FIFO queue (its name ends in .fifo), made directly as any other tool would make one."""
    return _queue(clients, name, {"FifoQueue": "true"})


def grant(clients: Clients, role_name: str, policy_name: str, statements: list[dict[str, Any]]) -> None:
    """Put (or replace) an inline policy of the role with these statements."""
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    clients.iam.put_role_policy(RoleName=role_name, PolicyName=policy_name, PolicyDocument=document)


def create_encrypted(
    prefix: str,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    clients: Clients | None = None,
) -> dict[str, Any]:
    """The opt-in set (module docstring) for the role ``create`` made with this prefix; idempotent."""
    clients = clients or Clients(endpoint_url, region)
    named = encrypted_names(prefix)
    role_name = names(prefix)["role"]
    role_arn = clients.iam.get_role(RoleName=role_name)["Role"]["Arn"]
    account, partition = role_arn.split(":")[4], role_arn.split(":")[1]
    key = create_key(clients, named["key_alias"], default_key_policy(account, partition))
    locked = create_key(clients, named["locked_key_alias"], admin_only_key_policy(account, partition))
    result: dict[str, Any] = {
        "key": key,
        "locked_key": locked,
        "queue": create_encrypted_queue(clients, named["queue"], key["alias"]),
        "locked_queue": create_encrypted_queue(clients, named["locked_queue"], locked["arn"]),
        "topic": create_encrypted_topic(clients, named["topic"], key["id"]),
        "fifo_queue": create_fifo_queue(clients, named["fifo_queue"]),
    }
    queues = [result[name]["arn"] for name in ("queue", "locked_queue", "fifo_queue")]
    grant(
        clients,
        role_name,
        named["role_policy"],
        [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queues},
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": result["topic"]["arn"]},
            {
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": [key["arn"], locked["arn"]],
            },
        ],
    )
    result["dead_letter_function"] = create_function(
        clients, named["dead_letter_function"], role_arn, dead_letter_target=result["locked_queue"]["arn"]
    )
    return result


def delete_encrypted(
    prefix: str, endpoint_url: str | None = None, region: str = "us-east-1", clients: Clients | None = None
) -> dict[str, Any]:
    """Delete the opt-in set; the keys lose their aliases and are scheduled for deletion (7 days, KMS's minimum)."""
    clients = clients or Clients(endpoint_url, region)
    named = encrypted_names(prefix)
    deleted: dict[str, Any] = {}
    function = named["dead_letter_function"]
    deleted["dead_letter_function"] = _ignore_missing(lambda: clients.awslambda.delete_function(FunctionName=function))
    for key in ("queue", "locked_queue", "fifo_queue"):
        deleted[key] = _ignore_missing(lambda n=named[key]: _delete_queue(clients, n))
    deleted["topic"] = _ignore_missing(lambda: _delete_topic(clients, named["topic"]))
    for key in ("key_alias", "locked_key_alias"):
        deleted[key] = _ignore_missing(lambda alias=named[key]: _delete_key(clients, alias))
    deleted["role_policy"] = _ignore_missing(
        lambda: clients.iam.delete_role_policy(RoleName=names(prefix)["role"], PolicyName=named["role_policy"])
    )
    return deleted


def _delete_key(clients: Clients, alias: str) -> None:
    key_id = clients.kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    clients.kms.delete_alias(AliasName=alias)
    clients.kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


# --- a messy estate: what old accounts hold (each piece on its own; none is part of create) -----------------------


def delete_role(clients: Clients, role_name: str) -> bool:
    """Delete a role the way IAM requires (inline policies deleted, managed policies detached first), leaving every
    function that runs as it naming a role that no longer exists. False if the role was already gone."""
    return _ignore_missing(lambda: _delete_role(clients, role_name))


def delete_function_role(clients: Clients, function_name: str) -> str:
    """Delete the execution role of a function ($LATEST's); returns the role ARN the function still names."""
    role_arn = str(clients.awslambda.get_function(FunctionName=function_name)["Configuration"]["Role"])
    delete_role(clients, role_arn.rsplit("/", 1)[-1])
    return role_arn


def _key_metadata(clients: Clients, key: str) -> dict[str, Any]:
    metadata: dict[str, Any] = clients.kms.describe_key(KeyId=key)["KeyMetadata"]
    return metadata


def disable_key(clients: Clients, key: str) -> dict[str, str]:
    """Disable a KMS key (key id, key ARN, alias name or alias ARN); returns its id, ARN and new state."""
    metadata = _key_metadata(clients, key)
    clients.kms.disable_key(KeyId=metadata["Arn"])
    return {
        "id": metadata["KeyId"],
        "arn": metadata["Arn"],
        "state": _key_metadata(clients, metadata["Arn"])["KeyState"],
    }


def schedule_key_deletion(clients: Clients, key: str, days: int = 7) -> dict[str, str]:
    """Schedule a KMS key's deletion in ``days`` (7 to 30); returns its id, ARN, new state and deletion date (ISO)."""
    metadata = _key_metadata(clients, key)
    answer = clients.kms.schedule_key_deletion(KeyId=metadata["Arn"], PendingWindowInDays=days)
    return {
        "id": metadata["KeyId"],
        "arn": metadata["Arn"],
        "state": answer["KeyState"],
        "deletion_date": answer["DeletionDate"].isoformat(),
    }


def create_pending_import_key(clients: Clients, alias: str) -> dict[str, str]:
    """A key for imported key material that never got any (``Origin=EXTERNAL``: state PendingImport), with this
    alias; found by its alias when it exists."""
    try:
        metadata = _key_metadata(clients, alias)
    except ClientError as error:
        if _code(error) != "NotFoundException":
            raise
        metadata = clients.kms.create_key(Origin="EXTERNAL", Description=f"test fixture {alias}")["KeyMetadata"]
        clients.kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
    return {"alias": alias, "id": metadata["KeyId"], "arn": metadata["Arn"], "state": metadata["KeyState"]}


def delete_alias_leaving_config(
    clients: Clients, function_name: str, alias: str = ALIAS_NAME, maximum_retry_attempts: int = 0
) -> dict[str, str]:
    """Give the alias an event invoke config (if it has none: ``MaximumRetryAttempts``), then delete the alias.
    Lambda keeps the config: it stays listed, and can only be deleted. Returns the function, the qualifier and the
    config's FunctionArn."""
    client = clients.awslambda
    try:
        config = client.get_function_event_invoke_config(FunctionName=function_name, Qualifier=alias)
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
        config = client.put_function_event_invoke_config(
            FunctionName=function_name, Qualifier=alias, MaximumRetryAttempts=maximum_retry_attempts
        )
    client.delete_alias(FunctionName=function_name, Name=alias)
    return {"function": function_name, "qualifier": alias, "function_arn": config["FunctionArn"]}


def set_reserved_concurrency(clients: Clients, function_name: str, reserved: int = 0) -> dict[str, int]:
    """Reserve this much concurrency for the function; 0 switches it off (asynchronous events then go straight to a
    failure route, or are dropped)."""
    answer = clients.awslambda.put_function_concurrency(
        FunctionName=function_name, ReservedConcurrentExecutions=reserved
    )
    return {"reserved_concurrent_executions": answer["ReservedConcurrentExecutions"]}


def put_fifo_destination_config(
    clients: Clients,
    function_name: str,
    queue_name: str,
    qualifier: str = "$LATEST",
    half: str = "OnFailure",
) -> dict[str, Any]:
    """What another tool leaves behind: a FIFO queue (``queue_name`` must end in .fifo) as a destination, written
    straight through the API. Lambda accepts FIFO queues when the config is written and fails at delivery. The
    function's role (of ``qualifier``) is granted ``sqs:SendMessage`` on the queue first (inline policy
    ``fifo-destination``), since the write checks that. Returns the queue and the config as Put answered it."""
    client = clients.awslambda
    queue = create_fifo_queue(clients, queue_name)
    role_arn = client.get_function(FunctionName=function_name, Qualifier=qualifier)["Configuration"]["Role"]
    grant(
        clients,
        role_arn.rsplit("/", 1)[-1],
        "fifo-destination",
        [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue["arn"]}],
    )
    config = client.put_function_event_invoke_config(
        FunctionName=function_name, Qualifier=qualifier, DestinationConfig={half: {"Destination": queue["arn"]}}
    )
    config.pop("ResponseMetadata", None)
    return {"queue": queue, "config": config}


# --- delete -------------------------------------------------------------------------------------------------------


def delete(
    prefix: str, endpoint_url: str | None = None, region: str = "us-east-1", clients: Clients | None = None
) -> dict:
    """Delete everything the prefix names; what is already gone is reported as False / left out."""
    clients = clients or Clients(endpoint_url, region)
    named = names(prefix)
    deleted: dict[str, Any] = {"prefix": prefix, "region": region, "functions": []}
    for name in _functions_with_prefix(clients, named["function_prefix"]):
        if _ignore_missing(lambda n=name: clients.awslambda.delete_function(FunctionName=n)):
            deleted["functions"].append(name)
    deleted["queue"] = _ignore_missing(lambda: _delete_queue(clients, named["queue"]))
    deleted["topic"] = _ignore_missing(lambda: _delete_topic(clients, named["topic"]))
    deleted["event_bus"] = _ignore_missing(lambda: _delete_event_bus(clients, named["event_bus"]))
    deleted["bucket"] = _ignore_missing(lambda: _delete_bucket(clients, named["bucket"]))
    deleted["role"] = _ignore_missing(lambda: _delete_role(clients, named["role"]))
    return deleted


_MISSING = {
    "ResourceNotFoundException",
    "NoSuchEntity",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "NotFound",
    "NoSuchBucket",
    "NotFoundException",  # KMS
}


def _ignore_missing(action: Any) -> bool:
    """Run a delete; False (not an error) if the resource was already gone."""
    try:
        action()
    except ClientError as error:
        if _code(error) in _MISSING:
            return False
        raise
    return True


def _functions_with_prefix(clients: Clients, prefix: str) -> list[str]:
    paginator = clients.awslambda.get_paginator("list_functions")
    return [
        fn["FunctionName"]
        for page in paginator.paginate()
        for fn in page.get("Functions", [])
        if fn["FunctionName"].startswith(prefix)
    ]


def _delete_queue(clients: Clients, name: str) -> None:
    clients.sqs.delete_queue(QueueUrl=clients.sqs.get_queue_url(QueueName=name)["QueueUrl"])


def _delete_topic(clients: Clients, name: str) -> None:
    for page in clients.sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                clients.sns.delete_topic(TopicArn=topic["TopicArn"])
                return
    raise ClientError({"Error": {"Code": "NotFound", "Message": name}}, "DeleteTopic")


def _delete_event_bus(clients: Clients, name: str) -> None:
    clients.events.describe_event_bus(Name=name)  # DeleteEventBus succeeds silently for a missing bus
    clients.events.delete_event_bus(Name=name)


def _delete_bucket(clients: Clients, name: str) -> None:
    for page in clients.s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if objects:
            clients.s3.delete_objects(Bucket=name, Delete={"Objects": objects})
    clients.s3.delete_bucket(Bucket=name)


def _delete_role(clients: Clients, name: str) -> None:
    for policy in clients.iam.list_role_policies(RoleName=name)["PolicyNames"]:
        clients.iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for attached in clients.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        clients.iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
    clients.iam.delete_role(RoleName=name)


# --- CLI ----------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("command", choices=["create", "delete"])
    parser.add_argument("--prefix", required=True, help="names every resource; keep it unique per test run")
    parser.add_argument("--endpoint-url", help="e.g. the emulator's http://127.0.0.1:PORT; omit for real AWS")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--functions", type=int, default=1, help="how many functions to create")
    parser.add_argument(
        "--encrypted", action="store_true", help="also KMS keys, encrypted queues and topic, a FIFO queue and a DLQ"
    )
    args = parser.parse_args(argv)
    clients = Clients(args.endpoint_url, args.region)
    if args.command == "create":
        output = create(args.prefix, args.endpoint_url, args.region, args.functions, clients=clients)
        if args.encrypted:
            output["encrypted"] = create_encrypted(args.prefix, clients=clients)
    else:
        encrypted = delete_encrypted(args.prefix, clients=clients) if args.encrypted else None
        output = delete(args.prefix, args.endpoint_url, args.region, clients=clients)
        if encrypted is not None:
            output["encrypted"] = encrypted
    json.dump(output, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
