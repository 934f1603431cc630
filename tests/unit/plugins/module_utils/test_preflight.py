"""The destination preflight against stubbed AWS answers: which reads it makes, in which order, and its verdicts.

Every call is a botocore Stubber response, so each test also proves the exact calls (a missing or extra call fails
the test: Stubber refuses unexpected calls, and `assert_no_pending_responses` refuses unused ones).
"""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.stub import Stubber

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import ConfigPath
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import PathOptions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import _stop_at_refusal
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import DENIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import MISSING
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import OK
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destinations import UNVERIFIED
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_api import Function
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import CREATE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Settings
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import DestinationUse
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Preflight
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.preflight import Refused
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import CONFLICT_REASON

ACCOUNT = "123456789012"
OTHER = "210987654321"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/failures"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:done"
BUCKET = "arn:aws:s3:::failed-events"
SINK = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sink"
FUNCTION = Function(
    EventInvokeConfig(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn:$LATEST", "fn", "$LATEST"), ROLE, ACCOUNT
)
ALLOW_ROLE = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "*", "Resource": "*"}]}
)


class StubbedConnection:
    """Connection.client() with a Stubber behind every client; calls must be stubbed in the order made."""

    session = botocore.session.Session()  # one for the module: it caches the service models clients load

    def __init__(self) -> None:
        self.stubbers: dict[tuple[str, str], Stubber] = {}
        self.clients: dict[tuple[str, str], object] = {}

    def client(self, service: str, region: str | None = None):
        key = (service, region or REGION)
        if key not in self.clients:
            client = self.session.create_client(
                service, region_name=key[1], aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret"
            )
            self.stubbers[key] = Stubber(client)
            self.stubbers[key].activate()
            self.clients[key] = client
        return self.clients[key]

    @property
    def lambda_client(self):
        return self.client("lambda")

    def stub(self, service: str, region: str = REGION) -> Stubber:
        self.client(service, region)
        return self.stubbers[(service, region)]

    def assert_all_used(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def aws():
    connection = StubbedConnection()
    yield connection
    connection.assert_all_used()


@pytest.fixture
def warnings():
    return []


def preflight(aws, warnings) -> Preflight:
    return Preflight(aws, warnings.append)


def queue_found(aws, region=REGION, owner=ACCOUNT, policy=None, key=None):
    """The one SQS read: GetQueueAttributes on the URL the ARN gives answers existence, the queue policy and the
    key (C19)."""
    attributes = {**({"Policy": policy} if policy else {}), **({"KmsMasterKeyId": key} if key else {})}
    url = f"https://sqs.{region}.amazonaws.com/{owner}/failures"
    aws.stub("sqs", region).add_response(
        "get_queue_attributes",
        {"Attributes": attributes},
        {"QueueUrl": url, "AttributeNames": ["Policy", "KmsMasterKeyId"]},
    )


def simulated(aws, decisions: dict, own: dict | None = None, **extra):
    """One SimulatePrincipalPolicy answer, one EvaluationResult per (action, resource) as AWS gives them. `own`:
    for a resource in another account, the role's own-policy part of the decision (EvalDecisionDetails)."""
    results = [
        {"EvalActionName": action, "EvalResourceName": resource, "EvalDecision": decision}
        | (
            {"EvalDecisionDetails": {"IAM Policy": own[(action, resource)]}}
            if own and (action, resource) in own
            else {}
        )
        for (action, resource), decision in decisions.items()
    ]
    expected = {
        "PolicySourceArn": ROLE,
        "ActionNames": sorted({a for a, _r in decisions}),
        "ResourceArns": sorted({r for _a, r in decisions}),
        **extra,
    }
    aws.stub("iam").add_response("simulate_principal_policy", {"EvaluationResults": results}, expected)


def test_an_existing_queue_the_role_may_use_is_ok_after_two_reads(aws, warnings):
    queue_found(aws)
    simulated(aws, {("sqs:SendMessage", QUEUE): "allowed"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == OK and check.exists.value is True and check.allowed.value is True
    assert warnings == []


def test_a_missing_destination_is_refused_without_simulating_the_role(aws, warnings):
    """C11 "The destination ARN ... is invalid.": no policy simulation is needed to know that."""
    aws.stub("sqs").add_client_error(
        "get_queue_attributes", service_error_code="QueueDoesNotExist", http_status_code=400
    )
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == MISSING
    assert "does not exist in region us-east-1, account 123456789012" in check.message()
    assert "QueueDoesNotExist" in check.message()


def test_a_wrong_region_in_the_arn_is_looked_up_in_that_region(aws, warnings):
    queue = QUEUE.replace(REGION, "eu-west-3")
    aws.stub("sqs", "eu-west-3").add_client_error(
        "get_queue_attributes", service_error_code="QueueDoesNotExist", http_status_code=400
    )
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", queue, FUNCTION)])
    assert check.outcome == MISSING and "in region eu-west-3" in check.message()


def test_an_explicit_deny_in_the_role_is_refused_without_reading_the_resource_policy(aws, warnings):
    queue_found(aws)
    simulated(aws, {("sqs:SendMessage", QUEUE): "explicitDeny"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == DENIED
    assert "explicitly denied sqs:SendMessage" in check.message() and ROLE in check.message()


def test_implicit_deny_reads_the_resource_policy_and_evaluates_it(aws, warnings):
    """Within one account the queue's own policy may grant what the role's policies do not. IAM's simulator cannot
    evaluate a resource policy for a role (CallerArn must be a user), so the module reads and evaluates it."""
    queue_found(aws, policy=ALLOW_ROLE)  # the existence read returned it: no second read
    simulated(aws, {("sqs:SendMessage", QUEUE): "implicitDeny"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == OK


def test_implicit_deny_and_no_resource_policy_is_denied(aws, warnings):
    queue_found(aws)
    simulated(aws, {("sqs:SendMessage", QUEUE): "implicitDeny"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == DENIED and "the destination has no policy that grants it" in check.message()


def test_sns_returns_its_policy_with_the_existence_read(aws, warnings):
    aws.stub("sns").add_response("get_topic_attributes", {"Attributes": {"Policy": ALLOW_ROLE}}, {"TopicArn": TOPIC})
    simulated(aws, {("sns:Publish", TOPIC): "implicitDeny"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_success", TOPIC, FUNCTION)])
    assert check.outcome == OK  # and no GetTopicAttributes a second time (Stubber would refuse it)


def test_a_deny_in_a_policy_that_came_with_the_existence_read_is_caught(aws, warnings):
    deny = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC}]})
    aws.stub("sns").add_response("get_topic_attributes", {"Attributes": {"Policy": deny}})
    simulated(aws, {("sns:Publish", TOPIC): "allowed"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_success", TOPIC, FUNCTION)])
    assert check.outcome == DENIED and "denied sns:Publish" in check.message()


def test_s3_needs_put_object_and_list_bucket(aws, warnings):
    aws.stub("s3").add_response("head_bucket", {}, {"Bucket": "failed-events"})
    simulated(aws, {("s3:ListBucket", BUCKET): "allowed", ("s3:PutObject", f"{BUCKET}/*"): "explicitDeny"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", BUCKET, FUNCTION)])
    assert check.outcome == DENIED and f"s3:PutObject on {BUCKET}/*" in check.message()
    assert check.to_result()["actions"] == ["s3:PutObject", "s3:ListBucket"]


def test_a_missing_bucket(aws, warnings):
    aws.stub("s3").add_client_error("head_bucket", service_error_code="404", http_status_code=404)
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", BUCKET, FUNCTION)])
    assert check.outcome == MISSING


def test_one_simulation_per_role_and_one_read_per_destination(aws, warnings):
    """Two destinations of one role: one SimulatePrincipalPolicy; the same destination twice: one read."""
    queue_found(aws)
    aws.stub("sns").add_response("get_topic_attributes", {"Attributes": {}})
    simulated(
        aws,
        {
            ("sns:Publish", QUEUE): "implicitDeny",
            ("sns:Publish", TOPIC): "allowed",
            ("sqs:SendMessage", QUEUE): "allowed",
            ("sqs:SendMessage", TOPIC): "implicitDeny",
        },
    )
    checks = preflight(aws, warnings).check(
        [DestinationUse("on_failure", QUEUE, FUNCTION), DestinationUse("on_success", TOPIC, FUNCTION)]
    )
    assert [c.outcome for c in checks] == [OK, OK]


def test_resource_specific_results_are_read_too(aws, warnings):
    queue_found(aws)
    result = {
        "EvalActionName": "sqs:SendMessage",
        "EvalResourceName": "*",
        "EvalDecision": "implicitDeny",
        "ResourceSpecificResults": [{"EvalResourceName": QUEUE, "EvalResourceDecision": "allowed"}],
    }
    aws.stub("iam").add_response("simulate_principal_policy", {"EvaluationResults": [result]})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == OK


def test_a_read_the_caller_may_not_make_is_unverified_with_one_warning_naming_it(aws, warnings):
    aws.stub("sqs").add_client_error("get_queue_attributes", service_error_code="AccessDenied", http_status_code=403)
    aws.stub("iam").add_client_error(
        "simulate_principal_policy", service_error_code="AccessDenied", http_status_code=403
    )
    other_queue = QUEUE + "-2"
    aws.stub("sqs").add_client_error("get_queue_attributes", service_error_code="AccessDenied", http_status_code=403)
    checks = preflight(aws, warnings).check(
        [DestinationUse("on_failure", QUEUE, FUNCTION), DestinationUse("on_success", other_queue, FUNCTION)]
    )
    assert [c.outcome for c in checks] == [UNVERIFIED, UNVERIFIED]
    assert len(warnings) == 2  # once per missing permission, not once per destination
    assert {"sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy"} == {
        permission
        for permission in ("sqs:GetQueueAttributes", "iam:SimulatePrincipalPolicy")
        for w in warnings
        if permission in w
    }
    assert all("preflight: never" in warning for warning in warnings)


def test_another_accounts_queue_that_cannot_be_seen_is_unverified_not_missing(aws, warnings):
    queue = QUEUE.replace(ACCOUNT, OTHER)
    aws.stub("sqs").add_client_error(
        "get_queue_attributes", service_error_code="QueueDoesNotExist", http_status_code=400
    )
    simulated(aws, {("sqs:SendMessage", queue): "allowed"})  # the role's side is checked; the queue's cannot be
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", queue, FUNCTION)])
    assert check.outcome == UNVERIFIED
    assert warnings and any(OTHER in warning for warning in warnings)


def test_across_accounts_the_role_itself_must_allow(aws, warnings):
    queue = QUEUE.replace(ACCOUNT, OTHER)
    queue_found(aws, owner=OTHER, policy=ALLOW_ROLE)
    simulated(aws, {("sqs:SendMessage", queue): "implicitDeny"}, own={("sqs:SendMessage", queue): "implicitDeny"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", queue, FUNCTION)])
    assert check.outcome == DENIED and "needed across accounts" in check.message()


def test_across_accounts_the_role_s_own_decision_is_read_apart_from_the_combined_one(aws, warnings):
    """The simulator's decision on another account's queue is the cross-account one: with no resource policy given
    it is an implicit deny however the role is allowed. The role's own part (EvalDecisionDetails) allows, and the
    queue's policy allows the role: the write succeeds, so the verdict is ok."""
    queue = QUEUE.replace(ACCOUNT, OTHER)
    queue_found(aws, owner=OTHER, policy=ALLOW_ROLE)
    simulated(aws, {("sqs:SendMessage", queue): "implicitDeny"}, own={("sqs:SendMessage", queue): "allowed"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", queue, FUNCTION)])
    assert check.outcome == OK, check.message()


def test_across_accounts_a_destination_without_a_policy_is_denied(aws, warnings):
    queue = QUEUE.replace(ACCOUNT, OTHER)
    queue_found(aws, owner=OTHER)
    simulated(aws, {("sqs:SendMessage", queue): "implicitDeny"}, own={("sqs:SendMessage", queue): "allowed"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", queue, FUNCTION)])
    assert check.outcome == DENIED


def test_across_accounts_an_answer_that_does_not_separate_the_role_s_part_is_unverified(aws, warnings):
    queue = QUEUE.replace(ACCOUNT, OTHER)
    queue_found(aws, owner=OTHER, policy=ALLOW_ROLE)
    simulated(aws, {("sqs:SendMessage", queue): "implicitDeny"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", queue, FUNCTION)])
    assert check.outcome == UNVERIFIED and "another account" in check.message()


# ---------------------------------------------------------------------------------------------- diagnosis


def refusal(message: str) -> AwsError:
    return AwsError(
        f"PutFunctionEventInvokeConfig failed: {message}", "InvalidParameterValueException", {"message": message}
    )


def path(aws, warnings, preflight_mode="check_mode", check_mode=False) -> ConfigPath:
    return ConfigPath(aws, PathOptions(check_mode, preflight_mode, 30), warnings.append)


FN = Target("fn", "fn", "$LATEST")


def function_read(aws, name="fn", role=ROLE):
    response = {"Configuration": {"FunctionName": name, "FunctionArn": f"{SINK[: -len('sink')]}{name}", "Role": role}}
    aws.stub("lambda").add_response("get_function", response)


def put_refused(aws, message):
    aws.stub("lambda").add_client_error(
        "put_function_event_invoke_config",
        service_error_code="InvalidParameterValueException",
        service_message=message,
        http_status_code=400,
    )


def put_accepted(aws, destination):
    aws.stub("lambda").add_response(
        "put_function_event_invoke_config",
        {
            "FunctionArn": f"{SINK[: -len('sink')]}fn:$LATEST",
            "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": destination}},
        },
    )


def test_a_refused_write_with_a_missing_destination_fails_at_once_naming_the_cause(aws, warnings):
    """The write's refusal comes back to the path (not retried inside the retry policy), which reads to tell why:
    GetFunction for the role, then the destination's own read. One Put."""
    put_refused(aws, f"The destination ARN {SINK} is invalid.")
    function_read(aws)
    aws.stub("lambda").add_client_error(
        "get_function", service_error_code="ResourceNotFoundException", http_status_code=404
    )
    action = Action(CREATE, FN, None, Settings(on_failure=SINK))
    [outcome] = path(aws, warnings).run([action]).outcomes
    assert isinstance(outcome.failure, Refused) and outcome.change is None
    assert "not retried" in str(outcome.failure) and "does not exist" in str(outcome.failure)
    assert [check.outcome for check in outcome.checks] == [MISSING]
    assert outcome.failure.result()["preflight"][0]["outcome"] == MISSING
    aws.assert_all_used()


def test_a_refused_write_whose_destination_checks_out_is_retried_for_propagation_once_diagnosed(aws, warnings):
    """A default real run reads a new topic once (its key); the diagnosis reuses that read, simulates the role, and
    the write is retried for propagation with what was found."""
    aws.stub("sns").add_response("get_topic_attributes", {"Attributes": {}}, {"TopicArn": TOPIC})
    put_refused(aws, f"The function's execution role does not have permissions to call Publish on {TOPIC}")
    function_read(aws)
    simulated(aws, {("sns:Publish", TOPIC): "allowed"})
    put_accepted(aws, TOPIC)
    action = Action(CREATE, FN, None, Settings(on_failure=TOPIC))
    [outcome] = path(aws, warnings).run([action]).outcomes
    assert outcome.failure is None and outcome.change.after.settings.on_failure == TOPIC
    assert [check.outcome for check in outcome.checks] == []  # a retried write reports no refusal
    aws.assert_all_used()


def test_the_write_policy_retries_conflicts_and_returns_destination_refusals_to_the_path():
    assert _stop_at_refusal(AwsError("busy", "ResourceConflictException", {"message": "busy"})) is CONFLICT_REASON
    assert _stop_at_refusal(AwsError("nope", "ValidationException", {"message": "nope"})) is None
    assert _stop_at_refusal(refusal(f"The destination ARN {QUEUE} is invalid.")) is None


# ---------------------------------------------------------------------------------------------- KMS (C19)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DELEGATING_KEY_POLICY = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*"}]}
)
ROLE_KEY_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*"}]})


def key_described(aws, key_id="alias/orders", manager="CUSTOMER"):
    aws.stub("kms").add_response(
        "describe_key",
        {"KeyMetadata": {"KeyId": KEY.rsplit("/", 1)[1], "Arn": KEY, "KeyManager": manager}},
        {"KeyId": key_id},
    )


def key_policy_read(aws, policy):
    aws.stub("kms").add_response("get_key_policy", {"Policy": policy}, {"KeyId": KEY, "PolicyName": "default"})


@pytest.mark.parametrize(
    ("key_policy", "iam_kms", "outcome", "detail"),
    [
        pytest.param(DELEGATING_KEY_POLICY, "allowed", OK, "", id="account-delegates-and-iam-allows"),
        pytest.param(
            DELEGATING_KEY_POLICY, "implicitDeny", DENIED, "its own policies do not allow", id="iam-lacks-kms"
        ),
        pytest.param(ROLE_KEY_POLICY, "implicitDeny", OK, "", id="key-policy-names-the-role"),
        pytest.param(
            json.dumps({"Statement": []}), "allowed", DENIED, "the key policy names neither", id="key-policy-silent"
        ),
    ],
)
def test_an_encrypted_queue_needs_the_key_in_the_same_simulation_and_the_key_policy(
    aws, warnings, key_policy, iam_kms, outcome, detail
):
    """C19: the role needs kms:GenerateDataKey and kms:Decrypt from its own policies (one simulation per role, with
    the destination's action) and from the key policy (naming the role, or the account delegating to IAM)."""
    queue_found(aws, key="alias/orders")
    key_described(aws)
    simulated(
        aws,
        {
            ("kms:Decrypt", KEY): iam_kms,
            ("kms:GenerateDataKey", KEY): iam_kms,
            ("sqs:SendMessage", QUEUE): "allowed",
        },
    )
    key_policy_read(aws, key_policy)
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == outcome
    assert not check.refused  # AWS accepts the config; records are dropped at delivery (C19)
    assert check.to_result()["key"] == KEY
    if outcome == DENIED:
        message = check.message()
        assert KEY in message and ROLE in message and "kms:" in message and detail in message
        assert "drops every record" in message and len(warnings) == 1


def test_an_aws_managed_key_is_fine_in_the_same_account_with_no_key_reads(aws, warnings):
    queue_found(aws, key="alias/aws/sqs")
    key_described(aws, "alias/aws/sqs", manager="AWS")
    simulated(aws, {("sqs:SendMessage", QUEUE): "allowed"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == OK


def test_one_describe_key_and_one_key_policy_per_key_for_many_destinations(aws, warnings):
    topic_attributes = {"Attributes": {"KmsMasterKeyId": "alias/orders"}}
    aws.stub("sns").add_response("get_topic_attributes", topic_attributes, {"TopicArn": TOPIC})
    queue_found(aws, key="alias/orders")
    key_described(aws)  # once: the Stubber refuses a second
    simulated(
        aws,
        {
            ("kms:Decrypt", KEY): "allowed",
            ("kms:GenerateDataKey", KEY): "allowed",
            ("sns:Publish", TOPIC): "allowed",
            ("sqs:SendMessage", QUEUE): "allowed",
        },
    )
    key_policy_read(aws, DELEGATING_KEY_POLICY)
    checks = preflight(aws, warnings).check(
        [DestinationUse("on_success", TOPIC, FUNCTION), DestinationUse("on_failure", QUEUE, FUNCTION)]
    )
    assert [c.outcome for c in checks] == [OK, OK]


def test_a_caller_that_may_not_describe_keys_gets_unverified_and_one_warning(aws, warnings):
    queue_found(aws, key="alias/orders")
    aws.stub("kms").add_client_error("describe_key", service_error_code="AccessDeniedException", http_status_code=400)
    simulated(aws, {("sqs:SendMessage", QUEUE): "allowed"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == UNVERIFIED and "kms:DescribeKey" in check.message()
    assert len(warnings) == 1 and "kms:DescribeKey" in warnings[0]


def test_a_key_in_another_account_that_may_not_be_described_names_that_account_s_key_policy(aws, warnings):
    """Issue 22: "grant kms:DescribeKey to the credentials" cannot help for another account's key: its key policy
    decides. The warning names the key's account and its key policy."""
    queue = QUEUE.replace(ACCOUNT, OTHER)
    other_key = KEY.replace(ACCOUNT, OTHER)
    queue_found(aws, owner=OTHER, policy=ALLOW_ROLE, key=other_key)
    aws.stub("kms").add_client_error("describe_key", service_error_code="AccessDeniedException", http_status_code=400)
    simulated(aws, {("sqs:SendMessage", queue): "implicitDeny"}, own={("sqs:SendMessage", queue): "allowed"})
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", queue, FUNCTION)])
    assert check.outcome == UNVERIFIED
    [warning] = warnings
    assert f"The key is in account {OTHER}: that account's key policy must allow kms:DescribeKey" in warning
    assert "Grant kms:DescribeKey to the credentials" not in warning


def test_a_deleted_execution_role_is_missing_for_its_destinations_and_refuses_the_write(aws, warnings):
    """C25: SimulatePrincipalPolicy answers NoSuchEntity for a role IAM no longer knows: that role may use nothing,
    which is this config's verdict (missing, refused), never the task's failure."""
    queue_found(aws)
    aws.stub("iam").add_client_error(
        "simulate_principal_policy",
        service_error_code="NoSuchEntity",
        service_message="The role with name r cannot be found.",
        http_status_code=404,
    )
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert (check.outcome, check.refused, check.role_missing) == (MISSING, True, True)
    assert f"execution role {ROLE} does not exist" in check.message() and "NoSuchEntity" in check.message()
    assert warnings == []


def test_a_simulation_that_fails_otherwise_leaves_that_role_unverified_with_one_warning(aws, warnings):
    queue_found(aws)
    aws.stub("iam").add_client_error(
        "simulate_principal_policy", service_error_code="ServiceFailure", http_status_code=500
    )
    [check] = preflight(aws, warnings).check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert (check.outcome, check.refused) == (UNVERIFIED, False)
    assert "ServiceFailure" in check.message()
    [warning] = warnings
    assert ROLE in warning and "unverified" in warning


# ---------------------------------------------------------------------------------------------- for the audit


def test_a_fifo_queue_or_a_kind_the_half_cannot_use_is_unsupported_without_any_read(aws, warnings):
    """Decided from the ARN: Stubber refuses any call, so none is made (not even the simulation of the role)."""
    uses = [
        DestinationUse("on_failure", QUEUE + ".fifo", FUNCTION),
        DestinationUse("on_success", BUCKET, FUNCTION),
        DestinationUse("dead_letter", SINK, FUNCTION),
    ]
    checks = preflight(aws, warnings).check(uses)
    assert [c.outcome for c in checks] == ["unsupported"] * 3
    assert "FIFO queue" in checks[0].message() and "dead-letter target" in checks[2].message()
    assert warnings == []


def test_a_dead_letter_queue_is_checked_like_a_destination_in_the_same_reads(aws, warnings):
    """One read per destination and one simulation per role, whichever half (or dead-letter target) uses them."""
    queue_found(aws)
    simulated(aws, {("sqs:SendMessage", QUEUE): "allowed"})
    checks = preflight(aws, warnings).check(
        [DestinationUse("on_failure", QUEUE, FUNCTION), DestinationUse("dead_letter", QUEUE, FUNCTION)]
    )
    assert [(c.half, c.outcome) for c in checks] == [("on_failure", OK), ("dead_letter", OK)]


def test_the_warning_names_who_checks_and_how_to_turn_it_off(aws, warnings):
    aws.stub("sqs").add_client_error("get_queue_attributes", service_error_code="AccessDenied", http_status_code=403)
    simulated(aws, {("sqs:SendMessage", QUEUE): "allowed"})
    audit = Preflight(aws, warnings.append, "Destination audit", "set check_destinations: false")
    [check] = audit.check([DestinationUse("on_failure", QUEUE, FUNCTION)])
    assert check.outcome == UNVERIFIED
    [warning] = warnings
    assert warning.startswith("Destination audit: ") and warning.endswith("or set check_destinations: false.")
    assert "sqs:GetQueueAttributes" in warning


@pytest.mark.parametrize(
    ("arn", "url"),
    [
        (QUEUE, QUEUE_URL),
        ("arn:aws-cn:sqs:cn-north-1:123456789012:q", "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q"),
    ],
)
def test_the_queue_url_is_derived_from_the_arn_in_its_partition(arn, url):
    from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import parse_destination
    from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import queue_url

    assert queue_url(parse_destination(arn)) == url
