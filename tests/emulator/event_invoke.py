"""The five Lambda event-invoke-config operations, as real AWS behaves.

Spec: ``docs/aws-behaviour.md`` (cases C1-C18). moto's own implementation of these
operations is wrong in most cases that matter (it ignores the qualifier, Put appends, Update is a Put, List returns
one item), so the emulator answers them here and reads moto's backends only to learn what exists.

Order of checks for Put/Update (the recorded parts are C6, C7, C10, C11):

1. model constraints (FunctionName, Qualifier, the two numbers, destination ARN pattern/length)
   -> ``ValidationException`` listing every violation ("N validation errors detected: ...; ...");
2. no setting at all -> "You must specify at least one of error handling or destination setting." (runs before the
   function-existence check, RECORDED);
3. qualifier in FunctionName differs from ``Qualifier`` -> "The derived qualifier ..." (before alias existence);
4. function, version or alias missing -> 404 "The function doesn't exist.";
5. Update only: no config for that qualifier -> 404 "The function ARN:Q doesn't have an EventInvokeConfig";
6. destinations: unsupported service or S3 as OnSuccess -> "The provided destination config ... is invalid.";
   then, OnSuccess before OnFailure, a destination that does not exist -> "The destination ARN X is invalid.",
   the function itself -> "You can't specify the function as a destination for itself.";
7. destination permissions (C11), OnSuccess before OnFailure: the execution role of the qualifier being configured
   ($LATEST: the function's current role; a version: that version's role; an alias: its primary version's role)
   must be allowed the destination's action -> "The function's execution role does not have permissions to call
   <Action> on <arn>" (see ``destination_access``; clients should match "does not have permissions" only);
8. injected faults for writes (409 conflict, destination propagation, permission propagation), which never change
   state;
9. write.

Update checks (6, 7) only the halves it is sent; a half it keeps was checked when it was written.

Get and Delete answer 404 "... doesn't have an EventInvokeConfig" for a missing function as well (recorded
asymmetry, C7). List answers 404 "The function doesn't exist." for a missing function.

Emulator choices where AWS behaviour is UNKNOWN or only INFERRED (each keeps a client that avoids the unknown safe):

- ``Destination: ""`` (UNKNOWN): rejected with InvalidParameterValueException "The provided destination config
  DestinationConfig(onSuccess=OnSuccess(destination=), ...) is invalid.", so a client that relies on "" to clear a
  destination is caught. Send ``{}`` for an empty half instead.
- Update with a half (UNKNOWN): a half that is sent replaces that half (``{}`` clears it); a half not sent is kept;
  numbers not sent are kept. ``DestinationConfig: {}`` keeps both halves. Clients should Put the full state.
- List with a qualified FunctionName (UNKNOWN): rejected with InvalidParameterValueException.
- List default page size when MaxItems is omitted (UNKNOWN): 50. Items come sorted by qualifier (AWS gives no
  order guarantee); the marker is opaque and survives writes between pages.
- Invalid List marker: InvalidParameterValueException "Invalid marker: ...".
- Function deleted (C15, RECORDED indirectly): its configs go with it. A function re-created with the same name
  starts with none (UNKNOWN in AWS). Detected lazily: every access compares moto's current function record with the
  one the configs were written for.
- Alias deleted (UNKNOWN; alchemy's claim, LocalStack and moto, and the function-URL analogue say it persists): the
  config persists. Get, List and Delete still see it; Put/Update on it answer 404 "The function doesn't exist."
  until the alias exists again, and then the old config is visible again. A client that deletes the alias config
  before the alias (the safe practice) never sees the difference; one that relies on automatic removal sees the
  orphan.
- Version deleted (DeleteFunction with a Qualifier; UNKNOWN): the same as an alias, its config persists and can only
  be read, listed or deleted. Lambda never reuses a version number; moto does, and then the old config is dropped
  rather than shown for the new version.
- Non-existent version on Put (INFERRED): 404 "The function doesn't exist.", like a missing alias.
- ``$LATEST.PUBLISHED`` passes validation but moto has no such qualifier: 404 as for any missing qualifier.
- Update with no setting (INFERRED): the same "You must specify at least one ..." error as Put.
- ``DestinationConfig: {}`` on Put: counts as a destination setting, both halves empty (INFERRED from C11).
- Same function as destination: any ARN of the same function (any qualifier) counts as "itself" (INFERRED).
- A full or partial ARN naming another region or account than the request's: treated as a missing function.
- Malformed JSON or a wrong type in the body: 400 ``SerializationException`` (emulator choice).
- Every Put/Update sets LastModified to "now", even when nothing changed (C16 is UNKNOWN; this is the safe side:
  clients must not use LastModified to detect changes).
- Destination permission message (C11, prefix UNKNOWN): "The function's execution role does not have permissions to
  call <Action> on <arn>", Terraform's wording (alchemy matches "The function execution role ..."). Clients must
  match "does not have permissions" only.
- What Lambda checks for an S3 destination at Put time (UNKNOWN): ``s3:PutObject`` on ``BUCKET/*``, then
  ``s3:ListBucket`` on the bucket; the first refused is named.
- An alias with a routing config: only the role of its primary version is checked (INFERRED).
- A role that no longer exists grants nothing: every destination is refused with the "does not have permissions"
  text (INFERRED, docs/aws-behaviour.md C25); a write without a destination is accepted.
- Conditions in policies are not evaluated; a conditional Allow grants nothing, a conditional Deny denies
  (``iam_policy``), so the emulator never accepts a destination AWS might refuse for that reason.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from . import destination_access
from . import moto_view
from .moto_view import LATEST
from .moto_view import FunctionRecord
from .wire import LambdaError
from .wire import conflict
from .wire import invalid_parameter
from .wire import not_found
from .wire import validation_error

# Model constraints, verbatim from botocore's lambda service model (a unit test checks they still match).
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
QUALIFIER_PATTERN = r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
DESTINATION_ARN_PATTERN = (
    r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
    r"((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)
FUNCTION_NAME_MAX = 256
QUALIFIER_MAX = 128
DESTINATION_ARN_MAX = 350
RETRY_RANGE = (0, 2)
EVENT_AGE_RANGE = (60, 21600)
MAX_ITEMS_RANGE = (1, 50)
DEFAULT_PAGE_SIZE = 50

# The same pattern with names on the parts we need, for parsing an already validated FunctionName.
_FUNCTION_NAME_PARTS = re.compile(
    r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9-_.]+)"
    r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)

MSG_NO_SETTINGS = "You must specify at least one of error handling or destination setting."
MSG_QUALIFIER_MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."
MSG_FUNCTION_MISSING = "The function doesn't exist."
MSG_SELF_DESTINATION = "You can't specify the function as a destination for itself."
MSG_LIST_QUALIFIED = (
    "ListFunctionEventInvokeConfigs does not accept a qualified function name (emulator choice: AWS behaviour is "
    "not recorded). Pass the function name or its unqualified ARN."
)

HALF_NAMES = ("OnSuccess", "OnFailure")
WIRE_HALF = {"OnSuccess": "onSuccess", "OnFailure": "onFailure"}  # as the halves appear in error messages


@dataclass(frozen=True)
class CallContext:
    """Who is calling where: the account and region every lookup and ARN uses."""

    account: str
    region: str

    def arn(self, name: str, qualifier: str | None = None) -> str:
        return moto_view.function_arn(self.region, self.account, name, qualifier)


@dataclass(frozen=True)
class FunctionName:
    name: str
    qualifier: str | None  # embedded in FunctionName (NAME:Q or ...:function:NAME:Q)
    region: str | None
    account: str | None


@dataclass
class StoredConfig:
    maximum_retry_attempts: int | None = None
    maximum_event_age_in_seconds: int | None = None
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0
    # For a version qualifier, moto's version object: the config dies with that version.
    version_anchor: Any = None


@dataclass
class FunctionConfigs:
    anchor: dict[str, Any]  # moto's record of the function the configs were written for
    by_qualifier: dict[str, StoredConfig]


class SerializationError(LambdaError):
    def __init__(self, message: str) -> None:
        super().__init__(400, "SerializationException", message)


# --- validation -------------------------------------------------------------------------------------------------


def _violation(value: Any, path: str, constraint: str) -> str:
    return f"Value '{value}' at '{path}' failed to satisfy constraint: Member must {constraint}"


def _string_violations(value: str, path: str, pattern: str, minimum: int, maximum: int) -> list[str]:
    found = []
    if value and not re.fullmatch(pattern, value):
        found.append(_violation(value, path, f"satisfy regular expression pattern: {pattern}"))
    if len(value) < minimum:
        found.append(_violation(value, path, f"have length greater than or equal to {minimum}"))
    if len(value) > maximum:
        found.append(_violation(value, path, f"have length less than or equal to {maximum}"))
    return found


def _range_violations(value: int | None, path: str, bounds: tuple[int, int]) -> list[str]:
    if value is None:
        return []
    low, high = bounds
    if value < low:
        return [_violation(value, path, f"have value greater than or equal to {low}")]
    if value > high:
        return [_violation(value, path, f"have value less than or equal to {high}")]
    return []


def _name_violations(function_name: str, qualifier: str | None) -> list[str]:
    found = _string_violations(function_name, "functionName", FUNCTION_NAME_PATTERN, 1, FUNCTION_NAME_MAX)
    if qualifier is not None:
        found += _string_violations(qualifier, "qualifier", QUALIFIER_PATTERN, 1, QUALIFIER_MAX)
    return found


def parse_function_name(value: str) -> FunctionName:
    match = _FUNCTION_NAME_PARTS.fullmatch(value)
    if match is None:  # only reachable for input that also failed validation
        raise validation_error(_name_violations(value, None))
    return FunctionName(match["name"], match["qualifier"], match["region"], match["account"])


def _effective_qualifier(parsed: FunctionName, qualifier: str | None) -> str:
    if parsed.qualifier is not None and qualifier is not None and parsed.qualifier != qualifier:
        raise invalid_parameter(MSG_QUALIFIER_MISMATCH)
    return parsed.qualifier or qualifier or LATEST


# --- request bodies -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigInput:
    """What a Put/Update body carries; None for a number that was not sent."""

    retries: int | None
    event_age: int | None
    destination_sent: bool
    # Only the halves that were sent ("OnSuccess"/"OnFailure"), each mapped to its Destination (None if absent).
    halves: dict[str, str | None]

    @property
    def has_setting(self) -> bool:
        return self.retries is not None or self.event_age is not None or self.destination_sent

    def destinations(self) -> list[tuple[str, str]]:
        """(half, arn) for every sent half that names a destination (including "")."""
        return [(half, arn) for half, arn in self.halves.items() if arn is not None]


def parse_config_body(raw: bytes) -> ConfigInput:
    body = _json_object(raw)
    destination = body.get("DestinationConfig")
    if destination is not None and not isinstance(destination, dict):
        raise SerializationError("DestinationConfig must be a structure")
    # In HALF_NAMES order, so checks run OnSuccess first whatever order the client sent them in.
    sent = {half: (destination or {}).get(half) for half in HALF_NAMES}
    halves = {half: _destination_of(value, half) for half, value in sent.items() if value is not None}
    return ConfigInput(
        retries=_optional_int(body, "MaximumRetryAttempts"),
        event_age=_optional_int(body, "MaximumEventAgeInSeconds"),
        destination_sent=destination is not None,
        halves=halves,
    )


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise SerializationError(f"Malformed JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise SerializationError("The request body must be a JSON object")
    return body


def _destination_of(value: Any, half: str) -> str | None:
    if not isinstance(value, dict):
        raise SerializationError(f"DestinationConfig.{half} must be a structure")
    arn = value.get("Destination")
    if arn is not None and not isinstance(arn, str):
        raise SerializationError(f"DestinationConfig.{half}.Destination must be a string")
    return arn


def _optional_int(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SerializationError(f"{key} must be an integer")
    return value


def _config_violations(config: ConfigInput) -> list[str]:
    found = _range_violations(config.retries, "maximumRetryAttempts", RETRY_RANGE)
    found += _range_violations(config.event_age, "maximumEventAgeInSeconds", EVENT_AGE_RANGE)
    for half, arn in config.destinations():
        path = f"destinationConfig.{WIRE_HALF[half]}.destination"
        found += _string_violations(arn, path, DESTINATION_ARN_PATTERN, 0, DESTINATION_ARN_MAX)
    return found


# --- destinations -------------------------------------------------------------------------------------------------


def _destination_config_text(config: ConfigInput) -> str:
    parts = []
    for half in HALF_NAMES:
        arn = config.halves.get(half)
        parts.append(f"{WIRE_HALF[half]}=" + (f"{half}(destination={arn})" if arn is not None else "null"))
    return f"DestinationConfig({', '.join(parts)})"


def _usable_service(half: str, arn: str) -> bool:
    if arn == "":
        return False  # emulator choice, see the module docstring
    parsed = moto_view.Arn.parse(arn)
    if parsed is None or parsed.service not in moto_view.SUPPORTED_DESTINATION_SERVICES:
        return False
    return not (parsed.service == "s3" and half == "OnSuccess")  # S3 is for OnFailure only (C11)


def _check_destinations(ctx: CallContext, function: str, config: ConfigInput) -> None:
    named = config.destinations()
    if any(not _usable_service(half, arn) for half, arn in named):
        raise invalid_parameter(f"The provided destination config {_destination_config_text(config)} is invalid.")
    for arn in (destination for _half, destination in named):
        if not moto_view.destination_exists(arn):
            raise invalid_parameter(f"The destination ARN {arn} is invalid.")
        target = moto_view.lambda_destination(arn)
        if target is not None and target[:3] == (ctx.account, ctx.region, function):
            raise invalid_parameter(MSG_SELF_DESTINATION)


def _check_destination_permissions(record: FunctionRecord, qualifier: str, config: ConfigInput) -> None:
    role = moto_view.execution_role(record, qualifier)
    for _half, arn in config.destinations():
        refused = destination_access.refused_action(role, arn)
        if refused is not None:
            raise invalid_parameter(destination_access.refusal_message(refused, arn))


# --- the store ----------------------------------------------------------------------------------------------------


@dataclass
class WriteFaults:
    """Hooks the app passes in so injected write faults happen after validation and before any state change."""

    conflict: Callable[[], bool] = lambda: False
    propagation_failure: Callable[[], bool] = lambda: False
    permission_propagation_failure: Callable[[], bool] = lambda: False


class EventInvokeConfigs:
    """All configs, keyed by (account, region, function name) and then by qualifier ($LATEST for none)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.RLock()
        self._functions: dict[tuple[str, str, str], FunctionConfigs] = {}
        self._clock = clock

    def clear(self) -> None:
        with self._lock:
            self._functions.clear()

    # -- the five operations --

    def put(
        self, ctx: CallContext, function_name: str, qualifier: str | None, raw: bytes, faults: WriteFaults
    ) -> dict[str, Any]:
        with self._lock:
            config, name, resolved, record = self._prepare_write(ctx, function_name, qualifier, raw)
            _check_destinations(ctx, name, config)
            _check_destination_permissions(record, resolved, config)
            _inject_write_faults(ctx, name, resolved, config, faults)
            stored = StoredConfig(
                maximum_retry_attempts=config.retries,
                maximum_event_age_in_seconds=config.event_age,
                on_success=config.halves.get("OnSuccess"),
                on_failure=config.halves.get("OnFailure"),
                last_modified=self._now(),
                version_anchor=_version_anchor(record, resolved),
            )
            self._configs(ctx, name, record).by_qualifier[resolved] = stored
            return self._payload(ctx, name, resolved, stored)

    def update(
        self, ctx: CallContext, function_name: str, qualifier: str | None, raw: bytes, faults: WriteFaults
    ) -> dict[str, Any]:
        with self._lock:
            config, name, resolved, record = self._prepare_write(ctx, function_name, qualifier, raw)
            current = self._configs(ctx, name, record).by_qualifier.get(resolved)
            if current is None:
                raise not_found(_no_config_message(ctx, name, resolved))
            _check_destinations(ctx, name, config)
            _check_destination_permissions(record, resolved, config)
            _inject_write_faults(ctx, name, resolved, config, faults)
            merged = _merge(current, config, self._now())
            self._configs(ctx, name, record).by_qualifier[resolved] = merged
            return self._payload(ctx, name, resolved, merged)

    def get(self, ctx: CallContext, function_name: str, qualifier: str | None) -> dict[str, Any]:
        with self._lock:
            parsed, resolved = self._parse_read(function_name, qualifier)
            stored = self._find(ctx, parsed, resolved)
            return self._payload(ctx, parsed.name, resolved, stored)

    def delete(self, ctx: CallContext, function_name: str, qualifier: str | None, faults: WriteFaults) -> None:
        with self._lock:
            parsed, resolved = self._parse_read(function_name, qualifier)
            self._find(ctx, parsed, resolved)
            if faults.conflict():
                raise _conflict(ctx, parsed.name, resolved)
            del self._functions[(ctx.account, ctx.region, parsed.name)].by_qualifier[resolved]

    def list_configs(
        self, ctx: CallContext, function_name: str, marker: str | None, max_items: str | None
    ) -> dict[str, Any]:
        with self._lock:
            page_size = _page_size(function_name, max_items)
            parsed = parse_function_name(function_name)
            if parsed.qualifier is not None:
                raise invalid_parameter(MSG_LIST_QUALIFIED)
            record = self._lookup(ctx, parsed)
            if record is None:
                raise not_found(MSG_FUNCTION_MISSING)
            configs = self._configs(ctx, parsed.name, record).by_qualifier
            after = _decode_marker(marker) if marker is not None else ""
            qualifiers = sorted(q for q in configs if q > after)
            page = qualifiers[:page_size]
            result: dict[str, Any] = {
                "FunctionEventInvokeConfigs": [self._payload(ctx, parsed.name, q, configs[q]) for q in page]
            }
            if len(qualifiers) > page_size:
                result["NextMarker"] = _encode_marker(page[-1])
            return result

    # -- helpers --

    def _prepare_write(
        self, ctx: CallContext, function_name: str, qualifier: str | None, raw: bytes
    ) -> tuple[ConfigInput, str, str, FunctionRecord]:
        config = parse_config_body(raw)
        violations = _name_violations(function_name, qualifier) + _config_violations(config)
        if violations:
            raise validation_error(violations)
        if not config.has_setting:
            raise invalid_parameter(MSG_NO_SETTINGS)
        parsed = parse_function_name(function_name)
        resolved = _effective_qualifier(parsed, qualifier)
        record = self._lookup(ctx, parsed)
        if record is None or not record.has_qualifier(resolved):
            raise not_found(MSG_FUNCTION_MISSING)
        return config, parsed.name, resolved, record

    @staticmethod
    def _parse_read(function_name: str, qualifier: str | None) -> tuple[FunctionName, str]:
        violations = _name_violations(function_name, qualifier)
        if violations:
            raise validation_error(violations)
        parsed = parse_function_name(function_name)
        return parsed, _effective_qualifier(parsed, qualifier)

    def _find(self, ctx: CallContext, parsed: FunctionName, qualifier: str) -> StoredConfig:
        """The stored config, or the 404 Get and Delete give whether the function or only the config is missing."""
        record = self._lookup(ctx, parsed)
        stored = self._configs(ctx, parsed.name, record).by_qualifier.get(qualifier) if record else None
        if stored is None:
            raise not_found(_no_config_message(ctx, parsed.name, qualifier))
        return stored

    @staticmethod
    def _lookup(ctx: CallContext, parsed: FunctionName) -> FunctionRecord | None:
        if parsed.region not in (None, ctx.region) or parsed.account not in (None, ctx.account):
            return None
        return moto_view.get_function(ctx.account, ctx.region, parsed.name)

    def _configs(self, ctx: CallContext, name: str, record: FunctionRecord) -> FunctionConfigs:
        """The configs of a function, dropping what died with the function. A deleted version's config stays, as a
        deleted alias's does (C15); it is dropped only when moto reuses the version number for a new version, which
        AWS never does."""
        key = (ctx.account, ctx.region, name)
        entry = self._functions.get(key)
        if entry is None or entry.anchor is not record.anchor:  # new function, or deleted and re-created
            entry = self._functions[key] = FunctionConfigs(anchor=record.anchor, by_qualifier={})
        for qualifier, stored in list(entry.by_qualifier.items()):
            current = record.version_object(qualifier) if stored.version_anchor is not None else None
            if current is not None and current is not stored.version_anchor:
                del entry.by_qualifier[qualifier]
        return entry

    def _payload(self, ctx: CallContext, name: str, qualifier: str, stored: StoredConfig) -> dict[str, Any]:
        payload: dict[str, Any] = {"LastModified": stored.last_modified, "FunctionArn": ctx.arn(name, qualifier)}
        if stored.maximum_retry_attempts is not None:  # 0 is a real value (C1)
            payload["MaximumRetryAttempts"] = stored.maximum_retry_attempts
        if stored.maximum_event_age_in_seconds is not None:
            payload["MaximumEventAgeInSeconds"] = stored.maximum_event_age_in_seconds
        # Real Lambda sends {"Destination": null} for an empty half; botocore turns that into {} (C1).
        payload["DestinationConfig"] = {
            "OnSuccess": {"Destination": stored.on_success},
            "OnFailure": {"Destination": stored.on_failure},
        }
        return payload

    def _now(self) -> float:
        return round(self._clock(), 3)  # epoch seconds with milliseconds, as Lambda sends it


