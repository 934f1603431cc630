# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event-Driven Ansible event source: changes of Lambda asynchronous invocation configs, read from an SQS queue.

An EventBridge rule sends the CloudTrail management events of Lambda (``detail-type: AWS API Call via CloudTrail``)
to a queue; this source long-polls the queue and puts one event on the rulebook's queue per successful
Put/Update/DeleteFunctionEventInvokeConfig call, normalised to::

    {event_name, function_name, qualifier, region, account, actor_arn, event_id, event_time}

The parsing is pure (``normalise``, ``parse_function_name``, ``source_settings``: plain values in, plain values out,
no asyncio, no botocore) so that it is unit tested form by form; ``main`` only moves messages. Self-contained on
purpose: ansible-rulebook loads this file by path, so it cannot import the collection's module_utils.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
short_description: Changes of AWS Lambda asynchronous invocation configs, from CloudTrail events in an SQS queue
description:
  - Long-polls an SQS queue that an EventBridge rule fills with Lambda's CloudTrail management events, as the
    EventBridge envelope (C(detail-type) V(AWS API Call via CloudTrail), C(source) V(aws.lambda)) or as a bare
    CloudTrail record.
  - Emits one event per successful C(PutFunctionEventInvokeConfig), C(UpdateFunctionEventInvokeConfig) or
    C(DeleteFunctionEventInvokeConfig) call (a version suffix on the name is accepted; a record with an C(errorCode)
    is dropped), with the keys C(event_name) (without suffix), C(function_name) (the bare name), C(qualifier)
    (V($LATEST) when the call named none), C(region), C(account), C(actor_arn) (C(userIdentity.arn)), C(event_id)
    and C(event_time).
  - Every message is deleted from the queue once it was handled, an event only after it was put on the rulebook's
    queue. A message that is not such an event is deleted without one; a malformed one is logged and deleted.
options:
  queue_name:
    description: The queue's name, in O(region). Give O(queue_name) or O(queue_url).
    type: str
  queue_url:
    description: The queue's URL. Give O(queue_name) or O(queue_url).
    type: str
  region:
    description:
      - The queue's region. If not set, E(AWS_REGION) or E(AWS_DEFAULT_REGION), then the profile's region.
    type: str
    aliases: [aws_region]
  endpoint_url:
    description:
      - Use this URL instead of AWS's SQS endpoint, for example a local emulator. If not set, E(AWS_URL), then
        botocore's own E(AWS_ENDPOINT_URL) and E(AWS_ENDPOINT_URL_SQS).
    type: str
    aliases: [aws_endpoint_url]
  access_key:
    description:
      - AWS access key ID. If not set, E(AWS_ACCESS_KEY_ID) or E(AWS_ACCESS_KEY), then botocore's own chain
        (shared credentials file, instance or container role). Cannot be combined with O(profile).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description: AWS secret access key. If not set, E(AWS_SECRET_ACCESS_KEY) or E(AWS_SECRET_KEY).
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description: AWS session token. If not set, E(AWS_SESSION_TOKEN), then E(AWS_SECURITY_TOKEN).
    type: str
    aliases: [aws_session_token]
  profile:
    description: A profile of the AWS shared configuration files. If not set, E(AWS_PROFILE) or E(AWS_DEFAULT_PROFILE).
    type: str
    aliases: [aws_profile]
  validate_certs:
    description: When V(false), the endpoint's TLS certificate is not verified.
    type: bool
    default: true
  aws_ca_bundle:
    description: A CA bundle to verify the endpoint's certificate with. If not set, E(AWS_CA_BUNDLE).
    type: path
  wait_time_seconds:
    description: How long one receive waits for a message (SQS long polling), V(1) to V(20) seconds.
    type: int
    default: 20
  max_messages:
    description: At most this many messages per receive, V(1) to V(10).
    type: int
    default: 10
"""

EXAMPLES = r"""
- name: Put asynchronous invocation configs back after an out-of-band change
  hosts: localhost
  sources:
    - cloudops.aws_lambda.aws_lambda_config_changes:
        queue_name: lambda-config-changes
        region: eu-west-1
  rules:
    - name: Show the change
      condition: event.event_name is defined
      action:
        debug:
          msg: "{{ event.actor_arn }} {{ event.event_name }} {{ event.function_name }}:{{ event.qualifier }}"
