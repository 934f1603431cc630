# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options, the botocore client (built offline, never sending a request) and error reporting."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.exceptions import EndpointConnectionError
from botocore.exceptions import NoCredentialsError
from botocore.exceptions import SSLError
from botocore.stub import Stubber

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import call
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import operation_name
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import COLLECTION_VERSION
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import CONNECT_ATTEMPTS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import CONNECTION_ARGUMENT_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import Connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import client_settings
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import open_connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import user_agent_extra
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import client_error
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import exhausted_error
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import parse_target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import CONFLICT_REASON
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import DESTINATION_PROPAGATION_REASON
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetriesExhausted
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.runner import refuse_booleans

REPO_ROOT = Path(__file__).resolve().parents[4]
ENDPOINT = "http://127.0.0.1:1"  # never contacted: every request is answered by a hook or a Stubber
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzSESSIONTOKENxyz"
FN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"


def params(**overrides) -> dict:
    """Module params after argument parsing: every connection option present, defaults filled in."""
    values = {
        "access_key": None,
        "secret_key": None,
        "session_token": None,
        "profile": None,
        "region": None,
        "endpoint_url": None,
        "validate_certs": True,
        "aws_ca_bundle": None,
        "aws_config": None,
        "max_attempts": 10,
        "retry_timeout": 60,
    }
    values.update(overrides)
    return values