def _merge(current: StoredConfig, config: ConfigInput, now: float) -> StoredConfig:
    """Update: what is sent replaces, what is not sent is kept (per number and per destination half)."""
    changes: dict[str, Any] = {"last_modified": now}
    if config.retries is not None:
        changes["maximum_retry_attempts"] = config.retries
    if config.event_age is not None:
        changes["maximum_event_age_in_seconds"] = config.event_age
    for half, attribute in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
        if half in config.halves:
            changes[attribute] = config.halves[half]
    return replace(current, **changes)


def _version_anchor(record: FunctionRecord, qualifier: str) -> Any:
    return record.version_object(qualifier) if qualifier.isdigit() else None


def _no_config_message(ctx: CallContext, name: str, qualifier: str) -> str:
    return f"The function {ctx.arn(name, qualifier)} doesn't have an EventInvokeConfig"


def _conflict(ctx: CallContext, name: str, qualifier: str) -> LambdaError:
    return conflict(ctx.arn(name, qualifier))


def _inject_write_faults(ctx: CallContext, name: str, qualifier: str, config: ConfigInput, faults: WriteFaults) -> None:
    if faults.conflict():
        raise _conflict(ctx, name, qualifier)
    named = config.destinations()
    if named and faults.propagation_failure():
        error = invalid_parameter(f"The destination ARN {named[0][1]} is invalid.")
        error.fault = "propagation"
        raise error
    if named and faults.permission_propagation_failure():
        # What AWS answers while a just-written role policy has not reached Lambda yet (C11, C18).
        arn = named[0][1]
        action = destination_access.required_permissions(arn)[0][0]
        error = invalid_parameter(destination_access.refusal_message(action, arn))
        error.fault = "propagation"
        raise error


def _page_size(function_name: str, max_items: str | None) -> int:
    size = DEFAULT_PAGE_SIZE
    if max_items is not None:
        try:
            size = int(max_items)
        except ValueError:
            raise SerializationError(f"MaxItems must be an integer, got {max_items!r}") from None
    violations = _name_violations(function_name, None) + _range_violations(
        size if max_items is not None else None, "maxItems", MAX_ITEMS_RANGE
    )
    if violations:
        raise validation_error(violations)
    return size


def _encode_marker(qualifier: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": qualifier}).encode()).decode()


def _decode_marker(marker: str) -> str:
    try:
        after = json.loads(base64.urlsafe_b64decode(marker.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_parameter(f"Invalid marker: {marker}") from None
    if not isinstance(after, str):
        raise invalid_parameter(f"Invalid marker: {marker}")
    return after
