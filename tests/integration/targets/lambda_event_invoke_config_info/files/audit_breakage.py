"""Break destinations the way they break in real life, for the audit tasks (emulator or real AWS, boto3 only).

    audit_breakage.py make --prefix P --role ROLE_NAME --dead-letter-function D [--endpoint-url U] [--region R]
    audit_breakage.py break --prefix P --role ROLE_NAME --function F [--endpoint-url U] [--region R]
    audit_breakage.py clean --prefix P --role ROLE_NAME [--endpoint-url U] [--region R]

make   standard queues P-audit-gone, P-audit-revoked, P-audit-sealed and P-audit-dlq, a FIFO queue P-audit-x.fifo,
       a second inline policy "audit" on the role allowing sqs:SendMessage on all of them (so
       lambda_event_invoke_config can set them as destinations), P-audit-dlq as the dead-letter queue of D, and a KMS
       key (alias/P-audit-locked) whose policy lets the account administer it but not use it. Prints the ARNs.
break  what other people and tools do later: P-audit-gone and P-audit-dlq are deleted; the role loses the statement
       for P-audit-revoked; P-audit-sealed is encrypted with the locked key; and F's $LATEST config gets the FIFO
       queue as on-success destination, written directly with PutFunctionEventInvokeConfig (Lambda accepts it; this
       collection refuses to).
clean  deletes the queues and the role's "audit" policy, and schedules the key's deletion (7 days, the least KMS
       allows); what is already gone is not an error.
"""

from __future__ import annotations

import argparse
import json
import sys

import boto3
from botocore.exceptions import ClientError

POLICY = "audit"
GONE = "audit-gone"
REVOKED = "audit-revoked"
SEALED = "audit-sealed"
DEAD_LETTER = "audit-dlq"
FIFO = "audit-x.fifo"
QUEUES = (GONE, REVOKED, SEALED, DEAD_LETTER, FIFO)


def clients(args: argparse.Namespace) -> dict:
    session = boto3.session.Session(region_name=args.region)
    return {
        name: session.client(name, endpoint_url=args.endpoint_url) for name in ("iam", "sqs", "lambda", "kms", "sts")
    }


def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def allow(iam, role: str, arns: list[str]) -> None:
    statements = [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn} for arn in arns]
    document = {"Version": "2012-10-17", "Statement": statements}
    iam.put_role_policy(RoleName=role, PolicyName=POLICY, PolicyDocument=json.dumps(document))


def key_alias(args: argparse.Namespace) -> str:
    return f"alias/{args.prefix}-audit-locked"


def locked_key_policy(account: str) -> dict:
    """The account may administer the key (so its creator is not locked out) but nobody may use it."""
    actions = ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*"]
    actions += ["kms:Disable*", "kms:Get*", "kms:Delete*", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]
    principal = {"AWS": f"arn:aws:iam::{account}:root"}
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": actions}]}


def make(args: argparse.Namespace) -> dict:
    aws = clients(args)
    made = {}
    for name in QUEUES:
        attributes = {"FifoQueue": "true"} if name == FIFO else {}
        url = aws["sqs"].create_queue(QueueName=f"{args.prefix}-{name}", Attributes=attributes)["QueueUrl"]
        made[name] = queue_arn(aws["sqs"], url)
    allow(aws["iam"], args.role, list(made.values()))
    aws["lambda"].update_function_configuration(
        FunctionName=args.dead_letter_function, DeadLetterConfig={"TargetArn": made[DEAD_LETTER]}
    )
    aws["lambda"].get_waiter("function_updated_v2").wait(FunctionName=args.dead_letter_function)
    account = aws["sts"].get_caller_identity()["Account"]
    key = aws["kms"].create_key(Policy=json.dumps(locked_key_policy(account)), Description="audit test: not usable")
    aws["kms"].create_alias(AliasName=key_alias(args), TargetKeyId=key["KeyMetadata"]["KeyId"])
    return {
        "gone": made[GONE],
        "revoked": made[REVOKED],
        "sealed": made[SEALED],
        "dead_letter": made[DEAD_LETTER],
        "fifo": made[FIFO],
        "key": key["KeyMetadata"]["Arn"],
    }


def url_of(aws: dict, args: argparse.Namespace, name: str) -> str:
    return aws["sqs"].get_queue_url(QueueName=f"{args.prefix}-{name}")["QueueUrl"]


def break_them(args: argparse.Namespace) -> dict:
    aws = clients(args)
    fifo = queue_arn(aws["sqs"], url_of(aws, args, FIFO))
    sealed = queue_arn(aws["sqs"], url_of(aws, args, SEALED))
    aws["lambda"].put_function_event_invoke_config(
        FunctionName=args.function, Qualifier="$LATEST", DestinationConfig={"OnSuccess": {"Destination": fifo}}
    )
    key = aws["kms"].describe_key(KeyId=key_alias(args))["KeyMetadata"]["Arn"]
    aws["sqs"].set_queue_attributes(QueueUrl=url_of(aws, args, SEALED), Attributes={"KmsMasterKeyId": key})
    for name in (GONE, DEAD_LETTER):
        aws["sqs"].delete_queue(QueueUrl=url_of(aws, args, name))
    allow(aws["iam"], args.role, [fifo, sealed])  # the statement for the revoked queue is gone
    return {"deleted": [GONE, DEAD_LETTER], "revoked": REVOKED, "encrypted": SEALED, "fifo": fifo}


def clean(args: argparse.Namespace) -> dict:
    aws = clients(args)
    cleaned = {}
    for name in QUEUES:
        try:
            aws["sqs"].delete_queue(QueueUrl=url_of(aws, args, name))
            cleaned[name] = True
        except ClientError:
            cleaned[name] = False
    try:
        key = aws["kms"].describe_key(KeyId=key_alias(args))["KeyMetadata"]["KeyId"]
        aws["kms"].delete_alias(AliasName=key_alias(args))
        aws["kms"].schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        cleaned["key"] = True
    except ClientError:
        cleaned["key"] = False
    try:
        aws["iam"].delete_role_policy(RoleName=args.role, PolicyName=POLICY)
        cleaned[POLICY] = True
    except ClientError:
        cleaned[POLICY] = False
    return cleaned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("command", choices=["make", "break", "clean"])
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--role", required=True, help="the fixture role's name")
    parser.add_argument("--function", help="the function whose $LATEST config gets the FIFO queue (break)")
    parser.add_argument("--dead-letter-function", help="the function whose dead-letter queue is P-audit-dlq (make)")
    parser.add_argument("--endpoint-url")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    commands = {"make": make, "break": break_them, "clean": clean}
    json.dump(commands[args.command](args), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
