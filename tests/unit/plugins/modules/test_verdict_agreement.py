"""One verdict per destination: check mode predicts the real run, and the audit agrees with both.

Every kind of the registry, on every half it serves, under each condition the emulator can build: the destination
exists, is missing, the role is not granted, its resource policy denies the role, and for the kinds that can be
encrypted the KMS key's conditions (enabled, disabled, pending deletion, pending import, not existing, denied by the
role's policies, denied by the key policy). Each case:

1. builds a healthy destination (the role granted) and writes a config holding it on one function, as an operator
   would have done when it worked;
2. breaks it as the case says;
3. audits that config (lambda_event_invoke_config_info, check_destinations);
4. asks check mode, then a real run, to set the same destination on another function.

The audit's outcome, check mode's and (where a real run checks or is refused) the real run's are one, and check
mode fails exactly when the real run fails.
"""

from __future__ import annotations

import itertools
import json
from typing import Any
from typing import Callable
from typing import NamedTuple

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import EVENT_BUS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import KINDS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import LAMBDA_FUNCTION
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import S3_BUCKET
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import SNS_TOPIC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import SQS_QUEUE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import Kind
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config as single
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config_info as info
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

REGION = "us-east-1"
GRANT = "verdict-agreement"  # the inline policy of the world's role each case puts (and may take away)
_serial = itertools.count()


class Case(NamedTuple):
    kind: Kind
    half: str
    condition: str
    outcome: str  # the one verdict
    refused: bool  # whether AWS refuses (and so check mode fails)


class Built(NamedTuple):
    arn: str
    break_it: Callable[[], None]
    mend: Callable[[], None] = lambda: None  # undoes what must not outlive the case (the world's role is shared)


