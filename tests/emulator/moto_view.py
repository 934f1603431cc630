"""Read-only view of moto's in-process backends: every use of moto internals lives here.

The event-invoke-config handlers need to know whether functions, versions, aliases and destinations exist, which
role a function version runs as, and which policies apply to that role and to a destination. moto keeps them in
module-level ``BackendDict`` objects; the attribute names below (``_lambdas._functions``, ``_aliases``, ``queues``,
``topics``, ``event_buses``, ``bucket_accounts``, ``roles``, ``policies``, ``managed_policies``, ``versions``,
``policy``, ``_statements``, KMS's ``keys``, ``aliases``, ``key_manager``, the queue's and topic's
``kms_master_key_id``) are moto 5.2.5 internals, so a moto upgrade that renames them breaks this module only.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.utilities.utils import get_partition

LATEST = "$LATEST"


def partition_of(region: str) -> str:
    return get_partition(region)


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:{partition_of(region)}:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def account_for_request(headers: dict[str, str], access_key: str | None) -> str:
    """The account moto itself would use for this request (same priorities as moto's BaseResponse)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if headers.get("x-moto-account-id"):
        return headers["x-moto-account-id"]
    if not access_key:
        return DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def _backend(backend_dict: Any, account: str, region: str) -> Any | None:
    try:
        return backend_dict[account][region]
    except KeyError:  # unknown region: moto has no backend, so nothing exists there
        return None


@dataclass(frozen=True)
class FunctionRecord:
    """One function as moto holds it. ``anchor`` is moto's per-function dict: a new one exists after re-creation."""

    name: str
    anchor: dict[str, Any]
    aliases: dict[str, Any]

    @property
    def has_latest(self) -> bool:
        return self.anchor.get("latest") is not None

    def version_object(self, version: str) -> Any | None:
        for fn in self.anchor.get("versions", []):
            if str(fn.version) == version:
                return fn
        return None

    def has_qualifier(self, qualifier: str) -> bool:
        if qualifier == LATEST:
            return self.has_latest
        if qualifier.isdigit():
            return self.version_object(qualifier) is not None
        return qualifier in self.aliases


def get_function(account: str, region: str, name: str) -> FunctionRecord | None:
    from moto.awslambda.models import lambda_backends

    backend = _backend(lambda_backends, account, region)
    if backend is None:
        return None
    storage = backend._lambdas
    anchor = storage._functions.get(name)
    if anchor is None:
        return None
    # _aliases is a defaultdict keyed by the unqualified ARN: use .get so a lookup never creates entries.
    aliases = storage._aliases.get(function_arn(region, account, name), {})
    return FunctionRecord(name=name, anchor=anchor, aliases=aliases)


# --- destinations ---------------------------------------------------------------------------------------------

_LAMBDA_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:(?P<name>[a-zA-Z0-9-_.]+)"
    r"(?::(?P<qualifier>[a-zA-Z0-9-_$.]+))?"
)


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, arn: str) -> Arn | None:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])


def lambda_destination(arn: str) -> tuple[str, str, str, str | None] | None:
    """(account, region, name, qualifier) of a Lambda function ARN, or None if it is not one."""
    match = _LAMBDA_ARN.fullmatch(arn)
    if not match:
        return None
    return match["account"], match["region"], match["name"], match["qualifier"]


