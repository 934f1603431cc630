# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retry policy: which write errors are retried here (C18), and the bounded backoff loop, on a fake clock."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.pacing import RequestRateLimiter
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import FIRST_DELAY
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import MAX_DELAY
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetriesExhausted
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetryReason
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import botocore_retries
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import retry_write
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import write_retry_reason

TEST_REASON = RetryReason("a test conflict", "test advice")

FN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
IPV = "InvalidParameterValueException"


# ============================================================================================== classification


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        pytest.param(
            "ResourceConflictException",
            f"The EventInvokeConfig for function {FN}:$LATEST could not be updated due to a concurrent update "
            "operation.",
            "a concurrent update of the same function (ResourceConflictException)",
            id="409-concurrent-update",
        ),
        pytest.param(
            "ResourceConflictException",
            f"The operation cannot be performed at this time. An update is in progress for resource: {FN}",
            "a concurrent update of the same function (ResourceConflictException)",
            id="409-update-in-progress",
        ),
        pytest.param(
            IPV,
            "The destination ARN arn:aws:lambda:us-east-1:123456789012:function:doesnotexist is invalid.",
            'the destination not being visible to Lambda yet ("The destination ARN ... is invalid.")',
            id="destination-not-visible-yet",
        ),
        pytest.param(
            IPV,
            "The destination ARN arn:aws:sns:us-east-1:123456789012:new-topic is invalid.",
            'the destination not being visible to Lambda yet ("The destination ARN ... is invalid.")',
            id="sns-topic-created-in-the-same-run",
        ),
        pytest.param(
            IPV,
            "The function's execution role does not have permissions to call Publish on "
            "arn:aws:sns:us-east-1:123456789012:topic",
            'the execution role\'s permissions not having propagated yet ("does not have permissions")',
            id="role-not-propagated-tf-wording",
        ),
        pytest.param(
            IPV,
            "The function execution role does not have permissions to call SendMessage on "
            "arn:aws:sqs:us-east-1:123456789012:q",
            'the execution role\'s permissions not having propagated yet ("does not have permissions")',
            id="role-not-propagated-alchemy-wording",
        ),
    ],
)
def test_write_retry_reason_retryable(code, message, expected):
    """C18: 409 on concurrent writes and the two propagation errors right after creating a destination or policy."""
    assert write_retry_reason(code, message).text == expected


@pytest.mark.parametrize(
    ("code", "message"),
    [
        pytest.param(
            IPV,
            "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:iam::"
            "123456789012:role/x), onFailure=null) is invalid.",
            id="unsupported-service-is-permanent",
        ),
        pytest.param(IPV, "You can't specify the function as a destination for itself.", id="recursive"),
        pytest.param(IPV, "You must specify at least one of error handling or destination setting.", id="no-setting"),
        pytest.param(
            IPV,
            "The derived qualifier from the function name does not match the specified qualifier.",
            id="qualifier-mismatch",
        ),
        pytest.param(
            "ValidationException",
            "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member "
            "must have value less than or equal to 2",
            id="validation-exception",
        ),
        pytest.param(
            "ValidationException",
            "The destination ARN arn:aws:sqs:us-east-1:123456789012:q is invalid.",
            id="propagation-text-but-not-ipv",
        ),
        pytest.param("ResourceNotFoundException", "The function doesn't exist.", id="resource-not-found"),
        pytest.param("TooManyRequestsException", "Rate exceeded", id="throttling-is-botocores"),
        pytest.param("ServiceException", "does not have permissions", id="service-exception"),
        pytest.param(None, "The destination ARN arn:aws:sqs:us-east-1:123456789012:q is invalid.", id="no-code"),
    ],
)
def test_write_retry_reason_not_retryable(code, message):
    """C11/C18: permanent user errors, and what botocore already retries, are not retried here."""
    assert write_retry_reason(code, message) is None


def test_botocore_retries():
    """Throttling and 5xx are botocore's own retry modes, bounded by max_attempts."""
    assert botocore_retries(7) == {"mode": "standard", "total_max_attempts": 7}
    assert botocore_retries(3, "adaptive") == {"mode": "adaptive", "total_max_attempts": 3}