class Estate:
    """Builds one case's destination in the emulator, granted to the world's role, and how to break it."""

    def __init__(self, run: Any) -> None:
        self.run = run
        self.clients = fixtures.Clients(run.emulator.endpoint_url, REGION)
        self.role_name = run.world["role"]["arn"].rsplit("/", 1)[1]
        self.role = run.world["role"]["arn"]
        self.account = self.role.split(":")[4]
        self.name = f"va{next(_serial)}"

    def grant(self, statements: list[dict[str, Any]]) -> None:
        fixtures.grant(self.clients, self.role_name, GRANT, statements)

    def revoke(self) -> None:
        self.clients.iam.delete_role_policy(RoleName=self.role_name, PolicyName=GRANT)

    def deny_statement(self, action: str, resource: str) -> str:
        statement = {"Effect": "Deny", "Principal": {"AWS": self.role}, "Action": action, "Resource": resource}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    def build(self, case: Case) -> Built:
        kind = case.kind
        if case.condition.startswith("key-"):
            return self._encrypted(case)
        if case.condition.startswith("cross-"):
            return self._other_account(case)
        if case.condition == "boundary-denies":
            return self._bounded(case)
        arn, delete, deny = getattr(self, f"_{kind.service}")()
        actions = [{"Effect": "Allow", "Action": a, "Resource": r} for a, r in _permissions(kind, arn)]
        self.grant(actions)
        breaks = {"ok": lambda: None, "missing": delete, "role-denied": self.revoke, "policy-denies": deny}
        return Built(arn, breaks[case.condition])

    # -- one destination of each kind: (ARN, delete it, add a resource policy that denies the role)

    def _sqs(self) -> tuple[str, Callable[[], None], Callable[[], None]]:
        queue = fixtures._queue(self.clients, self.name, {})
        sqs = self.clients.sqs

        def deny() -> None:
            policy = self.deny_statement("sqs:SendMessage", queue["arn"])
            sqs.set_queue_attributes(QueueUrl=queue["url"], Attributes={"Policy": policy})

        return queue["arn"], lambda: sqs.delete_queue(QueueUrl=queue["url"]), deny

    def _sns(self) -> tuple[str, Callable[[], None], Callable[[], None]]:
        sns = self.clients.sns
        arn = sns.create_topic(Name=self.name)["TopicArn"]
        # moto gives a topic AWS's default policy, whose Allow has a Condition the preflight cannot evaluate
        # (unverified, rightly); an owner-only policy that grants no Publish makes the role's grant the deciding one
        owner = {"Effect": "Allow", "Principal": {"AWS": self.account}, "Action": "SNS:GetTopicAttributes"}
        sns.set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps({"Statement": [owner]})
        )

        def deny() -> None:
            sns.set_topic_attributes(
                TopicArn=arn, AttributeName="Policy", AttributeValue=self.deny_statement("sns:Publish", arn)
            )

        return arn, lambda: sns.delete_topic(TopicArn=arn), deny

    def _lambda(self) -> tuple[str, Callable[[], None], Callable[[], None]]:
        function = fixtures.create_function(self.clients, self.name, self.role)
        awslambda = self.clients.awslambda
        arn = function["arn"]
        return arn, lambda: awslambda.delete_function(FunctionName=self.name), _no_deny

    def _events(self) -> tuple[str, Callable[[], None], Callable[[], None]]:
        events = self.clients.events
        arn = events.create_event_bus(Name=self.name)["EventBusArn"]
        return arn, lambda: events.delete_event_bus(Name=self.name), _no_deny

    def _s3(self) -> tuple[str, Callable[[], None], Callable[[], None]]:
        s3 = self.clients.s3
        s3.create_bucket(Bucket=self.name)
        arn = f"arn:aws:s3:::{self.name}"

        def deny() -> None:
            s3.put_bucket_policy(Bucket=self.name, Policy=self.deny_statement("s3:PutObject", f"{arn}/*"))

        return arn, lambda: s3.delete_bucket(Bucket=self.name), deny

    # -- an encrypted queue or topic, and its key's conditions

    def _encrypted(self, case: Case) -> Built:
        policy = fixtures.default_key_policy(self.account)
        if case.condition == "key-policy-denies":
            policy = fixtures.admin_only_key_policy(self.account)
        alias = f"alias/{self.name}"
        if case.condition == "key-pending-import":
            key = fixtures.create_pending_import_key(self.clients, alias)
        elif case.condition == "key-missing":
            key = {"alias": alias, "arn": f"arn:aws:kms:{REGION}:{self.account}:{alias}"}
        else:
            key = fixtures.create_key(self.clients, alias, policy)
        if case.kind is SQS_QUEUE:
            arn = fixtures.create_encrypted_queue(self.clients, self.name, alias)["arn"]
        else:
            arn = fixtures.create_encrypted_topic(self.clients, self.name, alias)["arn"]
        kms = [] if case.condition == "key-role-denied" else [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]
        self.grant([*({"Effect": "Allow", "Action": a, "Resource": r} for a, r in _permissions(case.kind, arn)), *kms])
        breaks: dict[str, Callable[[], None]] = {
            "key-disabled": lambda: fixtures.disable_key(self.clients, key["arn"]),
            "key-pending-deletion": lambda: fixtures.schedule_key_deletion(self.clients, key["arn"]),
        }
        return Built(arn, breaks.get(case.condition, lambda: None))

    # -- a queue in another account; a role held by a permissions boundary

    def _other_account(self, case: Case) -> Built:
        """A queue of account OTHER whose policy grants the role SendMessage and lets this account read it; then
        cross-denied takes the role's grant away, cross-unreadable the caller's read. Across accounts the role's
        grant and the queue's must both allow, and the caller can only check what the queue's owner lets it read."""
        sqs = fixtures.Clients(self.run.emulator.endpoint_url, REGION).sqs
        sqs.meta.events.register("before-sign", _as_account(OTHER))
        arn = f"arn:aws:sqs:{REGION}:{OTHER}:{self.name}"
        send = {"Effect": "Allow", "Principal": {"AWS": self.role}, "Action": "sqs:SendMessage", "Resource": arn}
        read = {"Effect": "Allow", "Principal": {"AWS": self.account}, "Action": "sqs:GetQueueAttributes"}
        read["Resource"] = arn
        url = sqs.create_queue(QueueName=self.name, Attributes={"Policy": json.dumps({"Statement": [send, read]})})
        self.grant([{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}])
        kept = {"cross-denied": [read], "cross-unreadable": [send]}.get(case.condition)

        def break_it() -> None:
            if kept is not None:  # written while both allowed; then the owner takes one grant away
                policy = json.dumps({"Statement": kept})
                sqs.set_queue_attributes(QueueUrl=url["QueueUrl"], Attributes={"Policy": policy})

        return Built(arn, break_it)

    def _bounded(self, case: Case) -> Built:
        """The role granted SendMessage, but its permissions boundary allows only Lambda's actions."""
        arn, _delete, _deny = self._sqs()
        self.grant([{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}])
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]}
        policy = self.clients.iam.create_policy(PolicyName=f"{self.name}-boundary", PolicyDocument=json.dumps(document))
        iam = self.clients.iam

        def bound() -> None:
            iam.put_role_permissions_boundary(RoleName=self.role_name, PermissionsBoundary=policy["Policy"]["Arn"])

        return Built(arn, bound, lambda: iam.delete_role_permissions_boundary(RoleName=self.role_name))


