"""moto's answers to Lambda calls, corrected where moto 5.2.5 differs from AWS (every other Lambda call passes
through unchanged).

- ``GetPolicy`` and ``AddPermission``: each statement's ``Principal`` in AWS's shape (``moto_view.aws_principal``).
  AddPermission takes the principal as one string and AWS writes ``{"AWS": "arn:aws:iam::ACCOUNT:root"}`` for an
  account id, ``{"AWS": ARN}`` for an IAM ARN and ``{"Service": NAME}`` for a service; moto keeps account ids and
  ARNs as bare strings, so a reader of ``Principal.AWS`` (as resource-policy evaluators are) found nothing.
- ``DeadLetterConfig`` (reference C19), which moto ignores. CreateFunction and UpdateFunctionConfiguration keep its
  ``TargetArn`` (``""`` removes it), and every answer that carries a function's configuration (CreateFunction,
  UpdateFunctionConfiguration, GetFunction, GetFunctionConfiguration, PublishVersion, ListVersionsByFunction,
  ListFunctions) shows it as ``DeadLetterConfig: {"TargetArn": ARN}``, left out when there is none (emulator
  choice: whether AWS sends an empty object then is not recorded). A published version keeps the target $LATEST
  had. Before the write reaches moto, Lambda's own check: the execution role (the request's ``Role``, else the
  function's) must be allowed ``sqs:SendMessage`` on a queue or ``sns:Publish`` on a topic, or the call fails with
  400 InvalidParameterValueException ``The provided execution role does not have permissions to call SendMessage on
  SQS`` (``Publish on SNS``) (RECORDED: aws-samples/aws-serverless-ecommerce-platform issue #41, elastic/beats issue
  #13963, serverless issue #4770). The role's identity policies and the target's resource policy decide, as for
  destinations (``destination_access``). The target's KMS key is not checked: a dead-letter queue on an encrypted
  queue is accepted and loses the records at delivery (aws-cdk issue #33153, C19). A target that is not an SQS or
  SNS ARN is refused with InvalidParameterValueException (the emulator's text; AWS's is not recorded).
- ``Concurrency`` in GetFunction (C20): moto leaves it out when the reserved concurrency is 0 (it tests the value
  for truth) and when a qualifier is given. AWS returns ``{"ReservedConcurrentExecutions": N}`` whenever reserved
  concurrency is set, 0 included (DOCUMENTED); here it is sent for every qualifier, since reserved concurrency is
  the function's (INFERRED), and left out when none is set.
"""

from __future__ import annotations

import json
from typing import Any

from . import moto_view
from .destination_access import refused_action
from .routes import RequestInfo
from .routes import json_params
from .wire import LambdaError
from .wire import Response
from .wire import invalid_parameter

POLICY_OPERATIONS = frozenset({"GetPolicy", "AddPermission"})
DEAD_LETTER_WRITES = frozenset({"CreateFunction", "UpdateFunctionConfiguration"})
CONFIGURATION_READS = frozenset({"GetFunction", "GetFunctionConfiguration", "PublishVersion", "ListVersionsByFunction"})
CORRECTED_OPERATIONS = POLICY_OPERATIONS | DEAD_LETTER_WRITES | CONFIGURATION_READS
_DEAD_LETTER_SERVICES = {"sqs": ("SendMessage", "SQS"), "sns": ("Publish", "SNS")}


# --- before moto: the dead-letter target's permission check -----------------------------------------------------


def dead_letter_refusal(info: RequestInfo, account: str) -> LambdaError | None:
    """Lambda's refusal of a DeadLetterConfig the execution role may not send to (module docstring), or None."""
    if info.operation not in DEAD_LETTER_WRITES:
        return None
    body = json_params(info)
    target = _requested_target(body)
    if not target:
        return None
    parsed = moto_view.Arn.parse(target)
    service = _DEAD_LETTER_SERVICES.get(parsed.service if parsed else "")
    if service is None:
        return invalid_parameter(f"The dead-letter target {target} is not an SQS queue or SNS topic ARN.")
    role = body.get("Role")
    if not isinstance(role, str):
        name, _qualifier = info.function_and_qualifier()
        record = moto_view.get_function(account, info.region, name) if name else None
        if record is None:
            return None  # moto answers that the function does not exist
        role = moto_view.execution_role(record, moto_view.LATEST)
    if role is None or refused_action(role, target) is not None:
        api_name, service_name = service
        return invalid_parameter(
            f"The provided execution role does not have permissions to call {api_name} on {service_name}"
        )
    return None