# ============================================================================================== retry_write


class Retryable(Exception):
    pass


class Permanent(Exception):
    pass


def classify(error: Exception):
    return TEST_REASON if isinstance(error, Retryable) else None


class FakeTime:
    """A clock that moves only when slept on (plus a fixed cost per call), recording every sleep."""

    def __init__(self, call_cost: float = 0.0) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.call_cost = call_cost

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class FlakyCall:
    """Fails with `errors` in order, then returns "ok"; records when each attempt started."""

    def __init__(self, time: FakeTime, errors: list[Exception]) -> None:
        self.time = time
        self.errors = list(errors)
        self.starts: list[float] = []

    def __call__(self) -> str:
        self.starts.append(self.time.now)
        self.time.now += self.time.call_cost
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


class AlwaysFails(FlakyCall):
    def __call__(self) -> str:
        self.starts.append(self.time.now)
        self.time.now += self.time.call_cost
        raise Retryable("still conflicting")


def run(call, time: FakeTime, timeout: float, jitter: float = 1.0):
    return retry_write(call, classify, timeout, sleep=time.sleep, clock=time.clock, jitter=lambda: jitter)


@pytest.mark.parametrize("failures", [0, 1, 3, 5])
def test_retry_write_succeeds_after_retryable_failures(failures):
    time = FakeTime()
    call = FlakyCall(time, [Retryable(f"conflict {i}") for i in range(failures)])
    assert run(call, time, timeout=60) == "ok"
    assert len(call.starts) == failures + 1
    assert len(time.sleeps) == failures


def test_retry_write_reraises_a_permanent_error_at_once():
    """A ValidationException or similar is not worth a second call: same exception, one call, no sleep."""
    time = FakeTime()
    error = Permanent("The provided destination config ... is invalid.")
    call = FlakyCall(time, [error])
    with pytest.raises(Permanent) as caught:
        run(call, time, timeout=60)
    assert caught.value is error
    assert len(call.starts) == 1
    assert time.sleeps == []


def test_retry_write_reraises_a_permanent_error_after_retryable_ones():
    time = FakeTime()
    call = FlakyCall(time, [Retryable("conflict"), Permanent("not found")])
    with pytest.raises(Permanent):
        run(call, time, timeout=60)
    assert len(call.starts) == 2
    assert len(time.sleeps) == 1


@pytest.mark.parametrize(
    ("jitter", "expected"),
    [
        pytest.param(1.0, [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0], id="full-delay"),
        pytest.param(0.0, [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0], id="half-fixed"),
        pytest.param(0.5, [0.1875, 0.375, 0.75, 1.5, 3.0, 6.0, 6.0, 6.0], id="equal-jitter"),
    ],
)
def test_retry_write_delays_double_and_are_capped(jitter, expected):
    """Equal jitter: half the delay fixed, half random; the delay doubles from FIRST_DELAY up to MAX_DELAY."""
    assert (FIRST_DELAY, MAX_DELAY) == (0.25, 8.0)
    time = FakeTime()
    call = FlakyCall(time, [Retryable("conflict")] * len(expected))
    assert run(call, time, timeout=3600, jitter=jitter) == "ok"
    assert time.sleeps == pytest.approx(expected)


@pytest.mark.parametrize(
    ("timeout", "call_cost", "attempts", "elapsed"),
    [
        # sleeps 0.25 + 0.5 + 1 + 2 + 4 = 7.75; the next 8 s sleep would end at 15.75 > 10
        pytest.param(10, 0.0, 6, 7.75, id="deadline-10s"),
        # each call costs 1 s: after attempt 4, elapsed = 4 + 0.25 + 0.5 + 1 = 5.75 and 5.75 + 2 > 7
        pytest.param(7, 1.0, 4, 5.75, id="slow-calls-count"),
        pytest.param(60, 0.0, 12, 55.75, id="default-budget"),
    ],
)
def test_retry_write_gives_up_before_the_deadline(timeout, call_cost, attempts, elapsed):
    """RetriesExhausted when the next sleep would pass the deadline; no sleep ever ends after it."""
    time = FakeTime(call_cost)
    start = time.now
    call = AlwaysFails(time, [])
    with pytest.raises(RetriesExhausted) as caught:
        run(call, time, timeout=timeout)
    exhausted = caught.value
    assert exhausted.attempts == attempts == len(call.starts)
    assert exhausted.elapsed == pytest.approx(elapsed)
    assert exhausted.reason == TEST_REASON
    assert isinstance(exhausted.error, Retryable)
    assert exhausted.__cause__ is exhausted.error
    assert len(time.sleeps) == attempts - 1
    assert all(started - start <= timeout for started in call.starts)
    assert f"retried {attempts - 1} times over {elapsed:.1f} s because of a test conflict" in str(exhausted)


