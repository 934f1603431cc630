"""CloudTrail management events of event invoke config writes, sent to an SQS queue as an EventBridge rule would.

Off by default. With a queue named (server flag ``--cloudtrail-queue NAME``, ``POST /_emulator/cloudtrail
{"queue": NAME}``, in process ``emulator.app.cloudtrail.update({"queue": NAME})``), every **successful**
Put/Update/DeleteFunctionEventInvokeConfig the emulator answers sends one message to the queue of that name in the
caller's account and the call's region (moto's SQS): the EventBridge event of the CloudTrail record, as a rule with the
queue as its target delivers it (``detail-type: "AWS API Call via CloudTrail"``, ``source: aws.lambda``), at once
(AWS: best effort, typically under 90 s). A failed call sends nothing, although CloudTrail records it with an
``errorCode``; no queue of that name: nothing is sent, and ``missed`` counts it. ``POST /_emulator/reset`` turns it
off, as it does faults.

Emulator choices (docs/aws-behaviour.md, C27, has the labels):

- ``detail.userIdentity.arn`` is who STS GetCallerIdentity says the request's access key is, as moto answers it: the IAM
  user that owns the key (``arn:aws:iam::ACCOUNT:user/NAME``), the session of an assumed role
  (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``), else moto's default ``arn:aws:sts::ACCOUNT:user/moto``. So two
  clients with keys of two IAM users made in the emulator act as two identities.
- ``eventName`` carries no version suffix (as AWS names Put and Update today); ``requestParameters`` are the API's
  request in camelCase: ``functionName`` exactly as sent (name, ``NAME:QUALIFIER``, ARN or partial ARN),
  ``qualifier`` when the query had one, then the body's members; ``responseElements`` is the answer in camelCase
  (``null`` for Delete).

moto's SQS and STS backends are read here rather than in moto_view.py, which this module leaves alone.
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
import traceback
import uuid
from typing import Any

from .routes import RequestInfo
from .wire import Response

WRITES = frozenset(
    {"PutFunctionEventInvokeConfig", "UpdateFunctionEventInvokeConfig", "DeleteFunctionEventInvokeConfig"}
)
DETAIL_TYPE = "AWS API Call via CloudTrail"


def camel(value: Any) -> Any:
    """The API's PascalCase members in CloudTrail's camelCase, all the way down."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel(item) for item in value]
    return value


def request_parameters(function_name: str, qualifier: str | None, body: bytes) -> dict[str, Any]:
    """What CloudTrail records of the request: the path's FunctionName as sent, the Qualifier, the body."""
    parameters: dict[str, Any] = {"functionName": function_name}
    if qualifier is not None:
        parameters["qualifier"] = qualifier
    try:
        payload = json.loads(body) if body else {}
    except ValueError:
        payload = {}
    if isinstance(payload, dict):
        parameters.update(camel(payload))
    return parameters


def user_identity(arn: str, principal_id: str, account: str, access_key: str | None) -> dict[str, Any]:
    kind = "AssumedRole" if ":assumed-role/" in arn else "IAMUser"
    identity: dict[str, Any] = {"type": kind, "principalId": principal_id, "arn": arn, "accountId": account}
    if access_key:
        identity["accessKeyId"] = access_key
    if kind == "IAMUser":
        identity["userName"] = arn.rsplit("/", 1)[-1]
    return identity


def envelope(
    operation: str,
    parameters: dict[str, Any],
    response_elements: Any,
    identity: dict[str, Any],
    account: str,
    region: str,
    when: datetime.datetime,
    source_ip: str = "127.0.0.1",
    user_agent: str = "",
) -> dict[str, Any]:
    """The EventBridge event of one CloudTrail management event of Lambda. Pure (ids aside)."""
    stamp = when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    detail = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": stamp,
        "eventSource": "lambda.amazonaws.com",
        "eventName": operation,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
        "requestParameters": parameters,
        "responseElements": response_elements,
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": "aws.lambda",
        "account": account,
        "time": stamp,
        "region": region,
        "resources": [],
        "detail": detail,
    }


def caller_identity(access_key: str | None, account: str, region: str) -> tuple[str, str]:
    """(principal id, ARN) as moto's STS GetCallerIdentity answers for this access key."""
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    user_id, arn, _account = sts_backends[account][get_partition(region)].get_caller_identity(access_key or "", region)
    return str(user_id), str(arn)


def send(account: str, region: str, queue: str, body: str) -> bool:
    """Put the message on moto's queue; False when there is no such queue."""
    from moto.sqs.exceptions import QueueDoesNotExist
    from moto.sqs.models import sqs_backends

    try:
        sqs_backends[account][region].send_message(queue, body)
    except (QueueDoesNotExist, KeyError):
        return False
    return True


class CloudTrailEvents:
    """The setting (which queue, or None) and what was sent; thread-safe."""

    def __init__(self, queue: str | None = None) -> None:
        self._lock = threading.Lock()
        self.queue = _queue_name(queue)
        self.sent = 0
        self.missed = 0

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        unknown = set(changes) - {"queue"}
        if unknown:
            raise ValueError(f"unknown cloudtrail setting {sorted(unknown)[0]!r}; known: queue")
        with self._lock:
            if "queue" in changes:
                self.queue = _queue_name(changes["queue"])
            return self._snapshot()

    def reset(self) -> None:
        with self._lock:
            self.queue, self.sent, self.missed = None, 0, 0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self._snapshot()

    def _snapshot(self) -> dict[str, Any]:
        return {"queue": self.queue, "sent": self.sent, "missed": self.missed}

    def record(self, info: RequestInfo, response: Response, account: str, environ: dict[str, Any]) -> None:
        """Send the event of an event invoke config call the emulator answered, if it was a successful write."""
        queue = self.queue
        if queue is None or info.operation not in WRITES or not 200 <= response[0] < 300:
            return
        try:
            delivered = self._send(queue, info, response, account, environ)
        except Exception:  # a bug here must not turn the write the client made into a 500: say it on stderr
            traceback.print_exc(file=sys.stderr)
            delivered = False
        with self._lock:
            if delivered:
                self.sent += 1
            else:
                self.missed += 1

    def _send(self, queue: str, info: RequestInfo, response: Response, account: str, environ: dict[str, Any]) -> bool:
        principal_id, arn = caller_identity(info.access_key, account, info.region)
        answer = json.loads(response[2]) if response[2] else None
        event = envelope(
            info.operation,
            request_parameters(info.path_params["FunctionName"], info.query_value("Qualifier"), info.body),
            camel(answer),
            user_identity(arn, principal_id, account, info.access_key),
            account,
            info.region,
            datetime.datetime.now(datetime.timezone.utc),
            source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
            user_agent=str(environ.get("HTTP_USER_AGENT") or ""),
        )
        return send(account, info.region, queue, json.dumps(event))


def _queue_name(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 80:
        raise ValueError("queue must be an SQS queue name (1 to 80 characters) or null")
    return value
