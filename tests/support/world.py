"""Create and delete test fixtures for Lambda event-invoke-config tests, against the emulator or real AWS.

Standalone: needs only boto3 and imports nothing else from this repository, so playbooks and CI can copy or run
it directly::

    python fixtures.py create --prefix P [--endpoint-url U] [--region R] [--functions N]
    python fixtures.py delete --prefix P [--endpoint-url U] [--region R]

``create`` makes, all named from the prefix: an IAM role Lambda can assume (with an inline policy allowing
delivery to the destinations below), N Lambda functions (python3.12, handler returns the event) each with
published version 1 and alias ``live``, an SQS queue, an SNS topic, an EventBridge bus and an S3 bucket. It is
idempotent and prints the names and ARNs as JSON. ``delete`` removes everything the prefix names (functions are
found by listing, so N is not needed) and ignores what is already gone.

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
        self.iam = self._make("iam")
        self.awslambda = self._make("lambda")
        self.sqs = self._make("sqs")
        self.sns = self._make("sns")
        self.events = self._make("events")
        self.s3 = self._make("s3")


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


def create_function(clients: Clients, name: str, role_arn: str) -> dict[str, str]:
    """A function with published version 1 and alias ``live``; an existing one is reused."""
    client = clients.awslambda
    try:
        arn = _create_when_role_ready(client, name, role_arn)
    except ClientError as error:
        if _code(error) != "ResourceConflictException":
            raise
        arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
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


def _create_when_role_ready(client: Any, name: str, role_arn: str) -> str:
    """CreateFunction, retried while real IAM has not yet propagated the new role to Lambda."""
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
            )["FunctionArn"]
        except ClientError as error:
            propagating = _code(error) == "InvalidParameterValueException" and "cannot be assumed" in str(error)
            if not propagating or time.monotonic() > deadline:
                raise
            time.sleep(3)


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
    args = parser.parse_args(argv)
    if args.command == "create":
        output = create(args.prefix, args.endpoint_url, args.region, args.functions)
    else:
        output = delete(args.prefix, args.endpoint_url, args.region)
    json.dump(output, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