def refusal(function, *args) -> ParameterError:
    with pytest.raises(ParameterError) as caught:
        function(*args)
    return caught.value


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """No AWS variable, and empty config and credentials files: botocore finds nothing on this machine."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text("")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return config


# ============================================================================================== client_settings


def test_client_settings_plain():
    settings = client_settings(params(access_key="AKIAEXAMPLE", secret_key=SECRET, region="eu-west-1", max_attempts=4))
    assert settings == {
        "profile": None,
        "access_key": "AKIAEXAMPLE",
        "secret_key": SECRET,
        "session_token": None,
        "region": "eu-west-1",
        "endpoint_url": None,
        "verify": True,
        "aws_config": {},
        "max_attempts": 4,
    }


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param({"access_key": "AKIAEXAMPLE", "secret_key": SECRET}, id="keys"),
        pytest.param({"session_token": TOKEN}, id="token-only"),
        pytest.param({"access_key": "AKIAEXAMPLE", "secret_key": SECRET, "session_token": TOKEN}, id="all"),
    ],
)
def test_client_settings_refuses_profile_with_keys(keys):
    """amazon.aws: "Passing both a profile and access tokens is not supported." Choose one source."""
    error = refusal(client_settings, params(profile="dev", **keys))
    assert error.option == "profile"
    assert "profile cannot be combined with access_key, secret_key or session_token" in str(error)
    assert SECRET not in str(error) and TOKEN not in str(error)


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param({"access_key": "AKIAEXAMPLE"}, id="access-key-alone"),
        pytest.param({"secret_key": SECRET}, id="secret-key-alone"),
        pytest.param({"access_key": "AKIAEXAMPLE", "secret_key": ""}, id="empty-secret"),
    ],
)
def test_client_settings_needs_both_keys(keys):
    error = refusal(client_settings, params(**keys))
    assert error.option == "secret_key"
    assert "access_key and secret_key must be given together" in str(error)
    assert SECRET not in str(error)


@pytest.mark.parametrize(
    ("validate_certs", "aws_ca_bundle", "verify"),
    [
        pytest.param(True, None, True, id="default"),
        pytest.param(False, None, False, id="validate-certs-false"),
        pytest.param(True, "/etc/pki/corp-ca.pem", "/etc/pki/corp-ca.pem", id="ca-bundle"),
        pytest.param(False, "/etc/pki/corp-ca.pem", False, id="validate-certs-false-wins"),
    ],
)
def test_client_settings_verify(validate_certs, aws_ca_bundle, verify):
    settings = client_settings(params(validate_certs=validate_certs, aws_ca_bundle=aws_ca_bundle))
    assert settings["verify"] == verify


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("max_attempts", 0, id="max-attempts-0"),
        pytest.param("max_attempts", -3, id="max-attempts-negative"),
        pytest.param("retry_timeout", -1, id="retry-timeout-negative"),
    ],
)
def test_client_settings_refuses_bad_budgets(option, value):
    error = refusal(client_settings, params(**{option: value}))
    assert error.option == option
    assert f"{option} must be at least" in str(error)


def test_client_settings_allows_smallest_budgets():
    """max_attempts 1 means no botocore retry; retry_timeout 0 means one write attempt."""
    assert client_settings(params(max_attempts=1, retry_timeout=0))["max_attempts"] == 1


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        pytest.param("localhost:4566", "did you mean 'http://localhost:4566'?", id="no-scheme"),
        pytest.param("127.0.0.1:4566", "did you mean 'http://127.0.0.1:4566'?", id="no-scheme-ip"),
        pytest.param("localstack", "did you mean 'http://localstack'?", id="bare-host"),
        pytest.param("ftp://localhost:4566", None, id="not-http"),
        pytest.param("https://", None, id="no-host"),
        pytest.param("http://:4566", None, id="port-no-host"),
        pytest.param("http://localhost:99999", None, id="port-out-of-range"),
        pytest.param("http://localhost:port", None, id="port-not-a-number"),
        pytest.param("http://local host:4566", None, id="host-with-space"),
    ],
)
def test_client_settings_refuses_an_endpoint_url_botocore_cannot_use(url, hint):
    """botocore said only "Invalid endpoint: URL" when it built the client; now the option, the value and the form it
    wants are named, before any client exists (so before any call)."""
    error = refusal(client_settings, params(endpoint_url=url, region="us-east-1"))
    assert error.option == "endpoint_url"
    message = str(error)
    assert message.startswith(f"endpoint_url {url!r} ") and "AWS_URL" in message
    assert "http://HOST[:PORT] or https://HOST[:PORT]" in message
    assert ("did you mean" in message) == (hint is not None)
    if hint:
        assert hint in message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:4566",
        "http://localhost:4566",
        "https://lambda.eu-west-1.amazonaws.com",
        "HTTPS://lambda.eu-west-1.amazonaws.com",
        "http://[::1]:4566",
        "https://vpce-0123.lambda.eu-west-1.vpce.amazonaws.com/",
        "http://localhost:4566/some/path",
    ],
)
def test_client_settings_keeps_a_usable_endpoint_url_as_it_is(aws_env, url):
    settings = client_settings(params(endpoint_url=url, region="us-east-1"))
    assert settings["endpoint_url"] == url
    assert connect(settings)[0].meta.endpoint_url.lower().rstrip("/") == url.lower().rstrip("/")


def test_a_bad_endpoint_botocore_finds_itself_names_where_it_comes_from(aws_env, monkeypatch):
    """With no endpoint_url, botocore reads AWS_ENDPOINT_URL itself, and failed with a bare ValueError."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "localhost:4566")
    error = refusal(connect, client_settings(params(region="us-east-1")))
    assert error.option == "endpoint_url"
    assert "Invalid endpoint: localhost:4566" in str(error)
    assert "AWS_ENDPOINT_URL" in str(error) and "http://HOST[:PORT]" in str(error)
    # and even with aws_config given, it is not blamed on aws_config
    error = refusal(connect, client_settings(params(region="us-east-1", aws_config={"connect_timeout": 5})))
    assert error.option == "endpoint_url"


def test_client_settings_empty_strings_are_none():
    """amazon.aws: empty strings become None (an empty AWS_PROFILE must not select a profile named "")."""
    settings = client_settings(params(profile="", region="", endpoint_url="", access_key="", secret_key=""))
    assert [settings[k] for k in ("profile", "region", "endpoint_url", "access_key", "secret_key")] == [None] * 5


# ============================================================================================== argument spec