"""

import asyncio
import contextlib
import json
import logging
import os
import re
import threading
from typing import Any
from typing import Callable
from typing import Dict
from typing import Mapping
from typing import Optional
from typing import Tuple

LATEST = "$LATEST"
DETAIL_TYPE = "AWS API Call via CloudTrail"
EVENT_SOURCE = "lambda.amazonaws.com"
WRITE_OPERATIONS = (
    "PutFunctionEventInvokeConfig",
    "UpdateFunctionEventInvokeConfig",
    "DeleteFunctionEventInvokeConfig",
)
# CloudTrail names some Lambda calls with the API version they used (UpdateFunctionConfiguration20150331v2); these
# three are recorded without one today, but a suffix must not make a change invisible.
_EVENT_NAME_RE = re.compile(r"^(?P<name>(?:Put|Update|Delete)FunctionEventInvokeConfig)(?:\d{8}(?:v\d+)?)?$")
_NAME = r"[a-zA-Z0-9_-]{1,64}"
_QUALIFIER = r"\$LATEST|[a-zA-Z0-9_-]{1,128}"
_FUNCTION_NAME_FORMS = (
    re.compile(
        rf"arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{{12}}):function:"
        rf"(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?"
    ),
    re.compile(rf"(?P<account>\d{{12}}):function:(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?"),
    re.compile(rf"(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?"),
)
_QUALIFIER_RE = re.compile(_QUALIFIER)

logger = logging.getLogger(__name__)


class MalformedMessage(ValueError):
    """A message that claims to be, or cannot be told from, a config change, but cannot be read as one."""


# --------------------------------------------------------------------------------------------- pure functions


def parse_function_name(function_name: Any, qualifier: Any = None) -> Tuple[str, str, Optional[str], Optional[str]]:
    """(name, qualifier, region, account) from a FunctionName in any form Lambda takes (name, ``name:qualifier``,
    full ARN, partial ARN ``ACCOUNT:function:NAME[:QUALIFIER]``) and the separate Qualifier parameter. No qualifier
    is ``$LATEST``; region and account are None where the form does not carry them."""
    if not isinstance(function_name, str) or not function_name:
        raise MalformedMessage(f"FunctionName {function_name!r} is not a function name")
    if qualifier is not None and (not isinstance(qualifier, str) or not _QUALIFIER_RE.fullmatch(qualifier)):
        raise MalformedMessage(f"Qualifier {qualifier!r} is not a qualifier")
    for form in _FUNCTION_NAME_FORMS:
        match = form.fullmatch(function_name)
        if match is not None:
            parts = match.groupdict()
            embedded = parts.get("qualifier")
            if embedded and qualifier and embedded != qualifier:
                raise MalformedMessage(f"FunctionName {function_name!r} and Qualifier {qualifier!r} disagree")
            return parts["name"], embedded or qualifier or LATEST, parts.get("region"), parts.get("account")
    raise MalformedMessage(f"FunctionName {function_name!r} is not a function name, partial ARN or ARN")


def cloudtrail_record(body: Any) -> Tuple[Optional[Dict[str, Any]], Dict[str, Any]]:
    """(the CloudTrail record, the EventBridge envelope or {}) of a message body (a JSON string or an object).

    Returns (None, envelope) for an EventBridge event that is not a Lambda API call recorded by CloudTrail (nothing
    to do); raises MalformedMessage for a body that is neither shape."""
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise MalformedMessage(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise MalformedMessage("the body is not a JSON object")
    if "detail-type" in body or "detail" in body:
        if body.get("detail-type") != DETAIL_TYPE or body.get("source") != "aws.lambda":
            return None, body
        detail = body.get("detail")
        if not isinstance(detail, dict):
            raise MalformedMessage("the EventBridge envelope's detail is not an object")
        return detail, body
    if "eventName" in body and "eventSource" in body:
        return body, {}
    raise MalformedMessage("the body is neither an EventBridge event nor a CloudTrail record")


def normalise(body: Any) -> Optional[Dict[str, Any]]:
    """The event for a successful Put/Update/Delete of an event invoke config, or None for any other message that
    is well formed (another call, another service, a failed call). MalformedMessage for the rest."""
    record, envelope = cloudtrail_record(body)
    if record is None or record.get("eventSource") != EVENT_SOURCE:
        return None
    event_name = record.get("eventName")
    match = _EVENT_NAME_RE.fullmatch(event_name) if isinstance(event_name, str) else None
    if match is None or record.get("errorCode"):
        return None
    parameters = record.get("requestParameters")
    if not isinstance(parameters, dict):
        raise MalformedMessage(f"{event_name} has no requestParameters object")
    # CloudTrail writes Lambda's request parameters in camelCase; take the API's own spelling too.
    function_name = _first(parameters, "functionName", "FunctionName")
    qualifier = _first(parameters, "qualifier", "Qualifier") or None
    name, qualifier, arn_region, arn_account = parse_function_name(function_name, qualifier)
    identity = record.get("userIdentity") if isinstance(record.get("userIdentity"), dict) else {}
    region = arn_region or record.get("awsRegion") or envelope.get("region")
    account = arn_account or record.get("recipientAccountId") or identity.get("accountId") or envelope.get("account")
    if not isinstance(region, str) or not region:
        raise MalformedMessage(f"{event_name} of {function_name} names no region")
    return {
        "event_name": match.group("name"),
        "function_name": name,
        "qualifier": qualifier,
        "region": region,
        "account": account if isinstance(account, str) and account else None,
        "actor_arn": identity.get("arn") or None,
        "event_id": record.get("eventID") or envelope.get("id"),
        "event_time": record.get("eventTime") or envelope.get("time"),
    }


def _first(mapping: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if mapping.get(key) is not None:
            return mapping[key]
    return None


_ENVIRONMENT = {
    "access_key": ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"),
    "secret_key": ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
    "session_token": ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"),
    "profile": ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "endpoint_url": ("AWS_URL",),
    "aws_ca_bundle": ("AWS_CA_BUNDLE",),
}
_ALIASES = {
    "aws_region": "region",
    "aws_endpoint_url": "endpoint_url",
    "aws_access_key_id": "access_key",
    "aws_access_key": "access_key",
    "aws_secret_access_key": "secret_key",
    "aws_secret_key": "secret_key",
    "aws_session_token": "session_token",
    "aws_profile": "profile",
}
_OPTIONS = ("queue_name", "queue_url", "validate_certs", "wait_time_seconds", "max_messages", *_ENVIRONMENT)


def source_settings(args: Mapping[str, Any], environ: Mapping[str, str]) -> Dict[str, Any]:
    """The source's arguments checked and completed from the environment as the modules do (amazon.aws's names,
    aliases and variables); ValueError names the first wrong one. No I/O."""
    settings: Dict[str, Any] = {}
    for key, value in args.items():
        option = _ALIASES.get(key, key)
        if option not in _OPTIONS:
            raise ValueError(f"unknown argument {key!r}; known: {', '.join(sorted(_OPTIONS))}")
        if option in settings:
            raise ValueError(f"{key!r} is given twice (an alias of {option!r})")
        settings[option] = value
    for option, variables in _ENVIRONMENT.items():
        if not settings.get(option):
            settings[option] = next((environ[v] for v in variables if environ.get(v)), None)
    if bool(settings.get("queue_name")) == bool(settings.get("queue_url")):
        raise ValueError("give queue_name or queue_url (one of them)")
    if settings.get("profile") and any(settings.get(k) for k in ("access_key", "secret_key", "session_token")):
        raise ValueError("profile cannot be combined with access_key, secret_key or session_token")
    if bool(settings.get("access_key")) != bool(settings.get("secret_key")):
        raise ValueError("access_key and secret_key must be given together")
    for option, default, low, high in (("wait_time_seconds", 20, 1, 20), ("max_messages", 10, 1, 10)):
        value = settings.get(option, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{option} must be an integer from {low} to {high}, not {value!r}")
        settings[option] = value
    validate = settings.get("validate_certs", True)
    if not isinstance(validate, bool):
        raise ValueError(f"validate_certs must be true or false, not {validate!r}")
    settings["validate_certs"] = validate
    return settings


# ------------------------------------------------------------------------------------------------------ I/O


def sqs_client(settings: Mapping[str, Any]) -> Any:
    """A botocore SQS client for the settings (botocore's standard retry mode for throttling and 5xx)."""
    import botocore.session
    from botocore.config import Config

    session = botocore.session.Session(profile=settings.get("profile"))
    verify: Any = settings.get("aws_ca_bundle") or True
    if not settings["validate_certs"]:
        verify = False
    return session.create_client(
        "sqs",
        region_name=settings.get("region"),
        endpoint_url=settings.get("endpoint_url"),
        aws_access_key_id=settings.get("access_key"),
        aws_secret_access_key=settings.get("secret_key"),
        aws_session_token=settings.get("session_token"),
        verify=verify,
        # a long poll holds the connection for wait_time_seconds: read for longer than that
        config=Config(
            retries={"mode": "standard", "max_attempts": 5},
            read_timeout=settings["wait_time_seconds"] + 10,
            user_agent_extra="cloudops.aws_lambda-eda",
        ),
    )


async def _in_thread(function: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a blocking call in a daemon thread: a long poll cannot hold up the rulebook's shutdown (the default
    executor's threads would be joined at exit)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result: Any, error: Optional[BaseException]) -> None:
        if not future.done():
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def work() -> None:
        try:
            result, error = function(**kwargs), None
        except Exception as exc:  # handed to the awaiting coroutine, which decides
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="sqs-receive", daemon=True).start()
    return await future


async def consume(queue: Any, client: Any, queue_url: str, settings: Mapping[str, Any], polls: int = -1) -> None:
    """Receive, normalise, put on the rulebook's queue, then delete: forever, or ``polls`` receives (tests)."""
    failures = 0
    while polls != 0:
        polls -= 1
        try:
            response = await _in_thread(
                client.receive_message,
                QueueUrl=queue_url,
                WaitTimeSeconds=settings["wait_time_seconds"],
                MaxNumberOfMessages=settings["max_messages"],
            )
            failures = 0
        except Exception as exc:  # the queue is unreachable for now: say so, back off, keep going
            failures += 1
            delay = min(60, 2**failures)
            logger.error("receiving from %s failed (%s); trying again in %d s", queue_url, exc, delay)
            await asyncio.sleep(delay)
            continue
        for message in response.get("Messages", []):
            await _handle(queue, client, queue_url, message)


async def _handle(queue: Any, client: Any, queue_url: str, message: Mapping[str, Any]) -> None:
    try:
        event = normalise(message.get("Body"))
    except MalformedMessage as exc:
        logger.warning("deleting message %s, not a config change: %s", message.get("MessageId"), exc)
        event = None
    if event is not None:
        await queue.put(event)  # before the delete: a crash in between redelivers, never loses
    try:
        await _in_thread(client.delete_message, QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    except Exception as exc:  # it comes back after its visibility timeout: a duplicate, which a repair absorbs
        logger.error("deleting message %s failed: %s", message.get("MessageId"), exc)


async def main(queue: asyncio.Queue, args: Dict[str, Any]) -> None:
    """The entry point ansible-rulebook calls."""
    settings = source_settings(args, os.environ)
    client = sqs_client(settings)
    queue_url = settings.get("queue_url")
    if not queue_url:
        response = await _in_thread(client.get_queue_url, QueueName=settings["queue_name"])
        queue_url = response["QueueUrl"]
    logger.info("reading Lambda config changes from %s", queue_url)
    await consume(queue, client, queue_url, settings)


if __name__ == "__main__":  # ad hoc: print the events of the queue named in the environment, AWS_* as usual

    class _PrintQueue:
        async def put(self, event: Dict[str, Any]) -> None:
            print(json.dumps(event), flush=True)

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), {"queue_name": os.environ["CONFIG_CHANGES_QUEUE"]}))