def destination_exists(arn: str) -> bool:
    """Whether the resource an (already well-formed, supported-service) destination ARN names exists in moto."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return False
    checker = _EXISTS.get(parsed.service)
    return bool(checker and checker(arn, parsed))


def _lambda_exists(arn: str, _parsed: Arn) -> bool:
    target = lambda_destination(arn)
    if target is None:
        return False
    account, region, name, qualifier = target
    record = get_function(account, region, name)
    return record is not None and record.has_qualifier(qualifier or LATEST)


def _sqs_exists(_arn: str, parsed: Arn) -> bool:
    from moto.sqs.models import sqs_backends

    backend = _backend(sqs_backends, parsed.account, parsed.region)
    return backend is not None and parsed.resource in backend.queues


def _sns_exists(arn: str, parsed: Arn) -> bool:
    from moto.sns.models import sns_backends

    backend = _backend(sns_backends, parsed.account, parsed.region)
    return backend is not None and arn in backend.topics


def _events_exists(_arn: str, parsed: Arn) -> bool:
    from moto.events.models import events_backends

    if not parsed.resource.startswith("event-bus/"):
        return False
    backend = _backend(events_backends, parsed.account, parsed.region)
    return backend is not None and parsed.resource[len("event-bus/") :] in backend.event_buses


def _s3_exists(_arn: str, parsed: Arn) -> bool:
    from moto.s3.models import s3_backends

    # Bucket ARNs carry neither region nor account; moto keeps one global bucket namespace.
    return parsed.resource in s3_backends.bucket_accounts


_EXISTS = {
    "lambda": _lambda_exists,
    "sqs": _sqs_exists,
    "sns": _sns_exists,
    "events": _events_exists,
    "s3": _s3_exists,
}
SUPPORTED_DESTINATION_SERVICES = frozenset(_EXISTS)


# --- IAM: roles and their policies ------------------------------------------------------------------------------

_ROLE_ARN = re.compile(r"arn:(?P<partition>[^:]+):iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[^/]+)")


@dataclass(frozen=True)
class RoleRecord:
    """A role and its identity policies, each as (policy name, policy document text)."""

    arn: str
    name: str
    account: str
    inline_policies: tuple[tuple[str, str], ...]
    managed_policies: tuple[tuple[str, str], ...]  # the default version of every attached managed policy
    # The permissions boundary (its policy's name and default version), None when the role has none. A boundary whose
    # policy cannot be found has an empty document: it allows nothing.
    permissions_boundary: tuple[str, str] | None = None

    @property
    def identity_policies(self) -> tuple[tuple[str, str], ...]:
        return self.inline_policies + self.managed_policies


def get_role(arn: str) -> RoleRecord | None:
    """The role with exactly this ARN, or None (unknown account, no such role, or not a role ARN)."""
    match = _ROLE_ARN.fullmatch(arn)
    if match is None:
        return None
    from moto.iam.models import iam_backends

    backend = _backend(iam_backends, match["account"], match["partition"])
    if backend is None:
        return None
    for role in list(backend.roles.values()):
        if role.arn == arn:
            return RoleRecord(
                arn=role.arn,
                name=role.name,
                account=match["account"],
                inline_policies=tuple((name, _text(doc)) for name, doc in role.policies.items()),
                managed_policies=tuple(
                    (policy.name, _default_document(policy)) for policy in role.managed_policies.values()
                ),
                permissions_boundary=_boundary(backend, getattr(role, "permissions_boundary_arn", None)),
            )
    return None


def _boundary(backend: Any, policy_arn: Any) -> tuple[str, str] | None:
    """(name, default document) of the managed policy a role has as its permissions boundary, if it has one."""
    if not isinstance(policy_arn, str) or not policy_arn:
        return None
    name = policy_arn.rsplit("/", 1)[-1]
    policy = backend.managed_policies.get(policy_arn)
    if policy is not None:
        return policy.name, _default_document(policy)
    return name, _aws_managed_document(policy_arn) or ""


_AWS_MANAGED_ARN = re.compile(r"arn:[^:]+:iam::aws:policy(?P<path>/(?:.*/)?)(?P<name>[^/]+)")


def _aws_managed_document(policy_arn: str) -> str | None:
    """The document of an AWS managed policy from moto's copy of them. moto's IAM backends hold none unless
    MOTO_IAM_LOAD_MANAGED_POLICIES is set, but a boundary may name one (PutRolePermissionsBoundary checks the ARN's
    form only)."""
    match = _AWS_MANAGED_ARN.fullmatch(policy_arn)
    if match is None:
        return None
    entry = _aws_managed_policies().get(match["name"])
    if not isinstance(entry, dict) or entry.get("Path", "/") != match["path"]:
        return None
    return _text(entry.get("Document"))


@functools.cache
def _aws_managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data = json.loads(aws_managed_policies_data)
    return data if isinstance(data, dict) else {}


def role_name_from_arn(arn: str) -> str | None:
    match = _ROLE_ARN.fullmatch(arn)
    return match["name"] if match else None


def _default_document(policy: Any) -> str:
    for version in policy.versions:
        if version.is_default:
            return _text(version.document)
    return ""


def _text(document: Any) -> str:
    if isinstance(document, bytes):
        return document.decode("utf-8")
    return document if isinstance(document, str) else json.dumps(document)


# --- Lambda: the execution role of a qualifier ------------------------------------------------------------------


def execution_role(record: FunctionRecord, qualifier: str) -> str | None:
    """The role ARN the qualifier runs as: $LATEST's, a version's, or an alias's primary version's.

    An alias with a routing config also sends some events to a second version; only the primary version (the one
    the alias points at) is considered.
    """
    if qualifier in record.aliases:
        qualifier = str(record.aliases[qualifier].function_version)
    function = record.anchor.get("latest") if qualifier == LATEST else record.version_object(qualifier)
    role = getattr(function, "role", None)
    return role if isinstance(role, str) else None


# --- Lambda: dead-letter queues (moto 5.2.5 ignores DeadLetterConfig) -----------------------------------------

# Kept on moto's function objects, so that PublishVersion (a copy of $LATEST) carries it into the new version and
# a reset of moto forgets it.
_DEAD_LETTER = "emulator_dead_letter_target"


def _function_object(account: str, region: str, name: str, version: str) -> Any | None:
    record = get_function(account, region, name)
    if record is None:
        return None
    return record.anchor.get("latest") if version == LATEST else record.version_object(version)


def dead_letter_target(account: str, region: str, name: str, version: str) -> str | None:
    """The DeadLetterConfig TargetArn of a function version ($LATEST or a number), if it has one."""
    target = getattr(_function_object(account, region, name, version), _DEAD_LETTER, None)
    return target if isinstance(target, str) and target else None


def set_dead_letter_target(account: str, region: str, name: str, target: str | None, version: str = LATEST) -> None:
    function = _function_object(account, region, name, version)
    if function is not None:
        setattr(function, _DEAD_LETTER, target or None)


def reserved_concurrency(account: str, region: str, name: str) -> int | None:
    """The function's reserved concurrency (PutFunctionConcurrency; 0 included), None when it has none. moto keeps it
    on $LATEST's object; it is the function's, whatever the qualifier."""
    function = _function_object(account, region, name, LATEST)
    value = getattr(function, "reserved_concurrency", None)
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def latest_version_number(account: str, region: str, name: str) -> str | None:
    """The highest published version of a function, if any."""
    record = get_function(account, region, name)
    versions = [str(fn.version) for fn in record.anchor.get("versions", [])] if record else []
    return max(versions, key=int) if versions else None


# --- resource policies of destinations --------------------------------------------------------------------------


def resource_policy(arn: str) -> str | None:
    """The resource policy moto holds for a destination ARN (queue, topic, function, event bus, bucket), if any."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return None
    reader = _RESOURCE_POLICY.get(parsed.service)
    return reader(arn, parsed) if reader else None