FALLBACK_VARIABLES = sorted(
    {name for spec in CONNECTION_ARGUMENT_SPEC.values() if "fallback" in spec for name in spec["fallback"][1]}
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in FALLBACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def parse(module_params: dict):
    result = ArgumentSpecValidator(CONNECTION_ARGUMENT_SPEC).validate(module_params)
    assert result.error_messages == []
    return result


@pytest.mark.parametrize(
    ("variable", "option"),
    [
        pytest.param("AWS_ACCESS_KEY_ID", "access_key", id="AWS_ACCESS_KEY_ID"),
        pytest.param("AWS_ACCESS_KEY", "access_key", id="AWS_ACCESS_KEY"),
        pytest.param("AWS_SECRET_ACCESS_KEY", "secret_key", id="AWS_SECRET_ACCESS_KEY"),
        pytest.param("AWS_SECRET_KEY", "secret_key", id="AWS_SECRET_KEY"),
        pytest.param("AWS_SESSION_TOKEN", "session_token", id="AWS_SESSION_TOKEN"),
        pytest.param("AWS_SECURITY_TOKEN", "session_token", id="AWS_SECURITY_TOKEN-older-awx"),
        pytest.param("AWS_PROFILE", "profile", id="AWS_PROFILE"),
        pytest.param("AWS_DEFAULT_PROFILE", "profile", id="AWS_DEFAULT_PROFILE"),
        pytest.param("AWS_REGION", "region", id="AWS_REGION"),
        pytest.param("AWS_DEFAULT_REGION", "region", id="AWS_DEFAULT_REGION"),
        pytest.param("AWS_URL", "endpoint_url", id="AWS_URL"),
        pytest.param("AWS_CA_BUNDLE", "aws_ca_bundle", id="AWS_CA_BUNDLE"),
    ],
)
def test_environment_fallbacks(clean_env, variable, option):
    """amazon.aws's variables (conventions section 3.2), each alone, reach their option."""
    value = "/tmp/ca.pem" if option == "aws_ca_bundle" else f"value-of-{variable}"
    clean_env.setenv(variable, value)
    assert parse({}).validated_parameters[option] == value


@pytest.mark.parametrize(
    ("first", "last", "option"),
    [
        pytest.param("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "session_token", id="session-token-first"),
        pytest.param("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "access_key", id="access-key-id-first"),
        pytest.param("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "secret_key", id="secret-access-key-first"),
        pytest.param("AWS_REGION", "AWS_DEFAULT_REGION", "region", id="aws-region-first"),
        pytest.param("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "profile", id="aws-profile-first"),
    ],
)
def test_environment_fallback_order(clean_env, first, last, option):
    """AWS_SECURITY_TOKEN is the last resort for session_token: newer AWX sets both, older only it."""
    clean_env.setenv(first, "preferred")
    clean_env.setenv(last, "fallback")
    assert parse({}).validated_parameters[option] == "preferred"
    clean_env.delenv(first)
    assert parse({}).validated_parameters[option] == "fallback"


def test_explicit_option_beats_environment(clean_env):
    clean_env.setenv("AWS_REGION", "eu-west-1")
    clean_env.setenv("AWS_SECURITY_TOKEN", "from-env")
    values = parse({"region": "us-east-1", "session_token": "explicit"}).validated_parameters
    assert (values["region"], values["session_token"]) == ("us-east-1", "explicit")


@pytest.mark.parametrize(
    ("alias", "option"),
    [
        ("aws_access_key_id", "access_key"),
        ("aws_access_key", "access_key"),
        ("aws_secret_access_key", "secret_key"),
        ("aws_secret_key", "secret_key"),
        ("aws_session_token", "session_token"),
        ("aws_profile", "profile"),
        ("aws_region", "region"),
        ("aws_endpoint_url", "endpoint_url"),
    ],
)
def test_aliases(clean_env, alias, option):
    assert parse({alias: "x"}).validated_parameters[option] == "x"


def test_defaults(clean_env):
    values = parse({}).validated_parameters
    assert (values["validate_certs"], values["max_attempts"], values["retry_timeout"]) == (True, 10, 60)
    assert values["access_key"] is None and values["region"] is None


def test_secret_options_have_no_log():
    assert CONNECTION_ARGUMENT_SPEC["secret_key"]["no_log"] is True
    assert CONNECTION_ARGUMENT_SPEC["session_token"]["no_log"] is True
    assert CONNECTION_ARGUMENT_SPEC["access_key"]["no_log"] is False  # an ID, not a secret (and no sanity warning)


@pytest.mark.parametrize("variable", ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"])
def test_secrets_from_the_environment_are_masked(clean_env, variable):
    """A secret that arrives through a fallback variable is masked in module output too."""
    clean_env.setenv(variable, SECRET)
    assert SECRET in parse({})._no_log_values


def test_secrets_given_as_options_are_masked(clean_env):
    result = parse({"aws_secret_access_key": SECRET, "aws_session_token": TOKEN})
    assert {SECRET, TOKEN} <= result._no_log_values


# ============================================================================================== connect


def connect(settings, retry_mode="standard"):
    connection = Connection(settings, retry_mode)
    return connection.lambda_client, connection.region


def client_for(region="us-east-1", **overrides):
    return connect(client_settings(params(**{"region": region, "endpoint_url": ENDPOINT, **overrides})))


class FakeModule:
    def __init__(self, **overrides):
        self.params = params(**overrides)
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def test_connect_without_any_region_refuses(aws_env):
    """No option, no variable, no profile region: a clear error naming region, before any call."""
    error = refusal(connect, client_settings(params(access_key="AKIAEXAMPLE", secret_key=SECRET)))
    assert error.option == "region"
    assert "region" in str(error) and "AWS_REGION" in str(error)
    # module_defaults: group/aws is the usual way users set a region, and it does not reach this collection
    assert "group/cloudops.aws_lambda.aws" in str(error) and "group/aws" in str(error)


def test_connect_takes_the_region_from_the_profile(aws_env):
    aws_env.write_text("[profile dev]\nregion = eu-central-1\n")
    client, region = connect(client_settings(params(profile="dev")))
    assert region == client.meta.region_name == "eu-central-1"


def test_connect_option_region_beats_the_profile(aws_env):
    aws_env.write_text("[profile dev]\nregion = eu-central-1\n")
    client, region = connect(client_settings(params(profile="dev", region="us-west-2")))
    assert region == client.meta.region_name == "us-west-2"


def test_connect_client_config(aws_env):
    client, region = client_for(max_attempts=4)
    assert region == client.meta.region_name == "us-east-1"
    assert client.meta.endpoint_url == ENDPOINT
    assert client.meta.service_model.service_name == "lambda"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert client.meta.config.connect_timeout == 10  # not botocore's 60 s per attempt
    assert f"cloudops.aws_lambda/{COLLECTION_VERSION}" in client.meta.config.user_agent_extra


def test_connect_retry_mode(aws_env):
    client, _region = connect(client_settings(params(region="us-east-1", max_attempts=2)), retry_mode="adaptive")
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 2}


def test_connect_merges_aws_config(aws_env):
    """aws_config is merged over the collection's Config: the user agent and retries survive."""
    client, _region = client_for(aws_config={"connect_timeout": 5, "read_timeout": 7})
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (5, 7)
    assert f"cloudops.aws_lambda/{COLLECTION_VERSION}" in client.meta.config.user_agent_extra
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 10}


def test_connect_validate_certs_false_reaches_the_client(aws_env):
    client, _region = client_for(validate_certs=False)
    assert client._endpoint.http_session._verify is False


def test_connection_makes_each_client_once_per_service_and_region(aws_env):
    connection = Connection(client_settings(params(region="us-east-1", endpoint_url=ENDPOINT)))
    assert connection.client("lambda") is connection.lambda_client
    sqs = connection.client("sqs", "eu-west-1")
    assert sqs is connection.client("sqs", "eu-west-1")
    assert sqs.meta.region_name == "eu-west-1" and sqs.meta.endpoint_url == ENDPOINT
    assert connection.client("sqs") is not sqs


def test_connect_refuses_an_unknown_profile_clearly(aws_env):
    """A typo in profile (or AWS_PROFILE) must be a failure the module reports, not a botocore traceback."""
    with pytest.raises((ParameterError, AwsError)) as caught:
        connect(client_settings(params(profile="no-such-profile", region="us-east-1")))
    assert "no-such-profile" in str(caught.value)


def test_connect_refuses_an_unknown_aws_config_key_clearly(aws_env):
    """aws_config is free-form; a key botocore's Config does not know must name the option, not crash."""
    with pytest.raises(ParameterError) as caught:
        client_for(aws_config={"connect_timout": 5})
    assert caught.value.option == "aws_config"
    assert "connect_timout" in str(caught.value)


@pytest.mark.parametrize(
    ("aws_config", "fragment"),
    [
        pytest.param({"retries": "x"}, "retries must be a dict", id="retries-not-a-dict"),
        pytest.param({"s3": "x"}, "s3 must be a dict", id="s3-not-a-dict"),
        pytest.param({"proxies": "x"}, "proxies must be a dict", id="proxies-not-a-dict"),
        pytest.param({"connect_timeout": "abc"}, "connect_timeout must be a int or float", id="timeout-text"),
        pytest.param({"connect_timeout": True}, "connect_timeout must be a int or float", id="timeout-bool"),
        pytest.param({"max_pool_connections": "x"}, "max_pool_connections must be a int", id="pool-text"),
        pytest.param({"user_agent_extra": 5}, "user_agent_extra must be a str", id="user-agent-number"),
        pytest.param({"retries": {"mode": "bogus"}}, "not a valid botocore Config", id="retry-mode-unknown"),
        pytest.param({"read_timeout": -1}, "not a valid botocore Config", id="negative-timeout"),
    ],
)
def test_connect_refuses_bad_aws_config_values_naming_the_option(aws_env, aws_config, fragment):
    """Wrong values used to surface as AttributeError/ValueError tracebacks from inside botocore."""
    with pytest.raises(ParameterError) as caught:
        client_for(aws_config=aws_config)
    assert caught.value.option == "aws_config"
    assert fragment in str(caught.value)


def test_open_connection_warns_once_when_certificates_are_not_verified(aws_env):
    module = FakeModule(region="us-east-1", endpoint_url=ENDPOINT, validate_certs=False)
    open_connection(module)
    assert module.warnings == ["validate_certs is false: the endpoint's TLS certificate was not verified."]
    quiet = FakeModule(region="us-east-1", endpoint_url=ENDPOINT)
    open_connection(quiet)
    assert quiet.warnings == []


def test_open_connection_refuses_a_function_arn_of_another_region(aws_env):
    module = FakeModule(region="us-east-1", endpoint_url=ENDPOINT)
    target = parse_target("arn:aws:lambda:eu-west-1:123456789012:function:my-fn")
    assert refusal(open_connection, module, [target]).option == "function_name"


@pytest.mark.parametrize(
    ("params_", "option"),
    [
        pytest.param({"maximum_retry_attempts": True}, "maximum_retry_attempts", id="int"),
        pytest.param({"rate_limit": False}, "rate_limit", id="float"),
        pytest.param(
            {"config": [{"x": 1}, {"maximum_retry_attempts": True}]}, "config[1].maximum_retry_attempts", id="list"
        ),
        pytest.param({"nested": {"maximum_retry_attempts": True}}, "nested.maximum_retry_attempts", id="dict"),
    ],
)
def test_refuse_booleans_names_the_option(params_, option):
    """A YAML true passes Ansible's int check (bool is an int to Python) and AWS refuses it (SerializationException)."""
    number = {"type": "int"}
    spec = {
        "maximum_retry_attempts": number,
        "rate_limit": {"type": "float"},
        "config": {"type": "list", "elements": "dict", "options": {"x": number, "maximum_retry_attempts": number}},
        "nested": {"type": "dict", "options": {"maximum_retry_attempts": number}},
    }
    error = refusal(refuse_booleans, spec, params_)
    assert error.option == option
    assert "must be a number" in str(error)
    refuse_booleans(spec, {"maximum_retry_attempts": 0, "rate_limit": 1.5, "config": [{"x": 2}], "nested": None})


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_):
        yield self.data


def test_requests_carry_the_user_agent_and_no_secret(aws_env):
    """What goes on the wire: the collection's user agent; the secret key signs but is never sent."""
    client, _region = client_for(access_key="AKIAEXAMPLE", secret_key=SECRET, session_token=TOKEN)
    seen = {}
    body = {
        "FunctionArn": f"{FN}:$LATEST",
        "LastModified": 1573686021.479,
        "MaximumRetryAttempts": 0,
        "DestinationConfig": {"OnSuccess": {}, "OnFailure": {}},
    }

    def answer(request, **_):
        seen["headers"] = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        seen["url"] = request.url
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, _Body(json.dumps(body).encode()))

    client.meta.events.register("before-send.lambda", answer)
    response = call(client.get_function_event_invoke_config, FunctionName="my-fn")
    assert response["MaximumRetryAttempts"] == 0
    user_agent = seen["headers"]["User-Agent"]
    assert f"cloudops.aws_lambda/{COLLECTION_VERSION}" in user_agent
    assert f"Ansible/{ANSIBLE_VERSION}" in user_agent
    assert seen["url"].startswith(f"{ENDPOINT}/2019-09-25/functions/my-fn/event-invoke-config")
    assert SECRET not in repr(seen)
    assert "AKIAEXAMPLE" in seen["headers"]["Authorization"]


# ============================================================================================== errors


def boto_error(code, message, status, retry_attempts=0, operation="PutFunctionEventInvokeConfig", **extra):
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RequestId": "req-1234", "HTTPStatusCode": status, "RetryAttempts": retry_attempts},
        **extra,
    }
    return ClientError(response, operation)


def test_client_error_throttled():
    """C18 / quotas: say it was throttled, on how many attempts, and what to change (rate or max_attempts)."""
    error = boto_error("TooManyRequestsException", "Rate exceeded", 429, 9, Reason="CallerRateLimitExceeded")
    result = client_error("PutFunctionEventInvokeConfig", error, 12.34)
    message = str(result)
    assert message.startswith(
        "PutFunctionEventInvokeConfig was throttled by AWS (TooManyRequestsException: Rate exceeded) "
        "on all 10 attempts over 12.3 s"
    )
    assert "15 control-plane requests per second" in message
    assert "max_attempts" in message
    assert result.code == "TooManyRequestsException"
    assert result.details == {
        "message": "Rate exceeded",
        "http_status_code": 429,
        "request_id": "req-1234",
        "attempts": 10,
    }


def test_client_error_429_with_another_code_is_throttling():
    message = str(client_error("ListFunctions", boto_error("Throttling", "slow down", 429, 2), 3.0))
    assert "ListFunctions was throttled by AWS (Throttling: slow down) on all 3 attempts over 3.0 s" in message


@pytest.mark.parametrize(
    ("error", "elapsed", "expected"),
    [
        pytest.param(
            boto_error("ResourceNotFoundException", "The function doesn't exist.", 404),
            0.2,
            "PutFunctionEventInvokeConfig failed: ResourceNotFoundException: The function doesn't exist.",
            id="c7-not-found",
        ),
        pytest.param(
            boto_error(
                "ValidationException",
                "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: "
                "Member must have value less than or equal to 2",
                400,
            ),
            0.1,
            "PutFunctionEventInvokeConfig failed: ValidationException: 1 validation error detected: Value '3' at "
            "'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
            id="c6-validation",
        ),
        pytest.param(
            boto_error("ServiceException", "Internal error", 500, 2),
            1.46,
            "PutFunctionEventInvokeConfig failed: ServiceException: Internal error (after 3 attempts over 1.5 s)",
            id="5xx-retried-by-botocore",
        ),
    ],
)
def test_client_error_plain(error, elapsed, expected):
    result = client_error("PutFunctionEventInvokeConfig", error, elapsed)
    assert str(result) == expected
    assert result.code == error.response["Error"]["Code"]
    assert result.details["http_status_code"] == error.response["ResponseMetadata"]["HTTPStatusCode"]
    assert result.result() == {"msg": expected, "error": {"code": result.code, **result.details}}


def test_call_passes_parameters_and_returns_the_response():
    seen = {}

    def method(**kwargs):
        seen.update(kwargs)
        return {"ok": True}

    assert call(method, FunctionName="f", Qualifier="1") == {"ok": True}
    assert seen == {"FunctionName": "f", "Qualifier": "1"}


def test_call_turns_the_missing_codes_into_none_and_only_those():
    def get_function_event_invoke_config(**_):
        raise boto_error("ResourceNotFoundException", "nope", 404, operation="GetFunctionEventInvokeConfig")

    assert call(get_function_event_invoke_config, missing=("ResourceNotFoundException",), FunctionName="f") is None
    with pytest.raises(AwsError) as caught:
        call(get_function_event_invoke_config, missing=("NoSuchEntity",), FunctionName="f")
    assert caught.value.code == "ResourceNotFoundException"
    assert str(caught.value).startswith("get_function_event_invoke_config failed")


def test_operation_name_comes_from_the_client(aws_env):
    client, _region = client_for()
    assert operation_name(client.get_function_event_invoke_config) == "GetFunctionEventInvokeConfig"
    assert operation_name(client.list_functions) == "ListFunctions"


@pytest.mark.parametrize(
    ("raised", "code", "fragments"),
    [
        pytest.param(
            boto_error("ResourceConflictException", "concurrent update", 409),
            "ResourceConflictException",
            ["PutFunctionEventInvokeConfig failed: ResourceConflictException: concurrent update"],
            id="client-error",
        ),
        pytest.param(
            SSLError(endpoint_url=ENDPOINT, error="certificate verify failed"),
            None,
            ["TLS certificate verification failed", "aws_ca_bundle", "validate_certs: false"],
            id="ssl",
        ),
        pytest.param(
            NoCredentialsError(), None, ["no AWS credentials found", "AWS_ACCESS_KEY_ID"], id="no-credentials"
        ),
        pytest.param(
            EndpointConnectionError(endpoint_url=ENDPOINT),
            None,
            ["PutFunctionEventInvokeConfig: no answer from the endpoint after 1 attempt over", "endpoint_url"],
            id="connection-error",
        ),
    ],
)
def test_call_turns_botocore_failures_into_aws_errors(raised, code, fragments):
    def PutFunctionEventInvokeConfig(**_):  # the name a plain function gives in messages
        raise raised

    with pytest.raises(AwsError) as caught:
        call(PutFunctionEventInvokeConfig, FunctionName="f")
    assert caught.value.code == code
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert caught.value.__suppress_context__  # raised "from None": no botocore traceback in the module's output


def exhausted(attempts=5, elapsed=61.24):
    inner = client_error(
        "PutFunctionEventInvokeConfig",
        boto_error("InvalidParameterValueException", f"The destination ARN {FN}-sink is invalid.", 400),
        0.1,
    )
    return inner, RetriesExhausted(inner, DESTINATION_PROPAGATION_REASON, attempts, elapsed)


def test_exhausted_error_says_what_was_retried_and_for_how_long():
    inner, gave_up = exhausted()
    error = exhausted_error("PutFunctionEventInvokeConfig", gave_up)
    message = str(error)
    assert message.startswith(str(inner))
    assert "over 61.2 s" in message
    assert "the destination not being visible to Lambda yet" in message
    assert "retry_timeout" in message
    assert error.code == "InvalidParameterValueException"
    assert error.details["attempts"] == 5
    assert error.details["message"] == f"The destination ARN {FN}-sink is invalid."


@pytest.mark.parametrize(("attempts", "retries"), [(5, 4), (2, 1)])
def test_exhausted_error_counts_retries_not_attempts(attempts, retries):
    """N attempts are N - 1 retries, as RetriesExhausted itself says; the module's message must agree."""
    _error, gave_up = exhausted(attempts=attempts)
    assert f"retried {retries} times" in str(gave_up)
    message = str(exhausted_error("PutFunctionEventInvokeConfig", gave_up))
    assert f"retried {attempts} times" not in message
    assert f"retried {retries} time" in message or f"{attempts} attempts" in message


def test_exhausted_conflict_error_says_what_a_conflict_is_and_not_the_destination_advice():
    inner = client_error("PutFunctionEventInvokeConfig", boto_error("ResourceConflictException", "busy", 409), 0.1)
    message = str(exhausted_error("PutFunctionEventInvokeConfig", RetriesExhausted(inner, CONFLICT_REASON, 4, 9.0)))
    assert "concurrent update of the same function" in message
    assert "at the same time" in message
    assert "destination" not in message and "role" not in message


def test_exhausted_error_of_a_non_aws_error():
    gave_up = RetriesExhausted(RuntimeError("boom"), CONFLICT_REASON, 3, 2.0)
    error = exhausted_error("DeleteFunctionEventInvokeConfig", gave_up)
    assert error.code is None
    assert error.result() == {"msg": str(error)}


def test_aws_error_result():
    assert AwsError("plain").result() == {"msg": "plain"}
    assert AwsError("coded", "Code", {"request_id": "r"}).result() == {
        "msg": "coded",
        "error": {"code": "Code", "request_id": "r"},
    }


def test_no_result_contains_a_secret(aws_env):
    """Sanity: whatever fails, with secrets in the params, the fail_json arguments never carry them."""
    secret_params = params(region="us-east-1", endpoint_url=ENDPOINT, access_key="AKIAEXAMPLE", secret_key=SECRET)
    secret_params["session_token"] = TOKEN
    results = []

    client, _region = connect(client_settings(secret_params))
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "put_function_event_invoke_config",
            service_error_code="UnrecognizedClientException",
            service_message="The security token included in the request is invalid.",
            http_status_code=403,
        )
        with pytest.raises(AwsError) as caught:
            call(client.put_function_event_invoke_config, FunctionName="f")
        results.append(caught.value.result())
    results.append(
        exhausted_error(
            "PutFunctionEventInvokeConfig", RetriesExhausted(caught.value, CONFLICT_REASON, 2, 1.0)
        ).result()
    )
    results.append(client_error("Op", boto_error("TooManyRequestsException", "Rate exceeded", 429, 9), 1.0).result())
    for bad in (dict(secret_params, profile="dev"), dict(secret_params, access_key=None)):
        error = refusal(client_settings, bad)
        results.append({"msg": str(error), "option": error.option})

    assert len(results) == 5
    for result in results:
        assert SECRET not in repr(result)
        assert TOKEN not in repr(result)


# ============================================================================================== version


def test_collection_version_matches_galaxy_yml():
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
    assert f"{galaxy['namespace']}.{galaxy['name']}" == "cloudops.aws_lambda"
    assert galaxy["version"] == COLLECTION_VERSION


def test_user_agent_extra():
    assert user_agent_extra() == f"cloudops.aws_lambda/{COLLECTION_VERSION} Ansible/{ANSIBLE_VERSION}"


# ============================================================================================== unreachable endpoint


def test_an_endpoint_that_does_not_answer_fails_after_a_few_attempts_saying_so(aws_env):
    """A refused connection is tried CONNECT_ATTEMPTS times, not max_attempts with throttling's long backoff."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client, _region = client_for(endpoint_url=f"http://127.0.0.1:{port}", access_key="AKIAEXAMPLE", secret_key=SECRET)
    with pytest.raises(AwsError) as caught:
        call(client.list_functions)
    message = str(caught.value)
    assert f"ListFunctions: no answer from the endpoint after {CONNECT_ATTEMPTS} attempts over" in message
    assert f"127.0.0.1:{port}" in message and "endpoint_url" in message
