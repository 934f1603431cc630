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
account needs both. A role with a permissions boundary gets nothing its boundary does not allow too (``iam_policy``;
the same rule for the write-time check, the delivery check, the dead-letter check and the simulator).

**Encrypted destinations (C19)** are not checked at write time: Put and Update accept a queue or topic whose KMS key
the role may not use (INFERRED: the config is accepted and the records are lost at delivery, which only the
``DestinationDeliveryFailures`` metric shows). ``delivery_refusal`` says what delivery itself would need: the
destination's own permission as above, then ``kms:GenerateDataKey`` and ``kms:Decrypt`` on the key in the queue's or
topic's ``KmsMasterKeyId`` (RECORDED, secondary: SQS developer guide; aws-cdk issue #6609 and pull request #35194),
decided by the key policy with KMS's rule and the role's identity policies (``iam_policy.evaluate_key_use``), in the
context of a call through the service (``kms:ViaService`` = ``SERVICE.REGION.amazonaws.com``, ``kms:CallerAccount``
= the role's account). So the AWS managed key of the queue's account serves roles of that account only. A key the
role may use but that is not ``Enabled`` (Disabled, PendingDeletion, PendingImport) cannot encrypt, so delivery
fails too, with the service's KMS error (SQS ``KMS.DisabledException`` or ``KMS.KMSInvalidStateException``, SNS
``KMSDisabled`` or ``KMSInvalidState``), while Put and Update still accept the destination: Lambda does not look at
the key when the config is written (C19). A permission refused is named before a key state (INFERRED: KMS authorises
before it looks at the key's state). The emulator answers it at ``GET /_emulator/delivery-check`` for tests;
nothing else calls it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import kms_keys
from . import moto_view
from .iam_policy import IDENTITY_POLICY
from .iam_policy import RESOURCE_POLICY
from .iam_policy import AccessRequest
from .iam_policy import Decision
from .iam_policy import Policy
from .iam_policy import Principal
from .iam_policy import evaluate
from .iam_policy import evaluate_key_use
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
    boundary = permissions_boundary(role)
    text = moto_view.resource_policy(destination_arn)
    resource = parse_policies(RESOURCE_POLICY, [("ResourcePolicy", text)] if text else [])
    principal = Principal(role.arn, role.account)
    owner = moto_view.resource_owner(destination_arn)
    for action, resource_arn in required:
        request = AccessRequest(principal, action, resource_arn, owner)
        if evaluate(identity, resource, request, boundary).decision is not Decision.ALLOWED:
            return action
    return None


def permissions_boundary(role: moto_view.RoleRecord) -> list[Policy] | None:
    """The role's permissions boundary as policies to evaluate (empty: a boundary that allows nothing), or None."""
    if role.permissions_boundary is None:
        return None
    return parse_policies(IDENTITY_POLICY, [role.permissions_boundary])


# Permissions a producer needs on the key of an encrypted queue or topic (C19).
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")

# The error the destination's service answers Lambda's delivery with, per cause: the destination refuses the role
# (SQS AccessDenied, SNS AuthorizationError, ...), or KMS does (the key policy or the role refuses the key, the key is
# disabled, in another state than Enabled, or gone). SNS's KMS* codes are DOCUMENTED (its model); for SQS, whose JSON
# model names them KmsDisabled etc., the emulator gives the query-era codes (KMS.*Exception) that botocore reads from
# x-amzn-query-error (INFERRED; docs/aws-behaviour.md C23).
_DENIED = {"sqs": "AccessDenied", "sns": "AuthorizationError", "s3": "AccessDenied"}
_KEY_ERRORS = {
    "sqs": {
        "denied": "KMS.AccessDeniedException",
        "Disabled": "KMS.DisabledException",
        "state": "KMS.KMSInvalidStateException",
        "missing": "KMS.NotFoundException",
    },
    "sns": {
        "denied": "KMSAccessDenied",
        "Disabled": "KMSDisabled",
        "state": "KMSInvalidState",
        "missing": "KMSNotFound",
    },
}


@dataclass(frozen=True)
class DeliveryRefusal:
    """What delivering a record would be refused: the first IAM action that fails, on which resource, and the error
    code the destination's service answers with."""

    action: str
    resource: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"action": self.action, "resource": self.resource, "error": self.error}


def delivery_refusal(role_arn: str, destination_arn: str) -> DeliveryRefusal | None:
    """What Lambda's delivery of a record from this role to this destination would be refused, or None when it
    would go through. Not a write-time check (module docstring)."""
    parsed = moto_view.Arn.parse(destination_arn)
    service = parsed.service if parsed else ""
    action = refused_action(role_arn, destination_arn)
    if action is not None:
        resource = dict(required_permissions(destination_arn))[action]
        return DeliveryRefusal(action, resource, _DENIED.get(service, "AccessDeniedException"))
    reference = moto_view.encryption_key_reference(destination_arn)
    if parsed is None or reference is None:
        return None
    errors = _KEY_ERRORS[service]
    key = kms_keys.key_of_resource(reference, parsed.account, parsed.region)
    if key is None:  # a key that is gone encrypts nothing: delivery fails on the first call
        missing = kms_keys.KeyReference.parse(reference, parsed.account, parsed.region).arn(parsed.partition)
        return DeliveryRefusal(KEY_ACTIONS[0], missing, errors["missing"])
    refused = refused_key_action(role_arn, key, parsed)
    if refused is not None:
        return DeliveryRefusal(refused, key.arn, errors["denied"])
    if key.state != "Enabled":  # the key may be used but cannot encrypt (KMS developer guide, key states)
        return DeliveryRefusal(KEY_ACTIONS[0], key.arn, errors.get(key.state, errors["state"]))
    return None


def refused_key_action(role_arn: str, key: moto_view.KmsKeyRecord, destination: moto_view.Arn) -> str | None:
    """The first of KEY_ACTIONS the role may not perform on the key, through the destination's service."""
    role = moto_view.get_role(role_arn)
    if role is None:
        return KEY_ACTIONS[0]
    identity = parse_policies(IDENTITY_POLICY, role.identity_policies)
    key_policy = parse_policies(RESOURCE_POLICY, [("KeyPolicy", key.policy)])
    context = (
        ("kms:viaservice", f"{destination.service}.{destination.region}.amazonaws.com"),
        ("kms:calleraccount", role.account),
    )
    boundary = permissions_boundary(role)
    for key_action in KEY_ACTIONS:
        request = AccessRequest(Principal(role.arn, role.account), key_action, key.arn, key.account, context)
        if evaluate_key_use(identity, key_policy, request, boundary).decision is not Decision.ALLOWED:
            return key_action
    return None