def _sqs_policy(_arn: str, parsed: Arn) -> str | None:
    from moto.sqs.models import sqs_backends

    backend = _backend(sqs_backends, parsed.account, parsed.region)
    queue = backend.queues.get(parsed.resource) if backend is not None else None
    policy = getattr(queue, "policy", None)
    return _text(policy) if policy else None


def _sns_policy(arn: str, parsed: Arn) -> str | None:
    from moto.sns.models import sns_backends

    backend = _backend(sns_backends, parsed.account, parsed.region)
    topic = backend.topics.get(arn) if backend is not None else None
    return topic.policy if topic is not None else None


def _lambda_policy(arn: str, _parsed: Arn) -> str | None:
    from moto.awslambda.models import lambda_backends

    target = lambda_destination(arn)
    if target is None:
        return None
    account, region, name, qualifier = target
    backend = _backend(lambda_backends, account, region)
    if backend is None:
        return None
    try:  # the object moto's GetPolicy reads for this qualifier
        function = backend._lambdas.get_function_by_name_or_arn_with_qualifier(name, qualifier)
    except Exception:  # moto raises its own "not found" classes; a missing function simply has no policy
        return None
    statements = [with_aws_principal(statement) for statement in function.policy.statements]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}) if statements else None


_ACCOUNT_ID = re.compile(r"\d{12}")


