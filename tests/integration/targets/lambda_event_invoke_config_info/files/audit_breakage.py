"""Break destinations the way they break in real life, for the audit tasks (emulator or real AWS, boto3 only).

    audit_breakage.py make --prefix P --role ROLE_NAME [--endpoint-url U] [--region R]
    audit_breakage.py break --prefix P --role ROLE_NAME --function F [--endpoint-url U] [--region R]
    audit_breakage.py clean --prefix P --role ROLE_NAME [--endpoint-url U] [--region R]

make   two standard queues, P-audit-gone and P-audit-revoked, and a second inline policy "audit" on the role
       allowing sqs:SendMessage on both, so lambda_event_invoke_config can set them as destinations; and a FIFO queue
       P-audit-x.fifo. Prints their ARNs as JSON.
break  what other people and tools do later: P-audit-gone is deleted; the role loses the statement for
       P-audit-revoked; and F's $LATEST config gets the FIFO queue as on-success destination, written directly
       with PutFunctionEventInvokeConfig (Lambda accepts it; this collection refuses to).
clean  deletes the queues and the role's "audit" policy; what is already gone is not an error.
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
FIFO = "audit-x.fifo"


def clients(args: argparse.Namespace) -> dict:
    session = boto3.session.Session(region_name=args.region)
    return {name: session.client(name, endpoint_url=args.endpoint_url) for name in ("iam", "sqs", "lambda")}


def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def allow(iam, role: str, arns: list[str]) -> None:
    statements = [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn} for arn in arns]
    document = {"Version": "2012-10-17", "Statement": statements}
    iam.put_role_policy(RoleName=role, PolicyName=POLICY, PolicyDocument=json.dumps(document))


def make(args: argparse.Namespace) -> dict:
    aws = clients(args)
    made = {}
    for key, name, attributes in (
        ("gone", GONE, {}),
        ("revoked", REVOKED, {}),
        ("fifo", FIFO, {"FifoQueue": "true"}),
    ):
        url = aws["sqs"].create_queue(QueueName=f"{args.prefix}-{name}", Attributes=attributes)["QueueUrl"]
        made[key] = queue_arn(aws["sqs"], url)
    allow(aws["iam"], args.role, [made["gone"], made["revoked"], made["fifo"]])
    return made


def break_them(args: argparse.Namespace) -> dict:
    aws = clients(args)
    fifo = queue_arn(aws["sqs"], aws["sqs"].get_queue_url(QueueName=f"{args.prefix}-{FIFO}")["QueueUrl"])
    aws["lambda"].put_function_event_invoke_config(
        FunctionName=args.function, Qualifier="$LATEST", DestinationConfig={"OnSuccess": {"Destination": fifo}}
    )
    gone = aws["sqs"].get_queue_url(QueueName=f"{args.prefix}-{GONE}")["QueueUrl"]
    aws["sqs"].delete_queue(QueueUrl=gone)
    allow(aws["iam"], args.role, [fifo])  # the statement for the revoked queue is gone
    return {"deleted": f"{args.prefix}-{GONE}", "revoked": f"{args.prefix}-{REVOKED}", "fifo": fifo}


def clean(args: argparse.Namespace) -> dict:
    aws = clients(args)
    cleaned = {}
    for name in (GONE, REVOKED, FIFO):
        try:
            url = aws["sqs"].get_queue_url(QueueName=f"{args.prefix}-{name}")["QueueUrl"]
            aws["sqs"].delete_queue(QueueUrl=url)
            cleaned[name] = True
        except ClientError:
            cleaned[name] = False
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
    parser.add_argument("--endpoint-url")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    commands = {"make": make, "break": break_them, "clean": clean}
    json.dump(commands[args.command](args), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