def test_retry_write_timeout_zero_means_one_attempt():
    time = FakeTime()
    call = AlwaysFails(time, [])
    with pytest.raises(RetriesExhausted) as caught:
        run(call, time, timeout=0, jitter=0.0)
    assert caught.value.attempts == 1
    assert len(call.starts) == 1
    assert time.sleeps == []


def test_retry_write_long_budget_still_ends_in_retries_exhausted():
    """retry_timeout has no maximum: a budget of a few hours must keep the 8 s cap, not overflow the backoff.

    FIRST_DELAY * 2 ** (attempt - 1) stops being a float after about 1025 attempts (~2.3 h at 8 s per sleep).
    """
    time = FakeTime()
    call = AlwaysFails(time, [])
    with pytest.raises(RetriesExhausted) as caught:
        run(call, time, timeout=3 * 3600)
    assert caught.value.attempts == len(call.starts) > 1025
    assert max(time.sleeps) == MAX_DELAY
    assert caught.value.elapsed <= 3 * 3600


def test_the_limiter_paces_every_lambda_call_but_get_function_which_has_its_own_quota():
    """Quotas: GetFunction has 100 requests/s of its own; the shared 15/s bucket is for every other control-plane
    call, retries included (the hook is botocore's before-send, which every attempt passes through)."""
    import botocore.session
    from botocore.awsrequest import AWSResponse

    limiter = RequestRateLimiter(15)
    acquired = []
    limiter.acquire = lambda: acquired.append(True)  # count instead of sleeping
    client = botocore.session.Session().create_client(
        "lambda", region_name="us-east-1", aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret"
    )
    limiter.attach(client)

    class Body:
        def stream(self, **_):
            yield b"{}"

    client.meta.events.register_last(
        "before-send.lambda", lambda request, **_: AWSResponse(request.url, 200, {}, Body())
    )
    client.get_function(FunctionName="fn")
    assert acquired == []
    client.list_function_event_invoke_configs(FunctionName="fn")
    client.get_function_event_invoke_config(FunctionName="fn")
    assert acquired == [True, True]


def test_a_limiter_on_the_session_paces_every_later_client_of_its_service_and_no_other():
    """The audit paces IAM (one endpoint per account) apart from Lambda: a handler on the botocore session reaches
    every IAM client made after it, and no Lambda client, so the Lambda List calls keep their own 15/s."""
    import botocore.session
    from botocore.awsrequest import AWSResponse

    session = botocore.session.Session()
    iam_limiter = RequestRateLimiter(5)
    acquired = []
    iam_limiter.acquire = lambda: acquired.append(True)
    iam_limiter.attach_to_session(session, "iam")

    class Body:
        def __init__(self, text: bytes) -> None:
            self.text = text

        def stream(self, **_):
            yield self.text

    answers = {
        "lambda": b"{}",
        "iam": b"<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult/></SimulatePrincipalPolicyResponse>",
    }

    def client(service):
        made = session.create_client(
            service, region_name="us-east-1", aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret"
        )
        made.meta.events.register_last(
            f"before-send.{service}", lambda request, **_: AWSResponse(request.url, 200, {}, Body(answers[service]))
        )
        return made

    client("lambda").list_function_event_invoke_configs(FunctionName="fn")
    assert acquired == []
    iam = client("iam")
    iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::123456789012:role/r", ActionNames=["sqs:SendMessage"])
    iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::123456789012:role/r", ActionNames=["sns:Publish"])
    assert acquired == [True, True]
