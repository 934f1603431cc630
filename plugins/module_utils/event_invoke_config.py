# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure core of the event-invoke-config modules: identifiers, validation, the settings value, planning.

Nothing here performs I/O or imports botocore or AnsibleModule: every function takes and returns plain values,
so the rules below are unit-tested table by table and property by property. Case ids (C1-C18) refer to
docs/aws-behaviour.md.

Vocabulary (AWS's own):
  target    which config: a function and one qualifier ($LATEST, a version or an alias).
  Settings  the four things a config holds: maximum_retry_attempts, maximum_event_age_in_seconds, on_success,
            on_failure. None means unset (AWS applies its defaults, or sends no record).
  Setting   one row of SETTINGS_TABLE: a setting's option, API name, kind, range, AWS default and doc line, from
            which its parsing, API payload, result, validation, argument spec and diff are derived.
  request   the settings a task names, as a mapping of Settings field names; a destination named as "" arrives
            here as None ("remove it").
  EventInvokeConfig  one config as AWS holds it: its identity (ARN, function name, qualifier), LastModified and
            its Settings. `to_result()` is the shape the modules return.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any
from typing import Dict
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import LAMBDA_FUNCTION
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import Destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import NotADestination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import arn_from_queue_url
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.destination_kinds import destination_for

LATEST = "$LATEST"

FUNCTION_NAME_MAX_LENGTH = 256  # the API's FunctionName limit; a bare name is limited to 64 below
NAME_MAX_LENGTH = 64
QUALIFIER_MAX_LENGTH = 128
DESTINATION_MAX_LENGTH = 350

NUMBER, DESTINATION = "number", "destination"


class Setting(NamedTuple):
    """One setting of a config, as one row: reading it from AWS, sending it, returning it, validating it, its
    argument spec and its diff all come from here, and a unit test holds each module's docs against it."""

    option: str  # the module option, the Settings field and the result key
    api_name: str  # a number's key in the API, or a destination's half of DestinationConfig
    kind: str  # NUMBER (an int, flat) or DESTINATION (an ARN, one half of destination_config)
    doc: str  # what every module's docs say of the option (held against them by a unit test)
    minimum: Optional[int] = None  # a number's range, checked before any call: botocore checks only minimums
    maximum: Optional[int] = None
    aws_default: Optional[int] = None  # what AWS applies to an unset number, and never reports back (C3)

    def from_api(self, item: dict[str, Any]) -> Any:
        """Its value in a Get/Put/List item: unset numbers are omitted (C3), an empty half is {} (C1)."""
        if self.kind == NUMBER:
            return item.get(self.api_name)
        half = (item.get("DestinationConfig") or {}).get(self.api_name) or {}
        return half.get("Destination") or None

    def to_api(self, value: Any, params: dict[str, Any]) -> None:
        """Put `value` into a Put request. An unset number is left out (0 is a value, C1); a destination half is
        always sent, {} for none (C11, C17)."""
        if self.kind == NUMBER:
            if value is not None:
                params[self.api_name] = value
        else:
            params.setdefault("DestinationConfig", {})[self.api_name] = {"Destination": value} if value else {}

    def to_result(self, value: Any, result: dict[str, Any]) -> None:
        """Put `value` into the modules' result: numbers flat (None when unset), destinations nested like AWS's."""
        if self.kind == NUMBER:
            result[self.option] = value
        else:
            result.setdefault("destination_config", {})[self.option] = {"destination": value} if value else {}


SETTINGS_TABLE = (
    Setting(
        "maximum_retry_attempts",
        "MaximumRetryAttempts",
        NUMBER,
        "How many times Lambda retries when the function returns an error",
        minimum=0,
        maximum=2,
        aws_default=2,
    ),
    Setting(
        "maximum_event_age_in_seconds",
        "MaximumEventAgeInSeconds",
        NUMBER,
        "The maximum age of an event Lambda sends to the function",
        minimum=60,
        maximum=21600,
        aws_default=21600,
    ),
    Setting("on_success", "OnSuccess", DESTINATION, "The ARN of the destination for records of successful invocations"),
    Setting("on_failure", "OnFailure", DESTINATION, "The ARN of the destination for records of failed invocations"),
)
SETTINGS = tuple(setting.option for setting in SETTINGS_TABLE)
DESTINATION_HALVES = tuple(setting.option for setting in SETTINGS_TABLE if setting.kind == DESTINATION)
# What AWS applies when a number is unset; it never reports these back (C3).
AWS_DEFAULTS = {setting.option: setting.aws_default for setting in SETTINGS_TABLE if setting.aws_default is not None}

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


def parse_function_arn(function_arn: str) -> Target:
    """A config's FunctionArn as the modules return it (always a full ARN with its qualifier, C1) as a Target.

    Only that form is accepted: it names one config, so a name, a partial ARN or an ARN without a qualifier (which
    would leave the config to a default) is refused; function_name takes those.
    """
    match = _FULL_ARN_RE.fullmatch(function_arn)
    if match is None or match.group("qualifier") is None:
        raise ParameterError(
            "function_arn",
            f"function_arn {function_arn!r} is not the qualified ARN of a function "
            "(arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER), as the modules return it; give other "
            "forms as function_name.",
        )
    try:
        return parse_target(function_arn)
    except ParameterError as error:  # a name or qualifier too long for AWS
        raise ParameterError("function_arn", f"function_arn {function_arn!r}: {error}") from None


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


# ---------------------------------------------------------------------------------------------- the settings value

Request = Dict[str, Any]  # Settings field names the task names -> value (None: remove / unset)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The four settings of one config; None means unset. The one shape every layer speaks."""

    maximum_retry_attempts: Optional[int] = None
    maximum_event_age_in_seconds: Optional[int] = None
    on_success: Optional[str] = None
    on_failure: Optional[str] = None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Settings:
        """From a Get/Put/List item (boto3 shape)."""
        return cls(**{setting.option: setting.from_api(item) for setting in SETTINGS_TABLE})

    def to_api(self) -> dict[str, Any]:
        """The settings part of a PutFunctionEventInvokeConfig request: the whole state, since Put removes what it
        omits (C4). Both halves are always sent, {} for none: AWS counts that as a destination setting, so a
        config whose every setting was removed is still a valid request (C11, C17)."""
        params: dict[str, Any] = {}
        for setting in SETTINGS_TABLE:
            setting.to_api(getattr(self, setting.option), params)
        return params

    def to_result(self) -> dict[str, Any]:
        """The settings in the modules' result shape: numbers flat, destinations nested like AWS's."""
        result: dict[str, Any] = {}
        for setting in SETTINGS_TABLE:
            setting.to_result(getattr(self, setting.option), result)
        return result

    def merged(self, request: Request) -> Settings:
        """These settings with the named ones replaced."""
        return dataclasses.replace(self, **request)

    def destinations(self) -> dict[str, str]:
        """The destination of each half that has one."""
        return {half: getattr(self, half) for half in DESTINATION_HALVES if getattr(self, half)}

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, field) is None for field in SETTINGS)


