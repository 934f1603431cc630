# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A region's event invoke configs as one desired state (lambda_event_invoke_configs), as pure functions.

The states are those of Ansible's resource modules:
  merged      each listed config gets the settings its entries name; other settings and configs are kept;
  replaced    each listed config becomes exactly what its entries name (unnamed settings are removed);
  overridden  replaced, and every config in scope that no entry names is deleted;
  deleted     the listed configs are deleted (with no config: every config in scope);
  gathered    nothing is changed; every config in scope is returned as config entries.

Scope is a list of function-name globs that bounds what overridden, deleted (with no config) and gathered read and
may delete; by default it is the functions the entries name or match. Entries may name a function by glob (AWS
names cannot contain `*`, `?` or `[`); a later entry overrides an earlier one for the settings it names.

Entries also take, as they are, the configs the modules return (lambda_event_invoke_config_info's items, this
module's changes[].before/after): function_arn names the config, last_modified is ignored, and a null number is not
named (merged keeps it; replaced and overridden unset it). merged, replaced and overridden refuse an empty config: an
expression that rendered [] is a mistake, and overridden would delete every config in scope.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any
from typing import Iterable
from typing import NamedTuple
from typing import Optional
from typing import Tuple

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import CREATE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import DELETE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import LATEST
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import SETTINGS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import UPDATE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Request
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import build_request
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import parse_function_arn
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import parse_target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import plan_action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import validate_destination
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import validate_qualifier
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import validate_request

MERGED, REPLACED, OVERRIDDEN, DELETED, GATHERED = "merged", "replaced", "overridden", "deleted", "gathered"
STATES = (MERGED, REPLACED, OVERRIDDEN, DELETED, GATHERED)
WRITING_STATES = (MERGED, REPLACED, OVERRIDDEN)

GLOB_CHARACTERS = "*?["
_GLOB_RE = re.compile(r"^[a-zA-Z0-9_*?\[\]!-]{1,64}$")


class Entry(NamedTuple):
    """One `config` item, checked: which function(s) and qualifier, and the settings it names."""

    position: int  # in `config`
    pattern: Optional[str]  # a glob of function names, or None when the entry names one function
    target: Optional[Target]  # the function it names (None for a glob)
    qualifier: str
    request: Request
    identity: str = "function_name"  # the option that names the function: function_name or function_arn

    def option(self, name: str) -> str:
        return f"config[{self.position}].{name}"


class Desired(NamedTuple):
    """What the task asks of one config, after globs are expanded and later entries laid over earlier ones."""

    target: Target
    request: Request


def is_glob(name: str) -> bool:
    return any(character in name for character in GLOB_CHARACTERS)


def _check_glob(option: str, pattern: str) -> None:
    if not _GLOB_RE.fullmatch(pattern):
        raise ParameterError(
            option,
            f"{option} {pattern!r} is not a function-name glob: letters, digits, '-', '_' and the wildcards * ? [...] "
            "(a glob matches bare function names, not ARNs).",
        )


def _prefixed(option: str, error: ParameterError) -> ParameterError:
    return ParameterError(option, f"{option}: {error}")


# ---------------------------------------------------------------------------------------------- entries


def check_config(config: Optional[list[Any]], state: str, scope: Optional[list[str]]) -> None:
    """merged, replaced and overridden need at least one entry. With none, merged and replaced would change nothing
    and overridden would delete every config in scope, all without a word: an expression that rendered [] is a
    mistake, not a desired state. Emptying a scope is said with state=deleted."""
    if state not in WRITING_STATES or config:
        return
    given = "config is empty" if config is not None else "config is missing"
    if state == OVERRIDDEN and scope:
        effect = "state=overridden with no entries would delete every config in scope"
    elif state == OVERRIDDEN:
        effect = "state=overridden needs entries (config), and takes scope for what else it may delete; it has neither"
    else:
        effect = f"state={state} needs at least one entry; with none it would change nothing"
    raise ParameterError(
        "config",
        f"{given}: {effect}. A list that renders empty is refused rather than applied. To delete every config in a "
        'scope, say so: state: deleted with scope (scope: ["*"] is the whole region).',
    )


def parse_entries(config: list[dict[str, Any]], state: str, region: Optional[str]) -> list[Entry]:
    """Check every entry before any call; errors name the entry (config[N].option)."""
    entries = []
    for index, item in enumerate(config):
        entries.append(_parse_entry(index, item, state, region))
    return entries


def _parse_entry(index: int, item: dict[str, Any], state: str, region: Optional[str]) -> Entry:
    prefix = f"config[{index}]"
    name, qualifier = item.get("function_name"), item.get("qualifier")
    request = build_request(item)
    if item.get("function_arn") is not None:
        target: Optional[Target] = _identify_by_arn(prefix, item["function_arn"], name, qualifier)
        identity = "function_arn"
    elif name is None:
        raise ParameterError(
            f"{prefix}.function_name",
            f"{prefix}.function_name is missing: give function_name (a name, NAME:QUALIFIER, an ARN or a glob) or "
            "function_arn (a config's qualified ARN, as the modules return it) to say which config the entry is.",
        )
    else:
        target = _identify_by_name(prefix, name, qualifier)
        identity = "function_name"
    resolved = target.qualifier if target is not None else qualifier or LATEST
    try:
        validate_request(request, target, region)
    except ParameterError as error:
        raise _prefixed(f"{prefix}.{error.option}", error) from None
    if state in (DELETED, GATHERED) and request:
        option = f"{prefix}.{sorted(request)[0]}"
        raise ParameterError(
            option,
            f"{option}: state={state} uses no settings; its entries only say which configs to "
            + ("delete." if state == DELETED else "read."),
        )
    pattern = name if target is None else None
    return Entry(index, pattern, target, resolved, request, identity)


def _identify_by_name(prefix: str, name: str, qualifier: Optional[str]) -> Optional[Target]:
    """The function function_name names (None for a glob, whose qualifier is only checked)."""
    if is_glob(name):
        _check_glob(f"{prefix}.function_name", name)
        if qualifier is not None:
            try:
                validate_qualifier(qualifier)
            except ParameterError as error:
                raise _prefixed(f"{prefix}.qualifier", error) from None
        return None
    return _named_target(prefix, name, qualifier)


def _named_target(prefix: str, name: str, qualifier: Optional[str]) -> Target:
    try:
        return parse_target(name, qualifier)
    except ParameterError as error:
        raise _prefixed(f"{prefix}.{error.option}", error) from None


def _identify_by_arn(prefix: str, function_arn: str, name: Optional[str], qualifier: Optional[str]) -> Target:
    """The config function_arn names. function_name and qualifier, when also given (as in the modules' output),
    must name the same config; the ARN is what the calls then send."""
    option = f"{prefix}.function_arn"
    try:
        target = parse_function_arn(function_arn)
    except ParameterError as error:
        raise _prefixed(option, error) from None
    if name is not None:
        if is_glob(name):
            raise ParameterError(
                option,
                f"{option} names one config but {prefix}.function_name {name!r} is a glob; give one or the other.",
            )
        named = _named_target(prefix, name, qualifier)
        differs = [
            what
            for what, mine, theirs in (
                ("function", named.name, target.name),
                ("region", named.region, target.region),
                ("account", named.account, target.account),
            )
            if mine is not None and mine != theirs
        ]
        if differs:
            raise ParameterError(
                option,
                f"{option} {function_arn!r} and {prefix}.function_name {name!r} name a different "
                f"{' and '.join(differs)}; give one, or both naming the same config.",
            )
        explicit = named.qualifier if qualifier is not None or named.function_name != name else None
    else:
        explicit = qualifier
    if explicit is not None and explicit != target.qualifier:
        raise ParameterError(
            option,
            f"{option} {function_arn!r} names qualifier {target.qualifier!r} but the entry's "
            + ("qualifier" if qualifier is not None else "function_name")
            + f" says {explicit!r}; give one, or both the same.",
        )
    return target


def check_regions(entries: list[Entry], region: str) -> None:
    """A function ARN of another region would be looked up in the client's region and not found: refused before
    any call, naming the entry's option."""
    for entry in entries:
        if entry.target is not None and entry.target.region not in (None, region):
            option = entry.option(entry.identity)
            raise ParameterError(
                option,
                f"{option} is an ARN in region {entry.target.region} but the connection uses region {region}; set "
                "region to match.",
            )


def parse_scope(scope: Optional[list[str]], entries: list[Entry], state: str) -> Optional[list[str]]:
    """The function-name globs the task may read for deletion and delete; None means "what the entries name"."""
    if scope is None:
        if state in (DELETED, GATHERED) and not entries:
            raise ParameterError(
                "scope",
                f"state={state} with no config needs scope, the function-name globs it may "
                + ("delete configs of" if state == DELETED else "read")
                + ' (scope: ["*"] is the whole region; it is never a default).',
            )
        return None
    if not scope:
        raise ParameterError("scope", 'scope is empty: give function-name globs (["*"] is the whole region).')
    for index, pattern in enumerate(scope):
        _check_glob(f"scope[{index}]", pattern)
    for entry in entries:
        if entry.target is not None and not in_scope(entry.target.name, scope):
            raise ParameterError(
                "scope",
                f"config[{entry.position}] names function {entry.target.name}, which no scope pattern matches: every "
                "config the task touches must be in scope.",
            )
    return scope


def in_scope(name: str, scope: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in scope)


def needs_listing(state: str, entries: list[Entry], scope: Optional[list[str]]) -> bool:
    """Whether ListFunctions must be read: only when a glob has to be expanded, in an entry, or in the scope of a
    state that reads what its scope matches (merged and replaced only check their entries against it)."""
    if any(entry.pattern is not None for entry in entries):
        return True
    return reads_scope(state, entries) and any(is_glob(pattern) for pattern in scope or [])


def reads_scope(state: str, entries: list[Entry]) -> bool:
    """Whether a state reads every function its scope matches: overridden (to delete what no entry names), gathered,
    and deleted with no config. merged and replaced only check their entries against the scope."""
    return state in (OVERRIDDEN, GATHERED) or (state == DELETED and not entries)


# ---------------------------------------------------------------------------------------------- expansion


class Expansion(NamedTuple):
    functions: dict[str, Target]  # every function the task reads, by name
    desired: dict[tuple[str, str], Desired]  # (function name, qualifier) -> what is asked of that config
    unmatched: list[Entry]  # glob entries that matched no function (worth a warning)
    unmatched_scope: list[int]  # positions of scope globs that matched no listed function (worth a warning too)


def expand(
    state: str, entries: list[Entry], scope: Optional[list[str]], listed: Optional[list[str]], region: Optional[str]
) -> Expansion:
    """Globs matched against `listed` (ListFunctions), inside scope; later entries laid over earlier ones.

    Read: the functions the entries name or match; with overridden and gathered also every function the scope
    matches, and with deleted and no config exactly those (they must see those functions' configs). merged and
    replaced never read what no entry names.

    A scope glob that matches no function is told only where the functions were listed (never listed for it).
    """
    functions: dict[str, Target] = {}
    desired: dict[tuple[str, str], Desired] = {}
    unmatched = []
    names = listed or []
    for entry in entries:
        matched = [entry.target] if entry.target is not None else _matches(entry.pattern or "", names, scope)
        if not matched:
            unmatched.append(entry)
        for target in matched:
            function = functions.setdefault(target.name, target._replace(qualifier=LATEST))
            _check_destinations(entry, function, region)
            key = (function.name, entry.qualifier)
            before = desired[key].request if key in desired else {}
            desired[key] = Desired(function._replace(qualifier=entry.qualifier), {**before, **entry.request})
    if scope is not None and reads_scope(state, entries):
        for name in names:
            if in_scope(name, scope):
                functions.setdefault(name, parse_target(name))
        for pattern in scope:
            if not is_glob(pattern):  # an explicit name in scope is read even when ListFunctions was not
                functions.setdefault(pattern, parse_target(pattern))
    unmatched_scope = [
        position
        for position, pattern in enumerate(scope or [])
        if listed is not None and is_glob(pattern) and not any(fnmatch.fnmatchcase(name, pattern) for name in names)
    ]
    return Expansion(functions, desired, unmatched, unmatched_scope)


def missing_scope_names(state: str, entries: list[Entry], scope: Optional[list[str]], missing: list[str]) -> list[int]:
    """The positions of the names (not globs) in scope whose function does not exist, where the state reads what
    scope names (their ListFunctionEventInvokeConfigs answered 404, so this costs no call) and no entry names it
    (a missing function an entry names is a failed config already)."""
    if scope is None or not reads_scope(state, entries):
        return []
    named = {entry.target.name for entry in entries if entry.target is not None}
    return [
        position
        for position, pattern in enumerate(scope)
        if not is_glob(pattern) and pattern in missing and pattern not in named
    ]


def _matches(pattern: str, names: list[str], scope: Optional[list[str]]) -> list[Target]:
    return [
        parse_target(name)
        for name in names
        if fnmatch.fnmatchcase(name, pattern) and (scope is None or in_scope(name, scope))
    ]


def _check_destinations(entry: Entry, target: Target, region: Optional[str]) -> None:
    """The function as its own destination can only be told once a glob has named the function (C11)."""
    for half in ("on_success", "on_failure"):
        arn = entry.request.get(half)
        if arn:
            try:
                validate_destination(half, arn, target, region)
            except ParameterError as error:
                raise _prefixed(entry.option(half), error) from None


# ---------------------------------------------------------------------------------------------- planning


def plan_function(
    state: str,
    function: Target,
    desired: dict[str, Desired],
    current: Optional[list[EventInvokeConfig]],
    delete_unlisted: bool,
) -> list[Action]:
    """The writes one function needs, in qualifier order. `desired` maps qualifier -> Desired for this function;
    `current` is its configs (None when the function does not exist: creating fails later, deleting is a no-op).
    `delete_unlisted`: deleted with no config, where every config of a function in scope goes."""
    by_qualifier = {config.qualifier: config for config in current or []}
    actions = []
    if state == GATHERED:
        return []
    if state == DELETED:
        qualifiers = sorted(by_qualifier) if delete_unlisted else sorted(desired)
        return [
            Action(DELETE, function._replace(qualifier=q), by_qualifier[q], None)
            for q in qualifiers
            if q in by_qualifier
        ]
    for qualifier in sorted(desired):
        wanted = desired[qualifier]
        if state == MERGED and not wanted.request:
            continue  # no setting named (identity only, e.g. gathered's entry of a config with none): no change
        action = plan_action(wanted.target, wanted.request, by_qualifier.get(qualifier), purge=state != MERGED)
        if action:
            actions.append(action)
    if state == OVERRIDDEN:
        for qualifier in sorted(set(by_qualifier) - set(desired)):
            actions.append(Action(DELETE, function._replace(qualifier=qualifier), by_qualifier[qualifier], None))
    return sorted(actions, key=lambda action: action.target.qualifier)


def gathered_entry(config: EventInvokeConfig) -> dict[str, Any]:
    """A config as a `config` entry: what applying it with state=overridden (or replaced) leaves unchanged."""
    entry: dict[str, Any] = {"function_name": config.function_name, "qualifier": config.qualifier}
    for field in SETTINGS:
        value = getattr(config.settings, field)
        if value is not None:
            entry[field] = value
    return entry


# ---------------------------------------------------------------------------------------------- summary

Key = Tuple[str, str]  # (function name, qualifier)


def summarize(
    state: str,
    desired: Iterable[Key],
    read: Iterable[Key],
    changes: Iterable[tuple[Key, str]],
    failed: Iterable[Key],
    delete_unlisted: bool,
) -> dict[str, int]:
    """How many configs the task held, by what became of them: created, updated, deleted, failed, unchanged.

    The configs a task holds are the ones its state manages: the ones the entries name (merged, replaced, deleted
    with config); those and every config read in scope (overridden); every config read (gathered, and deleted
    without config). A failure of a whole function (qualifier "*") counts once. Every config counts once.
    """
    if state == GATHERED or (state == DELETED and delete_unlisted):
        held = set(read)
    elif state == OVERRIDDEN:
        held = set(desired) | set(read)
    else:
        held = set(desired)
    changed = dict(changes)
    failures = set(failed) - set(changed)
    counts = {action: sum(1 for a in changed.values() if a == action) for action in (CREATE, UPDATE, DELETE)}
    counts["failed"] = len(failures)
    counts["unchanged"] = len(held - set(changed) - failures)
    return counts


def summary_message(state: str, counts: dict[str, int]) -> str:
    """One line for a task that did not fail: "300 configs: 12 created, 3 updated, 0 deleted, 285 unchanged"."""
    total = sum(counts.values())
    configs = f"{total} config{'' if total == 1 else 's'}"
    if state == GATHERED:
        return f"{configs} gathered"
    parts = [f"{counts[action]} {action}" for action in (CREATE, UPDATE, DELETE)]
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    return f"{configs}: {', '.join(parts)}, {counts['unchanged']} unchanged"