def _requested_target(body: dict[str, Any]) -> str | None:
    """The TargetArn a write asks for: a string ("" removes the dead-letter queue), or None if it names none."""
    config = body.get("DeadLetterConfig")
    if not isinstance(config, dict):
        return None
    target = config.get("TargetArn", "")
    return target if isinstance(target, str) else None


# --- after moto: keep the target, show it in configurations -----------------------------------------------------


def correct(info: RequestInfo, account: str, response: Response) -> Response:
    """moto's response to this Lambda request, corrected; errors and operations not listed are left as they are."""
    status, _headers, body = response
    if status >= 300 or info.operation not in CORRECTED_OPERATIONS:
        return response
    if info.operation in DEAD_LETTER_WRITES:
        _keep_target(info, account, body)
    try:
        payload = json.loads(body)
    except ValueError:
        return response
    if not isinstance(payload, dict):
        return response
    if info.operation == "GetPolicy":
        payload = _policy_document(payload, "Policy")
    elif info.operation == "AddPermission":
        payload = _policy_document(payload, "Statement")
    elif info.operation == "GetFunction" and isinstance(payload.get("Configuration"), dict):
        payload["Configuration"] = with_dead_letter(payload["Configuration"])
        payload = with_concurrency(payload)
    elif info.operation == "ListVersionsByFunction" and isinstance(payload.get("Versions"), list):
        payload["Versions"] = [with_dead_letter(version) for version in payload["Versions"]]
    else:
        payload = with_dead_letter(payload)
    return replace_body(response, json.dumps(payload).encode("utf-8"))


def _keep_target(info: RequestInfo, account: str, moto_body: bytes) -> None:
    body = json_params(info)
    target = _requested_target(body)
    if target is None:
        return
    try:
        name = json.loads(moto_body)["FunctionName"]
    except (ValueError, KeyError, TypeError):
        return
    moto_view.set_dead_letter_target(account, info.region, name, target)
    if info.operation == "CreateFunction" and body.get("Publish"):  # moto published version 1 before we got here
        version = moto_view.latest_version_number(account, info.region, name)
        if version is not None:
            moto_view.set_dead_letter_target(account, info.region, name, target, version)


def with_dead_letter(configuration: Any) -> Any:
    """A function configuration with its DeadLetterConfig, looked up from its FunctionArn and Version."""
    if not isinstance(configuration, dict):
        return configuration
    arn, version = configuration.get("FunctionArn"), str(configuration.get("Version", moto_view.LATEST))
    target = moto_view.lambda_destination(arn) if isinstance(arn, str) else None
    configuration = {key: value for key, value in configuration.items() if key != "DeadLetterConfig"}
    if target is None:
        return configuration
    account, region, name, _qualifier = target
    dead_letter = moto_view.dead_letter_target(account, region, name, version)
    if dead_letter:
        configuration["DeadLetterConfig"] = {"TargetArn": dead_letter}
    return configuration


def with_concurrency(payload: dict[str, Any]) -> dict[str, Any]:
    """GetFunction's answer with ``Concurrency`` as AWS sends it: the function's reserved concurrency, 0 included,
    for any qualifier; no ``Concurrency`` when none is reserved."""
    arn = payload["Configuration"].get("FunctionArn")
    target = moto_view.lambda_destination(arn) if isinstance(arn, str) else None
    payload = {key: value for key, value in payload.items() if key != "Concurrency"}
    if target is None:
        return payload
    account, region, name, _qualifier = target
    reserved = moto_view.reserved_concurrency(account, region, name)
    if reserved is not None:
        payload["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
    return payload


# --- function policies --------------------------------------------------------------------------------------------


def _policy_document(payload: dict[str, Any], key: str) -> dict[str, Any]:
    """``payload[key]`` is a JSON string: a whole policy (GetPolicy) or one statement (AddPermission)."""
    text = payload.get(key)
    if not isinstance(text, str):
        return payload
    try:
        document = json.loads(text)
    except ValueError:
        return payload
    if isinstance(document, dict) and isinstance(document.get("Statement"), list):
        document["Statement"] = [moto_view.with_aws_principal(statement) for statement in document["Statement"]]
    else:
        document = moto_view.with_aws_principal(document)
    return {**payload, key: json.dumps(document)}


def replace_body(response: Response, body: bytes) -> Response:
    status, headers, _old = response
    kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
    return status, [*kept, ("Content-Length", str(len(body)))], body