UNSET = Settings()


@dataclasses.dataclass(frozen=True)
class EventInvokeConfig:
    """One config: identity, LastModified, settings. An identity read from GetFunction has no LastModified."""

    function_arn: Optional[str]
    function_name: str
    qualifier: str
    last_modified: Optional[str] = None
    settings: Settings = UNSET

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> EventInvokeConfig:
        """Get/Put/List item (boto3 shape). FunctionArn is always qualified, even for $LATEST (C1)."""
        name, qualifier = _split_qualified_arn(item["FunctionArn"])
        return cls(item["FunctionArn"], name, qualifier, iso8601(item.get("LastModified")), Settings.from_api(item))

    def with_settings(self, settings: Settings) -> EventInvokeConfig:
        """The config a write of `settings` would leave (check mode's prediction): same identity."""
        return dataclasses.replace(self, settings=settings)

    @property
    def key(self) -> tuple[str, str]:
        """AWS lists configs in no defined order (C14); results are sorted by function name, then qualifier."""
        return self.function_name, self.qualifier

    def to_result(self) -> dict[str, Any]:
        return {
            "function_arn": self.function_arn,
            "function_name": self.function_name,
            "qualifier": self.qualifier,
            "last_modified": self.last_modified,
            **self.settings.to_result(),
        }


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


