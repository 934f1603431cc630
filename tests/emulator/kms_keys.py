"""KMS beyond moto: AWS managed keys for SQS and SNS, GetKeyPolicy as documented, and keys named by ARN in another
account or region (reference C19).

moto 5.2.5 serves KMS, and the emulator steps in where it differs from AWS:

- **AWS managed keys** ``alias/aws/sqs`` and ``alias/aws/sns``. AWS creates an AWS managed key the first time it is
  needed, and DescribeKey on a predefined alias that has no key yet creates it (DOCUMENTED, KMS API reference,
  DescribeKey). moto has no such alias for SQS or SNS, and the ones it has are customer keys with the customer
  default policy. So whenever a KMS request names one of these two aliases (``KeyId``, as a name or an ARN of the
  caller's own account and region), the emulator first creates the key in that account and region, once:
  KeyManager ``AWS``, and the key policy AWS gives its managed keys (``managed_key_policy``): every principal of
  the account may use the key through the service (conditions ``kms:ViaService`` = ``SERVICE.REGION.amazonaws.com``
  and ``kms:CallerAccount`` = the account), and the account may read its metadata directly. Its ``Description`` is
  the emulator's own text.
- **GetKeyPolicy** is answered here. ``PolicyName`` is optional and defaults to ``default``, and the answer carries
  ``PolicyName`` (DOCUMENTED, KMS API reference; moto refuses a call without it). ``KeyId`` is a key id or key ARN
  (DOCUMENTED); an alias is refused with NotFoundException ``Invalid keyId ...`` (moto's text: what AWS answers is
  not recorded). Another policy name: NotFoundException ``No such policy exists`` (moto's). The operation has no
  cross-account use (DOCUMENTED): a key ARN of another account gets AccessDeniedException (emulator choice).
- **DescribeKey of a key ARN or alias ARN of another account or region**: moto strips the ARN and looks the id or
  alias up in the caller's own account and region, so ``arn:...:OTHER:alias/aws/sqs`` came back as the caller's own
  key. Here an ARN of another region is NotFoundException, and one of another account is looked up in that
  account: the caller may describe it only if the key policy allows ``kms:DescribeKey`` to the caller's account
  (the emulator's caller is allowed everything in its own account, so only the key policy decides), else 400
  AccessDeniedException as KMS words it (``... because no resource-based policy allows the kms:DescribeKey
  action``, RECORDED in terraform-provider-aws pull request #32463 and elastic/cloudbeat issue #1749).

- **Key state** (``KeyMetadata.KeyState`` and ``Enabled``). moto 5.2.5 answers DisableKey, EnableKey,
  ScheduleKeyDeletion and CancelKeyDeletion with a 500 when ``KeyId`` is a key ARN (it checks the ARN, then looks the
  whole ARN up as an id), never refuses a change of state, and creates a key with ``Origin=EXTERNAL`` ``Enabled``.
  Here the four operations take a key id or key ARN (DOCUMENTED; an alias: NotFoundException ``Invalid keyId ...``
  as for GetKeyPolicy; another account's key: AccessDeniedException, they have no cross-account use, DOCUMENTED)
  and follow the key state table of the KMS developer guide: DisableKey and EnableKey from Enabled or Disabled;
  ScheduleKeyDeletion (``PendingWindowInDays`` 7-30, default 30) from Enabled, Disabled or PendingImport, answering
  the key ARN, ``DeletionDate``, ``KeyState`` and ``PendingWindowInDays``; CancelKeyDeletion from PendingDeletion,
  to Disabled (DOCUMENTED), answering the key ARN. Another state: 400 KMSInvalidStateException ``ARN is pending
  deletion.`` (RECORDED for ScheduleKeyDeletion in terraform-provider-aws issue #17889; ``is disabled.``, ``is
  pending import.`` and ``is not pending deletion.`` follow that form, INFERRED). A key made with ``Origin=EXTERNAL``
  starts ``PendingImport`` (DOCUMENTED); ImportKeyMaterial is not supported, so it stays there, and a cancelled
  deletion takes it back to PendingImport (emulator choice). The AWS managed keys cannot be disabled or deleted:
  their key policy does not let the account do it, so the answer is AccessDeniedException (INFERRED). A customer
  key's policy is not consulted for these operations (as in moto). DescribeKey (moto's) then shows ``KeyState``,
  ``Enabled`` and, pending deletion, ``DeletionDate``.

Every other KMS call is moto's, in the caller's account and region.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from . import moto_view
from .iam_policy import IDENTITY_POLICY
from .iam_policy import RESOURCE_POLICY
from .iam_policy import AccessRequest
from .iam_policy import Decision
from .iam_policy import Principal
from .iam_policy import evaluate_key_use
from .iam_policy import parse_policies
from .routes import RequestInfo
from .routes import json_params
from .service_wire import json_error
from .wire import Response
from .wire import json_response

# Predefined aliases the emulator backs with an AWS managed key, and the service each key serves.
MANAGED_ALIASES = {"alias/aws/sqs": "sqs", "alias/aws/sns": "sns"}
_SERVICE_NAMES = {"sqs": "Simple Queue Service (SQS)", "sns": "Simple Notification Service (SNS)"}
_KEY_ID = re.compile(r"(mrk-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_KMS_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):kms:(?P<region>[^:]*):(?P<account>\d{12}):(?P<kind>key|alias)/(?P<rest>.+)"
)
_lock = threading.Lock()  # two first requests at once must not make two managed keys


@dataclass(frozen=True)
class KeyReference:
    """What a ``KeyId`` names: a key id or an alias, in an account and region (the caller's, unless an ARN says)."""

    text: str
    account: str
    region: str
    key_id: str | None
    alias: str | None
    is_arn: bool

    @classmethod
    def parse(cls, text: str, caller_account: str, region: str) -> KeyReference:
        match = _KMS_ARN.fullmatch(text)
        if match:
            alias = f"alias/{match['rest']}" if match["kind"] == "alias" else None
            key_id = match["rest"] if match["kind"] == "key" else None
            return cls(text, match["account"], match["region"], key_id, alias, True)
        if text.startswith("alias/"):
            return cls(text, caller_account, region, None, text, False)
        return cls(text, caller_account, region, text, None, False)

    def arn(self, partition: str = "aws") -> str:
        """The ARN this reference names (a key ARN or an alias ARN)."""
        if self.is_arn:
            return self.text
        kind = self.alias if self.alias else f"key/{self.key_id}"
        return f"arn:{partition}:kms:{self.region}:{self.account}:{kind}"


def managed_key_policy(service: str, account: str, region: str, partition: str = "aws") -> str:
    """The key policy of an AWS managed key: the account's principals may use it through the service only, and the
    account may read its metadata (INFERRED from the SQS developer guide and published copies of the policy)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": f"auto-{service}-1",
            "Statement": [
                {
                    "Sid": f"Allow access through {_SERVICE_NAMES[service]} for all principals in the account that "
                    f"are authorized to use {service.upper()}",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:CreateGrant",
                        "kms:DescribeKey",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": f"{service}.{region}.amazonaws.com",
                            "kms:CallerAccount": account,
                        }
                    },
                },
                {
                    "Sid": "Allow direct access to key metadata to the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                    "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                    "Resource": "*",
                },
            ],
        }
    )


def ensure_managed_key(account: str, region: str, alias: str) -> moto_view.KmsKeyRecord | None:
    """The AWS managed key behind a predefined alias, created on first use; None for any other alias."""
    service = MANAGED_ALIASES.get(alias)
    if service is None:
        return None
    with _lock:
        found = moto_view.kms_key(account, region, alias=alias)
        if found is not None:
            return found
        partition = moto_view.partition_of(region)
        policy = managed_key_policy(service, account, region, partition)
        description = f"AWS managed key for {service.upper()} (emulator)"
        return moto_view.create_aws_managed_key(account, region, alias, policy, description)


def resolve(reference: KeyReference) -> moto_view.KmsKeyRecord | None:
    """The key a reference names, in the reference's account and region (AWS managed keys made on first use)."""
    if reference.alias is not None:
        return ensure_managed_key(reference.account, reference.region, reference.alias) or moto_view.kms_key(
            reference.account, reference.region, alias=reference.alias
        )
    return moto_view.kms_key(reference.account, reference.region, key_id=reference.key_id)


def key_of_resource(key_reference: str, owner_account: str, owner_region: str) -> moto_view.KmsKeyRecord | None:
    """The key a queue's or topic's ``KmsMasterKeyId`` names: a bare key id or alias is relative to the queue's or
    topic's own account and region, where SQS and SNS use it."""
    return resolve(KeyReference.parse(key_reference, owner_account, owner_region))


# --- requests -----------------------------------------------------------------------------------------------------


def handle(info: RequestInfo, caller_account: str) -> Response | None:
    """The emulator's answer to a KMS request, or None to let moto answer it (after any managed key it names
    exists)."""
    params = json_params(info)
    key_id = params.get("KeyId")
    reference = KeyReference.parse(key_id, caller_account, info.region) if isinstance(key_id, str) else None
    own = reference is not None and (reference.account, reference.region) == (caller_account, info.region)
    if reference is not None and own and reference.alias is not None:
        ensure_managed_key(caller_account, info.region, reference.alias)
    if info.operation == "CreateKey" and params.get("Origin") == "EXTERNAL":
        metadata = moto_view.create_customer_key(caller_account, info.region, params, "PendingImport")
        return json_response(200, {"KeyMetadata": metadata})
    if info.operation in STATE_OPERATIONS:
        return _change_state(info.operation, params, reference, caller_account, info.region)
    if info.operation == "GetKeyPolicy":
        return _get_key_policy(params, reference, caller_account, info.region)
    if info.operation == "DescribeKey" and reference is not None and not own:
        return _describe_elsewhere(reference, caller_account, info.region)
    return None


def _not_found(reference: KeyReference) -> Response:
    if reference.alias is not None:
        return json_error(400, "NotFoundException", f"Alias {reference.arn()} is not found.")
    return json_error(400, "NotFoundException", f"Key '{reference.arn()}' does not exist")


def access_denied(caller_account: str, action: str, resource: str) -> Response:
    """KMS's authorisation error: 400 AccessDeniedException, naming the key policy (RECORDED wording)."""
    policy_kind = "identity-based" if resource == "*" else "resource-based"
    message = (
        f"User: arn:aws:iam::{caller_account}:user/caller is not authorized to perform: {action} on resource: "
        f"{resource} because no {policy_kind} policy allows the {action} action"
    )
    return json_error(400, "AccessDeniedException", message)


_NULL_KEY_ID = json_error(
    400,
    "ValidationException",
    "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
)


def _own_key(
    reference: KeyReference | None, caller_account: str, region: str, action: str
) -> moto_view.KmsKeyRecord | Response:
    """The key a key id or key ARN names, for an operation that takes no alias and has no cross-account use
    (GetKeyPolicy, the key-state operations); else the error KMS answers."""
    if reference is None:
        return _NULL_KEY_ID
    if reference.alias is not None or not (reference.is_arn or _KEY_ID.fullmatch(reference.text)):
        return json_error(400, "NotFoundException", f"Invalid keyId {reference.text}")
    if reference.account != caller_account and reference.region == region:
        return access_denied(caller_account, action, reference.arn())
    if (reference.account, reference.region) != (caller_account, region):
        return _not_found(reference)
    key = resolve(reference)
    return _not_found(reference) if key is None else key


def _get_key_policy(
    params: dict[str, Any], reference: KeyReference | None, caller_account: str, region: str
) -> Response:
    if reference is None:
        return _NULL_KEY_ID
    policy_name = params.get("PolicyName", "default")
    if policy_name != "default":
        return json_error(400, "NotFoundException", "No such policy exists")
    key = _own_key(reference, caller_account, region, "kms:GetKeyPolicy")
    if not isinstance(key, moto_view.KmsKeyRecord):
        return key
    return json_response(200, {"Policy": key.policy, "PolicyName": "default"})


# --- key state ------------------------------------------------------------------------------------------------------

STATE_OPERATIONS = frozenset({"DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion"})
# The states each operation accepts a key in (KMS developer guide, key states); any other: KMSInvalidStateException.
_ACCEPTED_STATES = {
    "DisableKey": frozenset({"Enabled", "Disabled"}),
    "EnableKey": frozenset({"Enabled", "Disabled"}),
    "ScheduleKeyDeletion": frozenset({"Enabled", "Disabled", "PendingImport"}),
    "CancelKeyDeletion": frozenset({"PendingDeletion"}),
}
_STATE_WORDS = {
    "Enabled": "enabled",
    "Disabled": "disabled",
    "PendingDeletion": "pending deletion",
    "PendingImport": "pending import",
}
PENDING_WINDOW_RANGE = (7, 30)
DEFAULT_PENDING_WINDOW = 30


def state_phrase(state: str) -> str:
    """A KeyState as KMS's messages say it: "pending deletion", "pending import", "disabled"."""
    return _STATE_WORDS.get(state, state)


def _change_state(
    operation: str, params: dict[str, Any], reference: KeyReference | None, caller_account: str, region: str
) -> Response:
    """DisableKey, EnableKey, ScheduleKeyDeletion and CancelKeyDeletion, by key id or key ARN (module docstring)."""
    action = f"kms:{operation}"
    key = _own_key(reference, caller_account, region, action)
    if not isinstance(key, moto_view.KmsKeyRecord):
        return key
    if key.key_manager == "AWS" and not caller_may(caller_account, action, key):
        return access_denied(caller_account, action, key.arn)
    window = params.get("PendingWindowInDays", DEFAULT_PENDING_WINDOW)
    if operation == "ScheduleKeyDeletion":
        low, high = PENDING_WINDOW_RANGE
        if isinstance(window, bool) or not isinstance(window, int) or not low <= window <= high:
            return json_error(
                400,
                "ValidationException",
                f"1 validation error detected: Value '{window}' at 'pendingWindowInDays' failed to satisfy "
                f"constraint: Member must have value between {low} and {high}",
            )
    if key.state not in _ACCEPTED_STATES[operation]:
        words = "not pending deletion" if operation == "CancelKeyDeletion" else state_phrase(key.state)
        return json_error(400, "KMSInvalidStateException", f"{key.arn} is {words}.")
    if operation == "DisableKey":
        moto_view.set_kms_key_state(key.account, key.region, key.key_id, "Disabled")
        return json_response(200, {})
    if operation == "EnableKey":
        moto_view.set_kms_key_state(key.account, key.region, key.key_id, "Enabled")
        return json_response(200, {})
    if operation == "CancelKeyDeletion":
        # Back to Disabled (DOCUMENTED); a key that never got its material is pending import again (emulator).
        moto_view.set_kms_key_state(key.account, key.region, key.key_id, _state_after_cancel(key))
        return json_response(200, {"KeyId": key.arn})
    deletion = round(time.time() + window * 86400, 3)
    moto_view.set_kms_key_state(key.account, key.region, key.key_id, "PendingDeletion", deletion)
    return json_response(
        200, {"KeyId": key.arn, "DeletionDate": deletion, "KeyState": "PendingDeletion", "PendingWindowInDays": window}
    )


def _state_after_cancel(key: moto_view.KmsKeyRecord) -> str:
    return "PendingImport" if key.origin == "EXTERNAL" else "Disabled"


def _describe_elsewhere(reference: KeyReference, caller_account: str, region: str) -> Response:
    """DescribeKey with the ARN of a key or alias in another account or region (module docstring)."""
    if reference.region != region:
        return _not_found(reference)
    key = (
        moto_view.kms_key(reference.account, region, alias=reference.alias)
        if reference.alias is not None
        else moto_view.kms_key(reference.account, region, key_id=reference.key_id)
    )
    if key is None:
        return _not_found(reference)
    if not caller_may(caller_account, "kms:DescribeKey", key):
        return access_denied(caller_account, "kms:DescribeKey", key.arn)
    metadata = moto_view.kms_key_metadata(key.account, key.region, key.key_id)
    return json_response(200, {"KeyMetadata": metadata})


def caller_may(caller_account: str, action: str, key: moto_view.KmsKeyRecord) -> bool:
    """Whether the key policy lets the emulator's caller (any principal of its account, allowed everything there
    by its own policies) perform a direct, not through-a-service, call on the key."""
    caller = Principal(f"arn:aws:iam::{caller_account}:user/caller", caller_account)
    allow_all = json.dumps({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    everything = parse_policies(IDENTITY_POLICY, [("caller", allow_all)])
    key_policy = parse_policies(RESOURCE_POLICY, [("KeyPolicy", key.policy)])
    context = (("kms:calleraccount", caller_account), ("kms:viaservice", None))
    request = AccessRequest(caller, action, key.arn, key.account, context)
    return evaluate_key_use(everything, key_policy, request).decision is Decision.ALLOWED