def aws_principal(value: Any, partition: str = "aws") -> Any:
    """A Lambda permission's principal as AWS writes it in the function policy (GetPolicy, AddPermission).

    AddPermission takes the principal as one string; the policy names it ``{"AWS": ARN}`` for an IAM principal
    (an account id becomes ``arn:aws:iam::ACCOUNT:root``), ``{"Service": NAME}`` for a service and ``"*"`` for
    everyone. moto 5.2.5 keeps account ids and IAM ARNs as bare strings, which no policy reader expects.
    """
    if not isinstance(value, str) or value == "*":
        return value
    if _ACCOUNT_ID.fullmatch(value):
        return {"AWS": f"arn:{partition}:iam::{value}:root"}
    if value.startswith("arn:"):
        return {"AWS": value}
    return {"Service": value}


def with_aws_principal(statement: Any) -> Any:
    """A copy of a function-policy statement with its Principal in AWS's shape (``aws_principal``)."""
    if not isinstance(statement, dict) or "Principal" not in statement:
        return statement
    resource = statement.get("Resource")
    partition = resource.split(":")[1] if isinstance(resource, str) and resource.startswith("arn:") else "aws"
    return {**statement, "Principal": aws_principal(statement["Principal"], partition)}


def _events_policy(_arn: str, parsed: Arn) -> str | None:
    from moto.events.models import events_backends

    backend = _backend(events_backends, parsed.account, parsed.region)
    bus = backend.event_buses.get(parsed.resource[len("event-bus/") :]) if backend is not None else None
    return bus.policy if bus is not None else None


def _s3_policy(_arn: str, parsed: Arn) -> str | None:
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(parsed.resource)
    if owner is None:
        return None
    partition, account = owner
    bucket = s3_backends[account][partition].buckets.get(parsed.resource)
    policy = getattr(bucket, "policy", None)
    return _text(policy) if policy else None


_RESOURCE_POLICY = {
    "lambda": _lambda_policy,
    "sqs": _sqs_policy,
    "sns": _sns_policy,
    "events": _events_policy,
    "s3": _s3_policy,
}


def resource_owner(arn: str) -> str | None:
    """The account that owns a destination: from its ARN, or for a bucket (no account in the ARN) from moto."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return None
    if parsed.service == "s3":
        from moto.s3.models import s3_backends

        owner = s3_backends.bucket_accounts.get(parsed.resource.split("/", 1)[0])
        return owner[1] if owner else None
    return parsed.account or None


# --- KMS: keys, aliases, and the key a queue or topic is encrypted with ------------------------------------------


@dataclass(frozen=True)
class KmsKeyRecord:
    key_id: str
    arn: str
    account: str
    region: str
    policy: str
    key_manager: str  # CUSTOMER or AWS
    state: str = "Enabled"  # KeyState: Enabled, Disabled, PendingDeletion or PendingImport
    origin: str = "AWS_KMS"  # AWS_KMS, or EXTERNAL for a key whose material is imported


def _kms_record(key: Any, account: str, region: str) -> KmsKeyRecord:
    return KmsKeyRecord(
        key.id, key.arn, account, region, _text(key.policy), key.key_manager, str(key.key_state), str(key.origin)
    )


def kms_key(account: str, region: str, key_id: str | None = None, alias: str | None = None) -> KmsKeyRecord | None:
    """The key with this id, or the key this alias name (``alias/...``) points at, in one account and region."""
    from moto.kms.models import kms_backends

    backend = _backend(kms_backends, account, region)
    if backend is None:
        return None
    for key in list(backend.keys.values()):
        if key.id == key_id or (alias is not None and alias in key.aliases):
            return _kms_record(key, account, region)
    return None


def kms_key_metadata(account: str, region: str, key_id: str) -> dict[str, Any] | None:
    """DescribeKey's KeyMetadata for a key of this account and region, as moto builds it (None: no such key)."""
    from moto.kms.models import kms_backends

    backend = _backend(kms_backends, account, region)
    key = backend.keys.get(key_id) if backend is not None else None
    if key is None:
        return None
    metadata = key.to_dict()["KeyMetadata"]
    return {name: value for name, value in metadata.items() if value is not None}