# ---------------------------------------------------------------------------------------------- request


def build_request(params: dict[str, Any]) -> Request:
    """The settings a task names, from module options; options left out are absent (kept as they are).

    A destination given as "" (or a destination_config half with no or an empty destination) means "remove it"
    and becomes None.
    """
    request: Request = {}
    for option in SETTINGS:
        if params.get(option) is not None:
            request[option] = params[option]
    halves = params.get("destination_config") or {}
    for half in DESTINATION_HALVES:
        if halves.get(half) is not None:
            request[half] = halves[half].get("destination")
    for half in DESTINATION_HALVES:
        if half in request and not request[half]:
            request[half] = None
        elif half in request:
            # a queue's URL names the queue as well as its ARN: what is written, returned and compared is the ARN
            request[half] = arn_from_queue_url(request[half]) or request[half]
    return request


def validate_request(request: Request, target: Optional[Target], region: Optional[str] = None) -> None:
    """Refuse, before any call, everything AWS is recorded to refuse for these settings. Without a target (a glob
    not yet expanded), the function-as-its-own-destination check waits for the functions it names."""
    for setting in SETTINGS_TABLE:
        _check_range(request, setting)
    refusals = [
        refusal
        for half in DESTINATION_HALVES
        if request.get(half) and (refusal := destination_refusal(half, request[half], target, region))
    ]
    if refusals:  # both halves named in one message: one run tells every mistake
        raise ParameterError(refusals[0].option if len(refusals) == 1 else None, " ".join(map(str, refusals)))


def _check_range(request: Request, setting: Setting) -> None:
    """AWS checks maximums only on the server (and botocore only minimums): refuse both before any call."""
    value, low, high = request.get(setting.option), setting.minimum, setting.maximum
    if value is None or low is None or high is None:  # unnamed, removed, or not a number
        return
    if not low <= value <= high:
        raise ParameterError(setting.option, f"{setting.option} must be between {low} and {high}; got {value}.")


def validate_destination(half: str, arn: str, target: Optional[Target], region: Optional[str] = None) -> None:
    refusal = destination_refusal(half, arn, target, region)
    if refusal:
        raise refusal


def destination_refusal(
    half: str, arn: str, target: Optional[Target], region: Optional[str] = None
) -> Optional[ParameterError]:
    """Why `half` cannot take `arn`, before any call: not an ARN, no kind of destination Lambda delivers to, a kind
    the half does not take (the registry says, destination_kinds.py), or the function itself. A FIFO queue or topic
    is not refused here: AWS accepts it at write time, so a config may already hold one, and restating it is no
    change; a new one is refused when the write is planned (`Action.unsupported`)."""
    label = f"{half} destination"
    if len(arn) > DESTINATION_MAX_LENGTH:
        return ParameterError(half, f"The {label} is {len(arn)} characters long; AWS allows {DESTINATION_MAX_LENGTH}.")
    try:
        destination = destination_for(half, arn)
    except NotADestination as error:
        remove = ' Use "" to remove it.' if str(error).startswith("it is not an ARN") else ""
        return ParameterError(half, f"The {label} {arn!r} cannot be used: {error}.{remove}")
    if destination.kind is LAMBDA_FUNCTION and target is not None and _is_same_function(destination, target, region):
        return ParameterError(half, f"The {label} {arn!r} is the function itself; AWS refuses that.")
    return None


