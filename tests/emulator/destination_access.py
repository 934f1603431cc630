"""May a function's execution role deliver to a destination? Lambda checks this when the config is written (C11).

Real Lambda refuses a destination the execution role cannot use with InvalidParameterValueException
"... execution role does not have permissions to call <Action> on <arn>" at Put/Update time. The exact start of the
message is not recorded: Terraform's source quotes "The function's execution role does not have permissions to call
Publish on arn:..." and alchemy matches "The function execution role does not have permissions to call". The emulator
sends the Terraform wording; clients should match on the substring "does not have permissions" only.

Permissions checked, per destination service (DOCUMENTED for the first four):

- SQS queue: ``sqs:SendMessage`` on the queue ARN;
- SNS topic: ``sns:Publish`` on the topic ARN;
- Lambda function: ``lambda:InvokeFunction`` on the function ARN as written (qualifier included);
- EventBridge bus: ``events:PutEvents`` on the bus ARN;
- S3 bucket (on failure only): AWS documents ``s3:PutObject`` and ``s3:ListBucket`` for S3 destinations, but not
  what Lambda checks at Put time (UNKNOWN). Emulator choice: ``s3:PutObject`` on ``arn:aws:s3:::BUCKET/*``, then
  ``s3:ListBucket`` on ``arn:aws:s3:::BUCKET``; the first one refused is named (PutObject or ListBucket) and the
  message names the bucket ARN as written.

The decision combines the role's identity policies with the destination's resource policy (``iam_policy``), so a
queue policy that grants the role ``sqs:SendMessage`` is enough in the same account, and a destination in another
account needs both.
"""

from __future__ import annotations

from . import moto_view
from .iam_policy import IDENTITY_POLICY
from .iam_policy import RESOURCE_POLICY
from .iam_policy import AccessRequest
from .iam_policy import Decision
from .iam_policy import Principal
from .iam_policy import evaluate
from .iam_policy import parse_policies

MESSAGE = "The function's execution role does not have permissions to call {action} on {arn}"


def required_permissions(destination_arn: str) -> list[tuple[str, str]]:
    """(IAM action, resource ARN) pairs the role needs, in the order they are checked."""
    parsed = moto_view.Arn.parse(destination_arn)
    service = parsed.service if parsed else ""
    if service == "s3":
        return [("s3:PutObject", f"{destination_arn}/*"), ("s3:ListBucket", destination_arn)]
    action = {"sqs": "SendMessage", "sns": "Publish", "lambda": "InvokeFunction", "events": "PutEvents"}.get(service)
    return [(f"{service}:{action}", destination_arn)] if action else []


def api_name(action: str) -> str:
    """An IAM action without its service prefix, as the error message names it (sns:Publish -> Publish)."""
    return action.split(":", 1)[-1]


def refusal_message(action: str, destination_arn: str) -> str:
    return MESSAGE.format(action=api_name(action), arn=destination_arn)


def refused_action(role_arn: str | None, destination_arn: str) -> str | None:
    """The first IAM action the role may not perform for this destination, or None if it may perform them all."""
    required = required_permissions(destination_arn)
    role = moto_view.get_role(role_arn) if role_arn else None
    if role is None:  # a role that is gone grants nothing
        return required[0][0] if required else None
    identity = parse_policies(IDENTITY_POLICY, role.identity_policies)
    text = moto_view.resource_policy(destination_arn)
    resource = parse_policies(RESOURCE_POLICY, [("ResourcePolicy", text)] if text else [])
    principal = Principal(role.arn, role.account)
    owner = moto_view.resource_owner(destination_arn)
    for action, resource_arn in required:
        request = AccessRequest(principal, action, resource_arn, owner)
        if evaluate(identity, resource, request).decision is not Decision.ALLOWED:
            return action
    return None
