# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kinds of destination Lambda delivers asynchronous-invocation records to: one entry each, and the only place
that names their services.

An entry says everything the collection knows about a kind: its ARN's service and resource form, the halves it serves
(on_success, on_failure, the function's dead-letter target), whether a name can be FIFO, how it is called in messages,
how to read whether it exists (and what that read answers when it does not), which actions the execution role needs
to deliver to it, and how to read its resource policy. Validation, the preflight, the diagnosis of a refused write,
the audit and the docs' tables all ask here; an ARN no entry recognises is refused before any call.

Adding a kind is one entry here and its reader below (docs/aws-behaviour.md C11 says what AWS accepts).
"""

from __future__ import annotations

import re
from typing import Any
from typing import Callable
from typing import NamedTuple
from typing import Optional

ON_SUCCESS, ON_FAILURE = "on_success", "on_failure"
# The function's dead-letter queue or topic (its DeadLetterConfig): checked beside the two destinations by the audit,
# delivered to with the same role and the same permission.
DEAD_LETTER = "dead_letter"
HALVES = (ON_SUCCESS, ON_FAILURE)

# What a producer needs on the KMS key of an encrypted queue or topic (C19).
KMS_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")

# The DestinationArn pattern of the Lambda API model, less its kafka:// alternative (event source mappings only).
_ARN_RE = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z0-9-]*):(?P<service>[a-zA-Z0-9-]+):(?P<region>(?:eusc-)?[a-z]{2}(?:-[a-z]+)+-[0-9])?:"
    r"(?P<account>[0-9]{12})?:(?P<resource>.+)"
)


class Read(NamedTuple):
    """What an existence read answered: found or not, and what it returned beside (so nothing is read twice)."""

    found: bool
    policy: Optional[str] = None  # the resource policy ("" for none), when the read returns it
    key_id: Optional[str] = None  # the KMS key that encrypts it, as its service names it


class Kind(NamedTuple):
    """One kind of destination."""

    noun: str  # "SQS queue": what messages call it
    service: str  # the ARN's service, and the client that reads it
    form: str  # the ARN Lambda wants, for messages
    resource: re.Pattern[str]  # the ARN's resource part; group "name" is what the service's API takes
    halves: frozenset[str]
    regional: bool  # an ARN with region and account (an S3 bucket's has neither)
    fifo: bool  # a name ending in .fifo is FIFO, which Lambda accepts at write time and cannot deliver to (C11)
    encrypted: bool  # its existence read reports the KMS key it is encrypted with (C19)
    delivery_actions: tuple[tuple[str, str], ...]  # (action, resource template: {arn} is the destination's ARN)
    existence_permission: str  # what the caller needs for the existence read
    missing_codes: tuple[str, ...]  # the error codes that read answers when it does not exist
    read: Callable[[Any, "Destination"], Optional[Read]]  # the existence read (None: the service answered missing)
    policy_permission: str  # what the caller needs to read the resource policy
    read_policy: Optional[Callable[[Any, "Destination"], Optional[str]]]  # None: the existence read returns it
    # Whether its resource policy can hold an explicit Deny, which refuses what the role's own policies allow. A
    # Lambda function's cannot (AddPermission, the only way to write it, takes no Effect: every statement allows),
    # so for a role allowed in its own account the policy is not read: it could not change the verdict.
    policy_denies: bool = True

    @property
    def phrase(self) -> str:
        """ "an SQS queue", "a Lambda function": the noun with its article."""
        return f"an {self.noun}" if self.noun[0] in "AEIOS" else f"a {self.noun}"


class Destination(NamedTuple):
    """A destination ARN of a known kind, split: where it lives and the name its service's API takes."""

    arn: str
    kind: Kind
    partition: str
    region: Optional[str]  # None for S3: bucket ARNs carry neither region nor account
    account: Optional[str]
    name: str

    def where(self) -> str:
        """Where the checks looked, for messages."""
        if not self.kind.regional:
            return f"({self.kind.noun} names are global)"
        return f"in region {self.region}, account {self.account}"

    def permissions(self) -> tuple[tuple[str, str], ...]:
        """(action, resource ARN) pairs the function's execution role needs to deliver here."""
        return tuple((action, template.format(arn=self.arn)) for action, template in self.kind.delivery_actions)

    @property
    def is_fifo(self) -> bool:
        return self.kind.fifo and self.name.endswith(".fifo")


# ---------------------------------------------------------------------------------------------- readers (I/O)
# Each takes the client of its kind's service, in the destination's region, and makes one call.


def call(method: Callable[..., Any], missing: tuple[str, ...], **params: Any) -> Any:
    """calls.call, imported here rather than at the top: the pure core reads the registry too, and must import
    without botocore and without the connection (which imports the core)."""
    from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import call as call_

    return call_(method, missing=missing, **params)


def _read_queue(client: Any, destination: Destination) -> Optional[Read]:
    """GetQueueAttributes on the URL the ARN gives: existence, the key and the queue policy in one read."""
    response = call(
        client.get_queue_attributes,
        missing=SQS_QUEUE.missing_codes,
        QueueUrl=queue_url(destination),
        AttributeNames=["Policy", "KmsMasterKeyId"],
    )
    if response is None:
        return None
    attributes = response.get("Attributes", {})
    return Read(True, attributes.get("Policy") or "", attributes.get("KmsMasterKeyId") or None)


# An SQS queue URL of AWS's forms: sqs.REGION.amazonaws.com (.cn in China), the legacy REGION.queue.amazonaws.com,
# and the oldest queue.amazonaws.com (us-east-1). The URL is what CloudFormation's Ref and most tools output for a
# queue, so it is the most common slip where Lambda wants the ARN; it names the same queue, so it is taken as it.
_QUEUE_URL_RE = re.compile(
    r"https://(?:sqs\.(?P<region>[a-z0-9-]+)|(?P<legacy>[a-z0-9-]+)\.queue|queue)\.amazonaws\.com(?P<cn>\.cn)?"
    r"/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)/?"
)


def arn_from_queue_url(text: str) -> Optional[str]:
    """The ARN of the queue an SQS queue URL names (no call), or None when `text` is not one."""
    match = _QUEUE_URL_RE.fullmatch(text)
    if match is None:
        return None
    region = match["region"] or match["legacy"] or "us-east-1"
    if match["cn"]:
        partition = "aws-cn"
    elif region.startswith("us-gov-"):
        partition = "aws-us-gov"
    else:
        partition = "aws"
    return f"arn:{partition}:{SQS_QUEUE.service}:{region}:{match['account']}:{match['name']}"


def queue_url(destination: Destination) -> str:
    """The queue's URL from its ARN, in its partition's domain (amazonaws.com.cn in China, amazonaws.com elsewhere)."""
    domain = "amazonaws.com.cn" if destination.partition == "aws-cn" else "amazonaws.com"
    return f"https://{SQS_QUEUE.service}.{destination.region}.{domain}/{destination.account}/{destination.name}"


def _read_topic(client: Any, destination: Destination) -> Optional[Read]:
    response = call(client.get_topic_attributes, missing=SNS_TOPIC.missing_codes, TopicArn=destination.arn)
    if response is None:
        return None
    attributes = response.get("Attributes", {})
    return Read(True, attributes.get("Policy") or "", attributes.get("KmsMasterKeyId") or None)


def _read_function(client: Any, destination: Destination) -> Optional[Read]:
    response = call(client.get_function, missing=LAMBDA_FUNCTION.missing_codes, FunctionName=destination.arn)
    return None if response is None else Read(True)


def _read_function_policy(client: Any, destination: Destination) -> Optional[str]:
    response = call(client.get_policy, missing=LAMBDA_FUNCTION.missing_codes, FunctionName=destination.arn)
    return (response or {}).get("Policy") or ""


def _read_event_bus(client: Any, destination: Destination) -> Optional[Read]:
    response = call(client.describe_event_bus, missing=EVENT_BUS.missing_codes, Name=destination.arn)
    return None if response is None else Read(True, response.get("Policy") or "")


def _read_bucket(client: Any, destination: Destination) -> Optional[Read]:
    response = call(client.head_bucket, missing=S3_BUCKET.missing_codes, Bucket=destination.name)
    return None if response is None else Read(True)


def _read_bucket_policy(client: Any, destination: Destination) -> Optional[str]:
    response = call(client.get_bucket_policy, missing=("NoSuchBucketPolicy",), Bucket=destination.name)
    return (response or {}).get("Policy") or ""


# ---------------------------------------------------------------------------------------------- the registry

_ALL = frozenset({ON_SUCCESS, ON_FAILURE, DEAD_LETTER})
_DESTINATIONS = frozenset({ON_SUCCESS, ON_FAILURE})

SQS_QUEUE = Kind(
    noun="SQS queue",
    service="sqs",
    form="arn:PARTITION:sqs:REGION:ACCOUNT:QUEUE",
    resource=re.compile(r"(?P<name>[^:/]+)"),  # the kind is told by shape; AWS judges the name
    halves=_ALL,
    regional=True,
    fifo=True,
    encrypted=True,
    delivery_actions=(("sqs:SendMessage", "{arn}"),),
    existence_permission="sqs:GetQueueAttributes",  # existence, encryption and the queue policy in one read
    missing_codes=("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),  # JSON and query protocols
    read=_read_queue,
    policy_permission="sqs:GetQueueAttributes",
    read_policy=None,
)
SNS_TOPIC = Kind(
    noun="SNS topic",
    service="sns",
    form="arn:PARTITION:sns:REGION:ACCOUNT:TOPIC",
    resource=re.compile(r"(?P<name>[^:/]+)"),  # a subscription adds :ID
    halves=_ALL,
    regional=True,
    fifo=True,
    encrypted=True,
    delivery_actions=(("sns:Publish", "{arn}"),),
    existence_permission="sns:GetTopicAttributes",
    missing_codes=("NotFound",),
    read=_read_topic,
    policy_permission="sns:GetTopicAttributes",
    read_policy=None,
)
LAMBDA_FUNCTION = Kind(
    noun="Lambda function",
    service="lambda",
    form="arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]",
    resource=re.compile(r"function:(?P<name>[^:/]+(?::[^:/]+)?)"),
    halves=_DESTINATIONS,
    regional=True,
    fifo=False,
    encrypted=False,
    delivery_actions=(("lambda:InvokeFunction", "{arn}"),),
    existence_permission="lambda:GetFunction",
    missing_codes=("ResourceNotFoundException",),
    read=_read_function,
    policy_permission="lambda:GetPolicy",
    read_policy=_read_function_policy,
    policy_denies=False,
)
EVENT_BUS = Kind(
    noun="EventBridge event bus",
    service="events",
    form="arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME",
    resource=re.compile(r"event-bus/(?P<name>[^:]+)"),  # a partner bus's name has slashes
    halves=_DESTINATIONS,
    regional=True,
    fifo=False,
    encrypted=False,
    delivery_actions=(("events:PutEvents", "{arn}"),),
    existence_permission="events:DescribeEventBus",
    missing_codes=("ResourceNotFoundException",),
    read=_read_event_bus,
    policy_permission="events:DescribeEventBus",
    read_policy=None,
)
S3_BUCKET = Kind(
    noun="S3 bucket",
    service="s3",
    form="arn:PARTITION:s3:::BUCKET",
    resource=re.compile(r"(?P<name>[^:/]+)"),  # an object (BUCKET/KEY) is not a bucket
    halves=frozenset({ON_FAILURE}),
    regional=False,
    fifo=False,
    encrypted=False,
    # AWS documents both; what Lambda checks at write time for S3 is not recorded, so both are checked: PutObject
    # on the bucket's objects (the keys Lambda writes are not documented) and ListBucket on the bucket.
    delivery_actions=(("s3:PutObject", "{arn}/*"), ("s3:ListBucket", "{arn}")),
    existence_permission="s3:ListBucket",  # the permission HeadBucket needs
    missing_codes=("404", "NoSuchBucket", "NotFound"),  # HEAD has no body: the status is the code
    read=_read_bucket,
    policy_permission="s3:GetBucketPolicy",
    read_policy=_read_bucket_policy,
)

KINDS: tuple[Kind, ...] = (SQS_QUEUE, SNS_TOPIC, LAMBDA_FUNCTION, EVENT_BUS, S3_BUCKET)
_BY_SERVICE = {kind.service: kind for kind in KINDS}


def kinds_for(half: str) -> list[Kind]:
    return [kind for kind in KINDS if half in kind.halves]


def half_label(half: str) -> str:
    return "dead-letter target" if half == DEAD_LETTER else f"{half} destination"


def _either(kinds: list[Kind]) -> str:
    forms = [f"{kind.phrase} ({kind.form})" for kind in kinds]
    return ", ".join(forms[:-1]) + f" or {forms[-1]}" if len(forms) > 1 else "".join(forms)


# ---------------------------------------------------------------------------------------------- parsing (pure)


class NotADestination(ValueError):
    """An ARN no kind recognises, or one its half cannot take: the sentence says why and what Lambda wants."""


def parse_destination(arn: str) -> Destination:
    """The destination an ARN names, of a kind in the registry; NotADestination (saying what Lambda wants) when
    it names none: another service, or another resource of a known service (an EventBridge rule, a Lambda layer,
    an SNS subscription, an S3 object or access point)."""
    match = _ARN_RE.fullmatch(arn)
    if match is None and re.match(r"[a-z]+://", arn):
        raise NotADestination(
            "it is a URL, and Lambda wants an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE); of URLs, only an "
            "SQS queue URL of AWS's form (https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE) is taken, as its queue's ARN"
        )
    if match is None:
        raise NotADestination("it is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)")
    kind = _BY_SERVICE.get(match["service"])
    if kind is None:
        raise NotADestination(
            f"{match['service']!r} is not a service Lambda delivers records to; it delivers to "
            f"{_either(list(KINDS))}"
        )
    resource = kind.resource.fullmatch(match["resource"])
    # A queue, topic, function or bus names its region and account; a bucket neither (an access point has both).
    located = (bool(match["region"]), bool(match["account"])) == (kind.regional, kind.regional)
    if resource is None or not located:
        raise NotADestination(f"it is not {kind.phrase}: Lambda wants {kind.phrase} ARN, {kind.form}")
    return Destination(
        arn, kind, match["partition"], match["region"] or None, match["account"] or None, resource["name"]
    )


def destination_for(half: str, arn: str) -> Destination:
    """The destination `half` would deliver to; NotADestination when it names no kind or one the half cannot take
    (an S3 bucket on success; anything but a queue or topic as a dead-letter target)."""
    destination = parse_destination(arn)
    if half not in destination.kind.halves:
        raise NotADestination(
            f"{destination.kind.phrase} cannot be {_article(half_label(half))}; that takes "
            f"{_either(kinds_for(half))}"
        )
    return destination


def fifo_reason(destination: Destination) -> Optional[str]:
    """Why records sent to `destination` are lost although AWS accepts it at write time (C11), or None."""
    if destination.is_fifo:
        kind = destination.kind.noun.split()[-1]
        return (
            f"it is a FIFO {kind}: Lambda accepts it when the config is written but cannot deliver records to FIFO "
            f"queues or topics, so every record is dropped. Use a standard {kind}"
        )
    return None


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeio" else f"a {noun}"


def kinds_table() -> str:
    """The registry as docs/destinations.md shows it (a unit test holds the page to it): one row per kind."""
    lines = [
        "| kind | ARN Lambda wants | halves | the execution role needs | the caller reads it with |",
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        halves = ", ".join(half for half in (ON_SUCCESS, ON_FAILURE, DEAD_LETTER) if half in kind.halves)
        needs = ", ".join(f"`{action}`" for action, _resource in kind.delivery_actions)
        if kind.encrypted:
            needs += f"; on its KMS key, if encrypted: {', '.join(f'`{action}`' for action in KMS_ACTIONS)}"
        reads = f"`{kind.existence_permission}`" + ("" if kind.read_policy is None else f", `{kind.policy_permission}`")
        lines.append(f"| {kind.noun} | `{kind.form}` | {halves} | {needs} | {reads} |")
    return "\n".join(lines) + "\n"