def _is_same_function(destination: Destination, target: Target, region: Optional[str]) -> bool:
    """True when a Lambda destination names the target function (any qualifier).

    A bare function name carries no account, so only a destination in another account with the same name
    differs; give function_name as an ARN to tell those apart.
    """
    if destination.name.split(":")[0] != target.name:
        return False
    same_region = destination.region == (target.region or region or destination.region)
    same_account = target.account is None or destination.account == target.account
    return same_region and same_account


# ---------------------------------------------------------------------------------------------- planning


class Plan(NamedTuple):
    changed: bool
    settings: Settings  # the desired settings (what a write sends, or what is kept)


def plan(request: Request, current: Optional[EventInvokeConfig], purge: bool = False) -> Plan:
    """The desired settings: the request laid over the current ones, or (purge) over nothing at all.

    LastModified is never compared: every write may move it (C16). A desired config with no setting where none
    exists is no change: AWS applies its defaults either way, so there is nothing to create.
    """
    base = UNSET if purge or current is None else current.settings
    desired = base.merged(request)
    if current is None:
        if not request and not purge:
            raise ParameterError(
                None,
                "There is no event invoke config for this function and qualifier, and the task sets nothing: give "
                f"{', '.join(SETTINGS[:-1])} or {SETTINGS[-1]}.",
            )
        return Plan(not desired.is_empty, desired)
    return Plan(desired != current.settings, desired)


def new_destinations(current: Optional[EventInvokeConfig], desired: Settings) -> dict[str, str]:
    """The destinations a write of `desired` would set that the current config does not already have on that half:
    the ones Lambda has not accepted for this config before, so the ones worth checking before writing (C11)."""
    before = current.settings if current else UNSET
    return {half: arn for half, arn in desired.destinations().items() if getattr(before, half) != arn}


# The kinds of write a plan makes, as the results name what was done (not the task's state `deleted`).
CREATE, UPDATE, DELETE = "created", "updated", "deleted"


class Action(NamedTuple):
    """One write a plan makes: create or update (settings) or delete (settings None)."""

    kind: str  # created | updated | deleted
    target: Target
    before: Optional[EventInvokeConfig]
    settings: Optional[Settings]

    def new_destinations(self) -> dict[str, str]:
        """The destinations this write would set that the config does not already have on that half."""
        return {} if self.kind == DELETE else new_destinations(self.before, self.settings or UNSET)


def unproven(target: Target, current: Optional[EventInvokeConfig], written: bool, listed: bool) -> bool:
    """Whether a qualifier must still be shown to exist: a task that names it but writes nothing where it has no
    config changes nothing, but only if it exists, and a missing one must fail as a write would. A List of the
    function (`listed`: it answered, so the function exists) proves $LATEST; a Get does not (C7: the same 404 for
    no config and no function), and no config read proves a version or alias."""
    return not written and current is None and not (listed and target.qualifier == LATEST)


def plan_action(
    target: Target, request: Request, current: Optional[EventInvokeConfig], purge: bool
) -> Optional[Action]:
    """The write `request` needs on `current` (None when nothing changes)."""
    changed, settings = plan(request, current, purge=purge)
    if not changed:
        return None
    return Action(UPDATE if current else CREATE, target, current, settings)


# ---------------------------------------------------------------------------------------------- diff


def diff_view(config: Optional[EventInvokeConfig]) -> dict[str, Any]:
    """What diff mode shows: the config without LastModified (every write moves it), and an unset number as what
    AWS applies for it, since AWS never reports its defaults (C3)."""
    if config is None:
        return {}
    view = config.to_result()
    del view["last_modified"]
    for number, default in AWS_DEFAULTS.items():
        if view[number] is None:
            view[number] = f"unset (AWS default {default})"
    return view


def diff(target: str, before: Optional[EventInvokeConfig], after: Optional[EventInvokeConfig]) -> dict[str, Any]:
    """One config's diff, with headers naming it (function:qualifier)."""
    return {
        "before": diff_view(before),
        "after": diff_view(after),
        "before_header": target,
        "after_header": target,
    }