def create_customer_key(
    account: str,
    region: str,
    params: dict[str, Any],
    state: str,
) -> dict[str, Any]:
    """CreateKey as moto makes it (policy, usage, spec, description, tags, multi-region, origin from the request's
    parameters), the new key then put in ``state``; returns its KeyMetadata."""
    from moto.kms.models import kms_backends

    backend = kms_backends[account][region]
    key = backend.create_key(
        params.get("Policy"),
        str(params.get("KeyUsage") or "ENCRYPT_DECRYPT"),
        str(params.get("KeySpec") or params.get("CustomerMasterKeySpec") or ""),
        str(params.get("Description") or ""),
        params.get("Tags"),
        bool(params.get("MultiRegion")),
        str(params.get("Origin") or "AWS_KMS"),
    )
    set_kms_key_state(account, region, key.id, state)
    metadata = kms_key_metadata(account, region, key.id)
    return metadata or {}


def set_kms_key_state(account: str, region: str, key_id: str, state: str, deletion_date: float | None = None) -> None:
    """Put a key of this account and region in a KeyState; ``Enabled`` follows it and ``deletion_date`` (epoch
    seconds) is kept for PendingDeletion only, as DescribeKey shows them."""
    from moto.kms.models import kms_backends

    backend = _backend(kms_backends, account, region)
    key = backend.keys.get(key_id) if backend is not None else None
    if key is None:
        return
    key.key_state = state
    key.enabled = state == "Enabled"
    key.deletion_date = (
        datetime.fromtimestamp(deletion_date, tz=timezone.utc).replace(tzinfo=None)
        if state == "PendingDeletion" and deletion_date is not None
        else None
    )


def create_aws_managed_key(account: str, region: str, alias: str, policy: str, description: str) -> KmsKeyRecord:
    """An AWS managed key (KeyManager AWS) with this alias and key policy; moto has none for SQS or SNS."""
    from moto.kms.models import kms_backends

    backend = kms_backends[account][region]
    key = backend.create_key(policy, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", description, None)
    key.key_manager = "AWS"
    backend.create_alias(key.id, alias)
    return _kms_record(key, account, region)


def encryption_key_reference(arn: str) -> str | None:
    """``KmsMasterKeyId`` of an SQS queue or SNS topic (a key id, key ARN, alias name or alias ARN), if it has one."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return None
    if parsed.service == "sqs":
        from moto.sqs.models import sqs_backends

        backend = _backend(sqs_backends, parsed.account, parsed.region)
        queue = backend.queues.get(parsed.resource) if backend is not None else None
        value = getattr(queue, "kms_master_key_id", None)
    elif parsed.service == "sns":
        from moto.sns.models import sns_backends

        backend = _backend(sns_backends, parsed.account, parsed.region)
        topic = backend.topics.get(arn) if backend is not None else None
        value = getattr(topic, "kms_master_key_id", None)
    else:
        return None
    return value if isinstance(value, str) and value else None


def queue_encryption(arn: str) -> tuple[str | None, bool] | None:
    """(KmsMasterKeyId or None, SQS-managed SSE on) of a queue, or None when there is no such queue."""
    queue = _queue(arn)
    if queue is None:
        return None
    key = getattr(queue, "kms_master_key_id", None)
    sse = getattr(queue, "sqs_managed_sse_enabled", True)
    return (key if isinstance(key, str) and key else None, str(sse).lower() == "true")


def set_queue_sqs_managed_sse(arn: str, enabled: bool) -> None:
    queue = _queue(arn)
    if queue is not None:
        queue.sqs_managed_sse_enabled = enabled


def _queue(arn: str) -> Any | None:
    from moto.sqs.models import sqs_backends

    parsed = Arn.parse(arn)
    if parsed is None or parsed.service != "sqs":
        return None
    backend = _backend(sqs_backends, parsed.account, parsed.region)
    return backend.queues.get(parsed.resource) if backend is not None else None


def reset_moto() -> None:
    """Reset every moto backend, exactly as POST /moto-api/reset does."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
