"""SQS beyond moto: the two server-side encryption modes exclude each other (reference C19).

A queue is encrypted either with a KMS key (``KmsMasterKeyId``, SSE-KMS) or with SQS's own keys
(``SqsManagedSseEnabled``, SSE-SQS, on by default for new queues), never both:

- CreateQueue or SetQueueAttributes that sets a ``KmsMasterKeyId`` and ``SqsManagedSseEnabled=true`` together is
  refused: 400 ``InvalidAttributeValue``, message containing ``You can use one type of server-side encryption (SSE)
  at one time.`` (RECORDED, a user's CLI run quoted in ansible-collections/community.aws issue #2433; the rest of
  the message is not recorded, the emulator sends that sentence alone).
- Setting a ``KmsMasterKeyId`` turns SSE-SQS off: GetQueueAttributes then answers ``SqsManagedSseEnabled: "false"``;
  removing the key (``KmsMasterKeyId: ""``) turns it back on (RECORDED: LocalStack's AWS-validated SQS snapshot,
  as LocalStack pull request #13780 describes it). moto kept ``"true"`` beside the key.
- SetQueueAttributes with ``SqsManagedSseEnabled=true`` on a queue that has a key, without removing the key: what
  AWS does is not recorded; the emulator refuses it the same way (a client must remove the key to switch).
"""

from __future__ import annotations

from typing import Any

from . import moto_view
from .routes import RequestInfo
from .routes import json_params
from .service_wire import sqs_error
from .wire import Response

WRITES = frozenset({"CreateQueue", "SetQueueAttributes"})
ONE_SSE_MESSAGE = "You can use one type of server-side encryption (SSE) at one time."


def queue_arn(info: RequestInfo, account: str) -> str | None:
    """The ARN of the queue a request names (QueueUrl, or CreateQueue's QueueName), in the request's region."""
    params = json_params(info)
    url, name = params.get("QueueUrl"), params.get("QueueName")
    if isinstance(url, str):  # a queue URL ends in /ACCOUNT/NAME
        parts = url.rstrip("/").split("/")
        if len(parts) < 2:
            return None
        account, name = parts[-2], parts[-1]
    if not isinstance(name, str):
        return None
    return f"arn:{moto_view.partition_of(info.region)}:sqs:{info.region}:{account}:{name}"


def refusal(info: RequestInfo, account: str) -> Response | None:
    """The error a CreateQueue/SetQueueAttributes gets for asking for both kinds of SSE, or None."""
    attributes = _attributes(json_params(info))
    key, sse = attributes.get("KmsMasterKeyId"), attributes.get("SqsManagedSseEnabled")
    if str(sse).lower() != "true" or key == "":
        return None
    if key is None and info.operation == "SetQueueAttributes":
        arn = queue_arn(info, account)
        current = moto_view.queue_encryption(arn) if arn else None
        key = current[0] if current else None
    if not key:
        return None
    return sqs_error(400, "InvalidAttributeValue", ONE_SSE_MESSAGE, "com.amazonaws.sqs#InvalidAttributeValue")


def after_write(info: RequestInfo, account: str) -> None:
    """After a successful CreateQueue/SetQueueAttributes: a key turns SSE-SQS off, removing it turns it back on."""
    attributes = _attributes(json_params(info))
    if "KmsMasterKeyId" not in attributes:
        return
    arn = queue_arn(info, account)
    if arn is None:
        return
    if attributes["KmsMasterKeyId"]:
        moto_view.set_queue_sqs_managed_sse(arn, False)
    elif "SqsManagedSseEnabled" not in attributes:
        moto_view.set_queue_sqs_managed_sse(arn, True)


def _attributes(params: dict[str, Any]) -> dict[str, Any]:
    attributes = params.get("Attributes")
    return attributes if isinstance(attributes, dict) else {}
