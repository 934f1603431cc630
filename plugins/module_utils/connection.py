# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options (amazon.aws's names, aliases and environment variables), the Lambda client, and errors.

botocore only: boto3 adds nothing these modules use and costs import time on every run.
"""

from __future__ import annotations

import time
import warnings
from typing import Any
from typing import Callable
from typing import Optional
from typing import TypeVar

try:
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import NoCredentialsError
    from botocore.exceptions import ProfileNotFound
    from botocore.exceptions import SSLError

    HAS_BOTOCORE = True
except ImportError:
    HAS_BOTOCORE = False  # the modules report it through missing_required_lib("botocore")

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION
from ansible.module_utils.basic import env_fallback
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import DEFAULT_MAX_ATTEMPTS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import DEFAULT_RETRY_TIMEOUT
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetriesExhausted
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import botocore_retries

COLLECTION_NAME = "cloudops.aws_lambda"
COLLECTION_VERSION = "1.0.0"  # tests/unit checks this against galaxy.yml

T = TypeVar("T")

CONNECTION_ARGUMENT_SPEC: dict[str, Any] = {
    "access_key": {
        "aliases": ["aws_access_key_id", "aws_access_key"],
        "no_log": False,
        "fallback": (env_fallback, ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"]),
    },
    "secret_key": {
        "aliases": ["aws_secret_access_key", "aws_secret_key"],
        "no_log": True,
        "fallback": (env_fallback, ["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"]),
    },
    "session_token": {
        "aliases": ["aws_session_token"],
        "no_log": True,
        # AWS_SECURITY_TOKEN last: older AWX credential injectors set only that name.
        "fallback": (env_fallback, ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]),
    },
    "profile": {"aliases": ["aws_profile"], "fallback": (env_fallback, ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])},
    "region": {"aliases": ["aws_region"], "fallback": (env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])},
    "endpoint_url": {"aliases": ["aws_endpoint_url"], "fallback": (env_fallback, ["AWS_URL"])},
    "validate_certs": {"type": "bool", "default": True},
    "aws_ca_bundle": {"type": "path", "fallback": (env_fallback, ["AWS_CA_BUNDLE"])},
    "aws_config": {"type": "dict"},
    "max_attempts": {"type": "int", "default": DEFAULT_MAX_ATTEMPTS},
    "retry_timeout": {"type": "int", "default": DEFAULT_RETRY_TIMEOUT},
}


class AwsError(Exception):
    """Every failure of an AWS call, reduced to what a user needs and nothing secret."""

    def __init__(self, message: str, code: Optional[str] = None, details: Optional[dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or {}

    def result(self) -> dict[str, Any]:
        """Keyword arguments for fail_json."""
        result: dict[str, Any] = {"msg": str(self)}
        if self.code:
            result["error"] = {"code": self.code, **self.details}
        return result


def execute(module: Any, run: Callable[[Any], dict[str, Any]]) -> None:
    """How every module of this collection ends: `run`'s result, or a failure naming the option or the AWS error.

    Nothing else is caught: an unexpected exception keeps its traceback, which is what a bug report needs.
    """
    if not HAS_BOTOCORE:
        module.fail_json(msg=missing_required_lib("botocore"))
    try:
        module.exit_json(**run(module))
    except ParameterError as error:
        module.fail_json(msg=str(error), option=error.option)
    except AwsError as error:
        module.fail_json(**error.result())


# ---------------------------------------------------------------------------------------------- settings


def client_settings(params: dict[str, Any]) -> dict[str, Any]:
    """Check the connection options and turn them into client arguments; no I/O.

    The region is left to botocore (profile, config file) when no option or variable gives one; `connect`
    refuses to go on without it.
    """
    keys = [params.get(name) for name in ("access_key", "secret_key", "session_token")]
    if params.get("profile") and any(keys):
        raise ParameterError(
            "profile",
            "profile cannot be combined with access_key, secret_key or session_token (or the AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN variables): choose one source of credentials.",
        )
    if bool(params.get("access_key")) != bool(params.get("secret_key")):
        raise ParameterError("secret_key", "access_key and secret_key must be given together.")
    for option, lowest in (("max_attempts", 1), ("retry_timeout", 0)):
        check_at_least(params, option, lowest)
    verify: Any = params.get("aws_ca_bundle") or True
    if params.get("validate_certs") is False:
        verify = False
    return {
        "profile": params.get("profile") or None,
        "access_key": params.get("access_key") or None,
        "secret_key": params.get("secret_key") or None,
        "session_token": params.get("session_token") or None,
        "region": params.get("region") or None,
        "endpoint_url": params.get("endpoint_url") or None,
        "verify": verify,
        "aws_config": params.get("aws_config") or {},
        "max_attempts": params.get("max_attempts") or DEFAULT_MAX_ATTEMPTS,
    }


def check_at_least(params: dict[str, Any], option: str, lowest: float) -> None:
    if params.get(option) is not None and params[option] < lowest:
        raise ParameterError(option, f"{option} must be at least {lowest}.")


def user_agent_extra() -> str:
    return f"{COLLECTION_NAME}/{COLLECTION_VERSION} Ansible/{ANSIBLE_VERSION}"


def connect(settings: dict[str, Any], retry_mode: str = "standard") -> tuple[Any, str]:
    """A botocore Lambda client and its region. botocore does throttling/5xx retries in `retry_mode`."""
    session = botocore.session.Session(profile=settings["profile"])
    if settings["access_key"]:
        session.set_credentials(settings["access_key"], settings["secret_key"], settings["session_token"])
    try:
        region = settings["region"] or session.get_config_variable("region")
        session.get_scoped_config()  # raises ProfileNotFound now, not from inside create_client
    except ProfileNotFound:
        raise ParameterError(
            "profile", f"profile {settings['profile']!r} is not in the AWS configuration or credentials files."
        ) from None
    if not region:
        raise ParameterError(
            "region",
            "No AWS region: set region (alias aws_region), the AWS_REGION or AWS_DEFAULT_REGION variable, "
            "or a region in the profile's configuration.",
        )
    config = Config(
        user_agent_extra=user_agent_extra(),
        retries=botocore_retries(settings["max_attempts"], retry_mode),
        max_pool_connections=32,
    )
    if settings["aws_config"]:
        try:
            config = config.merge(Config(**settings["aws_config"]))
        except TypeError as error:
            raise ParameterError("aws_config", f"aws_config is not a valid botocore Config: {error}.") from None
    if settings["verify"] is False:
        _silence_insecure_request_warning()
    client = session.create_client(
        "lambda", region_name=region, endpoint_url=settings["endpoint_url"], verify=settings["verify"], config=config
    )
    client.meta.events.register("needs-retry.lambda", _never_retry_certificate_errors)
    return client, region


def _never_retry_certificate_errors(caught_exception: Optional[BaseException] = None, **_kwargs: Any) -> None:
    """botocore's retry modes treat every connection error as transient, a failed TLS verification included; it
    fails the same way on every attempt, so stop at the first one (raising ends botocore's retry loop)."""
    if isinstance(caught_exception, SSLError):
        raise caught_exception


def _silence_insecure_request_warning() -> None:
    """urllib3 would print its own warning for every request; the module warns once instead."""
    warnings.filterwarnings("ignore", message="Unverified HTTPS request")


# ---------------------------------------------------------------------------------------------- calls


def call(operation: str, method: Callable[..., T], **params: Any) -> T:
    """Make one API call; turn every botocore failure into an AwsError that says what happened."""
    start = time.monotonic()
    try:
        return method(**params)
    except ClientError as error:
        raise client_error(operation, error, time.monotonic() - start) from None
    except SSLError as error:
        raise AwsError(
            f"{operation}: TLS certificate verification failed ({error}). Set aws_ca_bundle to the CA bundle that "
            "signed the endpoint's certificate, or validate_certs: false to skip the check (not for production)."
        ) from None
    except NoCredentialsError:
        raise AwsError(
            f"{operation}: no AWS credentials found. Set access_key and secret_key, or profile, or the "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables."
        ) from None
    except BotoCoreError as error:
        raise AwsError(f"{operation} failed: {error}") from None


def client_error(operation: str, error: Any, elapsed: float) -> AwsError:
    code = error.response.get("Error", {}).get("Code")
    message = error.response.get("Error", {}).get("Message", "")
    metadata = error.response.get("ResponseMetadata", {})
    attempts = metadata.get("RetryAttempts", 0) + 1
    details = {
        "message": message,
        "http_status_code": metadata.get("HTTPStatusCode"),
        "request_id": metadata.get("RequestId"),
        "attempts": attempts,
    }
    text = f"{operation} failed: {code}: {message}"
    if code == "TooManyRequestsException" or metadata.get("HTTPStatusCode") == 429:
        tries = (
            "on its only attempt (max_attempts=1)"
            if attempts == 1
            else (f"on all {attempts} attempts over {elapsed:.1f} s, retried by botocore with backoff")
        )
        text = (
            f"{operation} was throttled by AWS ({code}: {message}) {tries}. Lambda allows 15 control-plane requests "
            "per second per account and region, shared by every tool: lower the request rate (fewer forks) or "
            "raise max_attempts."
        )
    elif attempts > 1:
        text += f" (after {attempts} attempts over {elapsed:.1f} s)"
    return AwsError(text, code, details)


def exhausted_error(operation: str, exhausted: RetriesExhausted) -> AwsError:
    """The message for a write whose bounded retry of conflicts or propagation errors ran out."""
    inner = exhausted.error
    code = inner.code if isinstance(inner, AwsError) else None
    details = inner.details if isinstance(inner, AwsError) else {}
    return AwsError(
        f"{inner} — retried {exhausted.attempts - 1} times over {exhausted.elapsed:.1f} s because the error looked "
        f"like {exhausted.reason}; gave up at retry_timeout. If the destination or role policy was just created, run "
        "again or raise retry_timeout; otherwise check that the destination exists and the function's execution "
        "role may send to it.",
        code,
        {**details, "attempts": exhausted.attempts},
    )