OTHER = "210987654321"


def _as_account(account: str) -> Callable[..., None]:
    def header(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account  # the emulator serves moto's accounts by this header

    return header


def _no_deny() -> None:
    raise AssertionError("no case asks a function's or an event bus's policy to deny (see cases())")


def _permissions(kind: Kind, arn: str) -> list[tuple[str, str]]:
    return [(action, template.format(arn=arn)) for action, template in kind.delivery_actions]


def cases() -> list[Any]:
    found = []
    for kind in KINDS:
        for half in ("on_success", "on_failure"):
            if half not in kind.halves:
                continue
            conditions = [("ok", "ok", False), ("missing", "missing", True), ("role-denied", "denied", True)]
            # A function's policy cannot deny (AddPermission only allows), nor can the emulator set an event bus's
            # (moto's PutPermission with a Policy document fails); a queue's, a topic's and a bucket's can.
            if kind not in (LAMBDA_FUNCTION, EVENT_BUS):
                conditions.append(("policy-denies", "denied", True))
            if kind is SQS_QUEUE:
                conditions += [
                    ("cross-allowed", "ok", False),
                    ("cross-denied", "denied", True),
                    ("cross-unreadable", "unverified", False),  # the caller cannot tell; AWS accepts the write
                    ("boundary-denies", "denied", True),
                ]
            if kind.encrypted:
                conditions += [
                    ("key-enabled", "ok", False),
                    ("key-disabled", "denied", False),  # AWS accepts the write and drops every record (C19, C23)
                    ("key-pending-deletion", "denied", False),
                    ("key-pending-import", "denied", False),
                    ("key-missing", "missing", False),
                    ("key-role-denied", "denied", False),
                    ("key-policy-denies", "denied", False),
                ]
            for condition, outcome, refused in conditions:
                case = Case(kind, half, condition, outcome, refused)
                found.append(pytest.param(case, id=f"{kind.service}-{half}-{condition}"))
    return found


def test_every_kind_of_the_registry_is_in_the_matrix():
    assert {param.values[0].kind for param in cases()} == set(KINDS)
    assert {SQS_QUEUE, SNS_TOPIC, LAMBDA_FUNCTION, EVENT_BUS, S3_BUCKET} == set(KINDS)


def outcome_of(result: dict[str, Any], arn: str) -> str | None:
    found = [item["outcome"] for item in result.get("preflight", []) if item["destination"] == arn]
    return found[0] if found else None


@pytest.mark.parametrize("case", cases())
def test_one_verdict_in_check_mode_the_real_run_and_the_audit(run, case: Case):
    estate = Estate(run)
    built = estate.build(case)
    audited, written = (function["name"] for function in run.world["functions"][:2])
    try:
        run.emulator.client("lambda").put_function_event_invoke_config(
            FunctionName=audited, DestinationConfig={_api_half(case.half): {"Destination": built.arn}}
        )
        built.break_it()
        audit = run(info, function_name=audited, check_destinations=True)
        predicted = run(single, check=True, function_name=written, **{case.half: built.arn})
        real = run(single, function_name=written, **{case.half: built.arn})
    finally:
        built.mend()
    [entry] = audit["event_invoke_configs"]
    [audit_outcome] = [c["outcome"] for c in entry["destination_checks"] if c["half"] == case.half]

    assert audit_outcome == case.outcome, entry["destination_checks"]
    assert outcome_of(predicted, built.arn) == case.outcome, predicted
    assert predicted["failed"] is case.refused, predicted.get("msg")
    assert real["failed"] is case.refused, real.get("msg")
    if case.refused or case.condition.startswith("key-"):  # a default real run checks keys; a refusal is diagnosed
        assert outcome_of(real, built.arn) == case.outcome, real
    if case.refused:
        assert built.arn in predicted["msg"] and built.arn in real["msg"]
    elif case.outcome != "ok":  # AWS accepts it and loses the records: both say so, neither fails
        assert any(built.arn in warning for warning in predicted["warnings"]), predicted["warnings"]
        assert any(built.arn in warning for warning in real["warnings"]), real["warnings"]


def _api_half(half: str) -> str:
    return "OnSuccess" if half == "on_success" else "OnFailure"
