# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure core of the event-invoke-config modules: identifiers, validation, normalisation, planning.

Nothing here performs I/O or imports botocore or AnsibleModule: every function takes and returns
plain values, so the rules below are unit-tested table by table and property by property.

Vocabulary (AWS's own):
  target    which config: a function and one qualifier ($LATEST, a version or an alias).
  settings  the four things a config holds, flat: maximum_retry_attempts, maximum_event_age_in_seconds,
            on_success, on_failure (a destination ARN, or None when that half is unset).
  request   the settings a task names; a destination named as "" means "remove it".
  config    the shape the modules return (snake_case, destination_config nested like AWS's).
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from typing import NamedTuple
from typing import Optional

LATEST = "$LATEST"

RETRY_ATTEMPTS_MIN, RETRY_ATTEMPTS_MAX = 0, 2
EVENT_AGE_MIN, EVENT_AGE_MAX = 60, 21600
FUNCTION_NAME_MAX_LENGTH = 256  # the API's FunctionName limit; a bare name is limited to 64 below
NAME_MAX_LENGTH = 64
QUALIFIER_MAX_LENGTH = 128
DESTINATION_MAX_LENGTH = 350

NUMERIC_SETTINGS = ("maximum_retry_attempts", "maximum_event_age_in_seconds")
DESTINATION_HALVES = ("on_success", "on_failure")
SETTINGS = NUMERIC_SETTINGS + DESTINATION_HALVES

# Services Lambda accepts as asynchronous-invocation destinations. S3 is accepted for on-failure only.
DESTINATION_SERVICES = {
    "sqs": "an SQS queue",
    "sns": "an SNS topic",
    "lambda": "a Lambda function",
    "events": "an EventBridge event bus",
    "s3": "an S3 bucket (on_failure only)",
}
ON_FAILURE_ONLY_SERVICES = frozenset({"s3"})

_NAME = r"[a-zA-Z0-9_-]+"
_QUALIFIER = r"\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]+"
_REGION = r"(?:eusc-)?[a-z]{2}(?:-[a-z]+)+-[0-9]"
_FULL_ARN_RE = re.compile(
    rf"^arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>{_REGION}):(?P<account>[0-9]{{12}}):function:"
    rf"(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$"
)
_PARTIAL_ARN_RE = re.compile(rf"^(?P<account>[0-9]{{12}}):function:(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$")
_NAME_RE = re.compile(rf"^(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$")
_FUNCTION_NAME_FORMS = (_FULL_ARN_RE, _PARTIAL_ARN_RE, _NAME_RE)
_QUALIFIER_RE = re.compile(rf"^(?:{_QUALIFIER})$")
# Every pattern is used with fullmatch: `$` alone would accept a trailing newline (a YAML block scalar's).
# The DestinationArn pattern of the Lambda API model, less its kafka:// alternative (event source mappings only).
_DESTINATION_RE = re.compile(
    rf"^arn:(?P<partition>aws[a-zA-Z0-9-]*):(?P<service>[a-zA-Z0-9-]+):(?P<region>{_REGION})?:"
    r"(?P<account>[0-9]{12})?:(?P<resource>.+)$"
)


class ParameterError(ValueError):
    """Bad input, found before any API call. `option` names the task option at fault."""

    def __init__(self, option: Optional[str], message: str) -> None:
        super().__init__(message)
        self.option = option


class Target(NamedTuple):
    """One event invoke config: a function and exactly one qualifier."""

    function_name: str  # sent as FunctionName: a bare name, a partial ARN or an unqualified ARN
    name: str  # the bare function name
    qualifier: str  # always explicit, so every call names the object it means ("$LATEST" when none is given)
    region: Optional[str] = None  # from a full ARN only
    account: Optional[str] = None  # from a full or partial ARN


# ---------------------------------------------------------------------------------------------- identifiers


def parse_target(function_name: str, qualifier: Optional[str] = None) -> Target:
    """Split any FunctionName form AWS accepts into a Target; refuse what AWS would refuse.

    No qualifier and "$LATEST" are one AWS object, so both give qualifier "$LATEST". A qualifier embedded in
    the name (NAME:Q, ARN:Q) must agree with `qualifier` when both are given, as AWS requires.
    """
    if not function_name:
        raise ParameterError("function_name", "function_name must not be empty.")
    if len(function_name) > FUNCTION_NAME_MAX_LENGTH:
        raise ParameterError(
            "function_name",
            f"function_name is {len(function_name)} characters long; AWS allows at most {FUNCTION_NAME_MAX_LENGTH}.",
        )
    match = next(filter(None, (form.fullmatch(function_name) for form in _FUNCTION_NAME_FORMS)), None)
    if match is None:
        raise ParameterError(
            "function_name",
            f"function_name {function_name!r} is not a function name (letters, digits, '-', '_'), NAME:QUALIFIER, "
            "a function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) "
            "or a partial ARN (ACCOUNT:function:NAME[:QUALIFIER]).",
        )
    parts = match.groupdict()
    name = parts["name"]
    if len(name) > NAME_MAX_LENGTH:
        raise ParameterError(
            "function_name",
            f"function_name: the function name {name!r} is {len(name)} characters long; AWS allows {NAME_MAX_LENGTH}.",
        )
    if qualifier is not None:
        validate_qualifier(qualifier)
    embedded = parts["qualifier"]
    if embedded is not None:
        validate_qualifier(embedded)
    if embedded is not None and qualifier is not None and embedded != qualifier:
        raise ParameterError(
            "qualifier",
            f"function_name names qualifier {embedded!r} but qualifier is {qualifier!r}; give one, or both the same.",
        )
    unqualified = function_name if embedded is None else function_name[: -(len(embedded) + 1)]
    return Target(
        function_name=unqualified,
        name=name,
        qualifier=embedded or qualifier or LATEST,
        region=parts.get("region"),
        account=parts.get("account"),
    )


def validate_qualifier(qualifier: str) -> None:
    if not qualifier or len(qualifier) > QUALIFIER_MAX_LENGTH or not _QUALIFIER_RE.fullmatch(qualifier):
        raise ParameterError(
            "qualifier",
            f"qualifier {qualifier!r} is not a version number, an alias name (letters, digits, '-', '_'; "
            f"at most {QUALIFIER_MAX_LENGTH} characters) or $LATEST.",
        )


def check_region(target: Target, region: str) -> None:
    """A function ARN from another region would be looked up in the client's region and not found."""
    if target.region is not None and target.region != region:
        raise ParameterError(
            "function_name",
            f"function_name is an ARN in region {target.region} but the connection uses region {region}; "
            "set region to match.",
        )


def qualified_arn(unqualified_arn: str, qualifier: str) -> str:
    """AWS always reports an event invoke config's FunctionArn qualified, even for $LATEST."""
    base = _FULL_ARN_RE.fullmatch(unqualified_arn)
    if base is not None and base.group("qualifier"):
        unqualified_arn = unqualified_arn[: -(len(base.group("qualifier")) + 1)]
    return f"{unqualified_arn}:{qualifier}"


# ---------------------------------------------------------------------------------------------- request


def build_request(params: dict[str, Any]) -> dict[str, Any]:
    """The settings a task names, validated; options left out are absent (kept as they are)."""
    request: dict[str, Any] = {}
    for option in NUMERIC_SETTINGS:
        if params.get(option) is not None:
            request[option] = params[option]
    for half in DESTINATION_HALVES:
        if params.get(half) is not None:
            request[half] = params[half]
    halves = params.get("destination_config") or {}
    for half in DESTINATION_HALVES:
        if halves.get(half) is not None:
            # a half given with no destination, or an empty one, removes that destination
            request[half] = halves[half].get("destination") or ""
    return request


def validate_request(request: dict[str, Any], target: Target, region: Optional[str] = None) -> None:
    """Refuse, before any call, everything AWS is recorded to refuse for these settings."""
    _check_range(request, "maximum_retry_attempts", RETRY_ATTEMPTS_MIN, RETRY_ATTEMPTS_MAX)
    _check_range(request, "maximum_event_age_in_seconds", EVENT_AGE_MIN, EVENT_AGE_MAX)
    for half in DESTINATION_HALVES:
        if request.get(half):
            validate_destination(half, request[half], target, region)


def _check_range(request: dict[str, Any], option: str, low: int, high: int) -> None:
    value = request.get(option)
    if value is not None and not low <= value <= high:
        raise ParameterError(option, f"{option} must be between {low} and {high}; got {value}.")


def validate_destination(half: str, arn: str, target: Target, region: Optional[str] = None) -> None:
    """Check a destination's ARN shape and service, and that it is not the function itself."""
    label = f"{half} destination"
    if len(arn) > DESTINATION_MAX_LENGTH:
        raise ParameterError(half, f"The {label} is {len(arn)} characters long; AWS allows {DESTINATION_MAX_LENGTH}.")
    match = _DESTINATION_RE.fullmatch(arn)
    if match is None:
        raise ParameterError(
            half,
            f'The {label} {arn!r} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE); use "" to remove it.',
        )
    service = match.group("service")
    allowed = [s for s in DESTINATION_SERVICES if half == "on_failure" or s not in ON_FAILURE_ONLY_SERVICES]
    if service not in allowed:
        kinds = ", ".join(DESTINATION_SERVICES[s] for s in allowed)
        reason = "S3 buckets are accepted for on_failure only" if service == "s3" else f"'{service}' is not supported"
        raise ParameterError(half, f"The {label} {arn!r} cannot be used: {reason}. Use {kinds}.")
    if service == "lambda" and _is_same_function(match, target, region):
        raise ParameterError(half, f"The {label} {arn!r} is the function itself; AWS refuses that.")


def _is_same_function(destination: re.Match[str], target: Target, region: Optional[str]) -> bool:
    """True when a Lambda destination names the target function (any qualifier).

    A bare function name carries no account, so only a destination in another account with the same name
    differs; give function_name as an ARN to tell those apart.
    """
    resource = destination.group("resource").split(":")
    if len(resource) < 2 or resource[0] != "function" or resource[1] != target.name:
        return False
    same_region = destination.group("region") == (target.region or region or destination.group("region"))
    same_account = target.account is None or destination.group("account") == target.account
    return same_region and same_account


# ---------------------------------------------------------------------------------------------- normalisation


def from_api(api_config: dict[str, Any]) -> dict[str, Any]:
    """Get/Put/List item (boto3 shape) → the module's config shape. Unset numbers become None, not defaults."""
    function_arn = api_config["FunctionArn"]
    name, qualifier = _split_qualified_arn(function_arn)
    destinations = api_config.get("DestinationConfig") or {}
    return {
        "function_arn": function_arn,
        "function_name": name,
        "qualifier": qualifier,
        "last_modified": iso8601(api_config.get("LastModified")),
        "maximum_retry_attempts": api_config.get("MaximumRetryAttempts"),
        "maximum_event_age_in_seconds": api_config.get("MaximumEventAgeInSeconds"),
        "destination_config": {
            "on_success": _half(destinations.get("OnSuccess")),
            "on_failure": _half(destinations.get("OnFailure")),
        },
    }


def _half(api_half: Optional[dict[str, Any]]) -> dict[str, str]:
    destination = (api_half or {}).get("Destination")
    return {"destination": destination} if destination else {}


def _split_qualified_arn(function_arn: str) -> tuple[str, str]:
    resource = function_arn.split(":function:", 1)[-1].split(":")
    return resource[0], resource[1] if len(resource) > 1 else LATEST


def iso8601(value: Any) -> Optional[str]:
    """LastModified arrives as a datetime from botocore, or epoch seconds / a string elsewhere."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).isoformat()


def settings_of(config: Optional[dict[str, Any]]) -> dict[str, Any]:
    """The four comparable settings of a config (all None when there is no config)."""
    if not config:
        return dict.fromkeys(SETTINGS)
    halves = config["destination_config"]
    return {
        "maximum_retry_attempts": config["maximum_retry_attempts"],
        "maximum_event_age_in_seconds": config["maximum_event_age_in_seconds"],
        "on_success": halves["on_success"].get("destination"),
        "on_failure": halves["on_failure"].get("destination"),
    }


# ---------------------------------------------------------------------------------------------- planning


def plan(request: dict[str, Any], current: Optional[dict[str, Any]]) -> tuple[bool, dict[str, Any]]:
    """(changed, desired settings): the current settings with the request laid over them.

    LastModified is never compared: every write moves it, so comparing it would make no run idempotent.
    """
    before = settings_of(current)
    desired = dict(before)
    for key, value in request.items():
        desired[key] = value if value != "" else None
    if current is None and not any(value is not None for value in desired.values()):
        raise ParameterError(
            None,
            "There is no event invoke config for this function and qualifier, and the task sets nothing: give "
            "maximum_retry_attempts, maximum_event_age_in_seconds, on_success or on_failure.",
        )
    return current is None or desired != before, desired


def put_request(target: Target, settings: dict[str, Any]) -> dict[str, Any]:
    """PutFunctionEventInvokeConfig parameters carrying the whole desired state (Put removes what it omits).

    Both destination halves are always sent, `{}` for none: AWS accepts that as "a destination setting", so a
    config whose every setting was removed stays a valid request instead of "you must specify at least one".
    """
    params: dict[str, Any] = {"FunctionName": target.function_name, "Qualifier": target.qualifier}
    if settings["maximum_retry_attempts"] is not None:
        params["MaximumRetryAttempts"] = settings["maximum_retry_attempts"]
    if settings["maximum_event_age_in_seconds"] is not None:
        params["MaximumEventAgeInSeconds"] = settings["maximum_event_age_in_seconds"]
    params["DestinationConfig"] = {
        "OnSuccess": {"Destination": settings["on_success"]} if settings["on_success"] else {},
        "OnFailure": {"Destination": settings["on_failure"]} if settings["on_failure"] else {},
    }
    return params


def predict(identity: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The config a write would leave (check mode): identity fields from what was read, settings as planned."""
    return {
        "function_arn": identity.get("function_arn"),
        "function_name": identity.get("function_name"),
        "qualifier": identity.get("qualifier"),
        "last_modified": identity.get("last_modified"),
        "maximum_retry_attempts": settings["maximum_retry_attempts"],
        "maximum_event_age_in_seconds": settings["maximum_event_age_in_seconds"],
        "destination_config": {
            half: {"destination": settings[half]} if settings[half] else {} for half in DESTINATION_HALVES
        },
    }


def diff_view(config: Optional[dict[str, Any]]) -> dict[str, Any]:
    """What diff mode shows: the config without LastModified, which every write moves."""
    return {key: value for key, value in (config or {}).items() if key != "last_modified"}


def sort_key(config: dict[str, Any]) -> tuple[str, str]:
    """AWS lists configs in no defined order; the info module sorts by function name, then qualifier."""
    return config["function_name"], config["qualifier"]
