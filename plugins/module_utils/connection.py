# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client factory: connection options, the botocore session and its clients.

- the connection options (amazon.aws's names, aliases and environment variables) and their checks, without I/O;
- `Connection`: the botocore session, the Lambda client and other services' clients in any region, made once;
- `open_connection`: what every module does before its first call (the region check, the certificate warning).

botocore only: boto3 adds nothing these modules use and costs import time on every run.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from typing import Any
from typing import Iterable
from typing import Iterator
from typing import Optional
from urllib.parse import urlsplit

try:
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ConnectTimeoutError
    from botocore.exceptions import EndpointConnectionError
    from botocore.exceptions import ProfileNotFound
    from botocore.exceptions import ProxyConnectionError
    from botocore.exceptions import SSLError
    from botocore.utils import is_valid_endpoint_url
    from botocore.utils import is_valid_ipv6_endpoint_url

    CONNECT_ERRORS: tuple[type[Exception], ...] = (EndpointConnectionError, ConnectTimeoutError, ProxyConnectionError)

    HAS_BOTOCORE = True
except ImportError:
    HAS_BOTOCORE = False  # the modules report it through missing_required_lib("botocore")
    CONNECT_ERRORS = ()

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION
from ansible.module_utils.basic import env_fallback

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import check_region
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import DEFAULT_MAX_ATTEMPTS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import DEFAULT_RETRY_TIMEOUT
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import botocore_retries

COLLECTION_NAME = "cloudops.aws_lambda"
COLLECTION_VERSION = "1.2.0"  # tests/unit checks this against galaxy.yml

# A refused or unanswered connection fails the same way on every attempt: try it a few times, not max_attempts
# times with throttling's long backoff (about 16 s of silence with the defaults), and wait less than botocore's
# 60 s for each connect.
CONNECT_ATTEMPTS = 3
CONNECT_TIMEOUT = 10

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


# ---------------------------------------------------------------------------------------------- settings


def client_settings(params: dict[str, Any]) -> dict[str, Any]:
    """Check the connection options and turn them into client arguments; no I/O.

    The region is left to botocore (profile, config file) when no option or variable gives one; `open_connection`
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
        "endpoint_url": check_endpoint_url(params.get("endpoint_url") or None),
        "verify": verify,
        "aws_config": check_aws_config(params.get("aws_config") or {}),
        "max_attempts": params.get("max_attempts") or DEFAULT_MAX_ATTEMPTS,
    }


def check_at_least(params: dict[str, Any], option: str, lowest: float) -> None:
    if params.get(option) is not None and params[option] < lowest:
        raise ParameterError(option, f"{option} must be at least {lowest}.")


ENDPOINT_FORM = "a URL with a scheme and a host: http://HOST[:PORT] or https://HOST[:PORT]"


def check_endpoint_url(url: Optional[str]) -> Optional[str]:
    """Refuse an endpoint_url botocore cannot use, naming the option and the form it wants: botocore says only
    "Invalid endpoint: URL", when it builds the client, and nothing at all about a scheme it cannot speak."""
    if not url or _usable_endpoint(url):
        return url or None
    hint = f" (did you mean 'http://{url}'?)" if "://" not in url and _usable_endpoint(f"http://{url}") else ""
    raise ParameterError(
        "endpoint_url",
        f"endpoint_url {url!r} (the option, its alias aws_endpoint_url, or the AWS_URL variable) is not "
        f"{ENDPOINT_FORM}{hint}.",
    )


def _usable_endpoint(url: str) -> bool:
    """http or https, a host botocore accepts (its own check), and a port that is a number in range, if any."""
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # not a number, or out of range
        port_ok = False
    host_ok = bool(parts.hostname) and (
        not HAS_BOTOCORE or bool(is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url))
    )
    return parts.scheme in ("http", "https") and host_ok and port_ok


# aws_config keys whose wrong type botocore only notices deep inside client creation or the first request.
_CONFIG_TYPES: dict[str, tuple[type, ...]] = {
    "retries": (dict,),
    "s3": (dict,),
    "proxies": (dict,),
    "proxies_config": (dict,),
    "client_context_params": (dict,),
    "connect_timeout": (int, float),
    "read_timeout": (int, float),
    "max_pool_connections": (int,),
    "request_min_compression_size_bytes": (int,),
    "signature_version": (str,),
    "user_agent": (str,),
    "user_agent_extra": (str,),
    "user_agent_appid": (str,),
}


def check_aws_config(aws_config: dict[str, Any]) -> dict[str, Any]:
    """Refuse unknown keys and wrong value types of aws_config before botocore fails on them obscurely."""
    known = set(Config.OPTION_DEFAULTS) if HAS_BOTOCORE else set(aws_config)
    for key, value in aws_config.items():
        if key not in known:
            raise ParameterError("aws_config", f"aws_config: {key!r} is not a botocore Config option.")
        types = _CONFIG_TYPES.get(key)
        if types and (isinstance(value, bool) or not isinstance(value, types)):
            kind = " or ".join(t.__name__ for t in types)
            raise ParameterError("aws_config", f"aws_config: {key} must be a {kind}; got {value!r}.")
    return aws_config


def user_agent_extra() -> str:
    return f"{COLLECTION_NAME}/{COLLECTION_VERSION} Ansible/{ANSIBLE_VERSION}"


# ---------------------------------------------------------------------------------------------- connecting

NO_REGION = (
    "No AWS region: set region (alias aws_region), the AWS_REGION or AWS_DEFAULT_REGION variable, or a region in "
    "the profile's configuration. In module_defaults, use group/cloudops.aws_lambda.aws: ansible-core's short "
    "group/aws reaches only amazon.aws and community.aws modules, not this collection's."
)


class Connection:
    """One task's botocore session: the Lambda client, and clients of other services in any region, made once.

    Clients are shared by the task's threads (botocore clients are thread-safe); making one is not, hence the lock.
    """

    def __init__(self, settings: dict[str, Any], retry_mode: str = "standard") -> None:
        self.settings = settings
        self.retry_mode = retry_mode
        self.session = botocore.session.Session(profile=settings["profile"])
        if settings["access_key"]:
            self.session.set_credentials(settings["access_key"], settings["secret_key"], settings["session_token"])
        try:
            self.region = settings["region"] or self.session.get_config_variable("region")
            self.session.get_scoped_config()  # raises ProfileNotFound now, not from inside create_client
        except ProfileNotFound:
            raise ParameterError(
                "profile", f"profile {settings['profile']!r} is not in the AWS configuration or credentials files."
            ) from None
        if not self.region:
            raise ParameterError("region", NO_REGION)
        self._config = self._botocore_config()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.lambda_client = self.client("lambda")

    def _botocore_config(self) -> Any:
        config = Config(
            user_agent_extra=user_agent_extra(),
            retries=botocore_retries(self.settings["max_attempts"], self.retry_mode),
            connect_timeout=CONNECT_TIMEOUT,
            max_pool_connections=32,
        )
        if self.settings["aws_config"]:
            with self._aws_config_errors():
                config = config.merge(Config(**self.settings["aws_config"]))
        return config

    @contextlib.contextmanager
    def _aws_config_errors(self) -> Iterator[None]:
        """botocore notices some bad aws_config values only when it builds the Config or the client, with a bare
        TypeError/ValueError/AttributeError: name the option instead (without aws_config, let a real bug surface).
        Its bare "Invalid endpoint" names the endpoint options instead."""
        try:
            yield
        except (TypeError, ValueError, AttributeError, BotoCoreError) as error:
            if isinstance(error, ValueError) and str(error).startswith("Invalid endpoint"):
                # endpoint_url was checked in client_settings: this is an endpoint botocore found on its own
                raise ParameterError(
                    "endpoint_url",
                    f"{error}: botocore's endpoint is not {ENDPOINT_FORM}. With no endpoint_url (or AWS_URL), botocore "
                    "takes it from the AWS_ENDPOINT_URL variable (or a service's own, such as AWS_ENDPOINT_URL_LAMBDA) "
                    "or from endpoint_url in the profile's configuration: correct it there, or set endpoint_url.",
                ) from None
            if not self.settings["aws_config"]:
                raise
            raise ParameterError("aws_config", f"aws_config is not a valid botocore Config: {error}.") from None

    def client(self, service: str, region: Optional[str] = None) -> Any:
        """The client of `service` in `region` (the task's region by default)."""
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._create_client(*key)
            return self._clients[key]

    def _create_client(self, service: str, region: str) -> Any:
        with self._aws_config_errors():
            client = self.session.create_client(
                service,
                region_name=region,
                endpoint_url=self.settings["endpoint_url"],
                verify=self.settings["verify"],
                config=self._config,
            )
        client.meta.events.register(f"needs-retry.{client.meta.service_model.service_id.hyphenize()}", _retry_limits)
        return client


def open_connection(module: Any, targets: Iterable[Target] = (), retry_mode: str = "standard") -> Connection:
    """What every module does before its first call: check the connection options, make the session and the
    Lambda client, refuse function ARNs of another region, and warn once when certificates are not verified."""
    connection = Connection(client_settings(module.params), retry_mode)
    for target in targets:
        check_region(target, connection.region)
    if connection.settings["verify"] is False:  # before the first request, which urllib3 would warn about
        _silence_insecure_request_warning()
        module.warn("validate_certs is false: the endpoint's TLS certificate was not verified.")
    return connection


def _retry_limits(caught_exception: Optional[BaseException] = None, attempts: int = 0, **_kwargs: Any) -> None:
    """Stop botocore retrying what fails the same way every time (raising ends its retry loop).

    - a failed TLS verification: botocore's modes treat every connection error as transient;
    - an endpoint that refuses or does not answer: CONNECT_ATTEMPTS tries, not max_attempts with throttling's
      backoff. The attempt count rides on the exception, for the message.
    """
    if isinstance(caught_exception, SSLError):
        raise caught_exception
    if isinstance(caught_exception, CONNECT_ERRORS):
        setattr(caught_exception, "attempts", attempts)  # noqa: B010  botocore's exceptions have no such field
        if attempts >= CONNECT_ATTEMPTS:
            raise caught_exception


def _silence_insecure_request_warning() -> None:
    """urllib3 would print its own warning for every request; the module warns once instead."""
    warnings.filterwarnings("ignore", message="Unverified HTTPS request")
