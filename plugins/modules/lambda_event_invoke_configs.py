#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lambda_event_invoke_configs
version_added: 1.1.0
short_description: Hold many AWS Lambda asynchronous invocation configurations as one desired state
description:
  - Manages the asynchronous invocation configurations (C(EventInvokeConfig)) of many functions and qualifiers in
    one region as one desired state, with the states of Ansible's resource modules, including removing what the
    desired state does not name (V(overridden)).
  - Reads each function's configurations with one C(ListFunctionEventInvokeConfigs) call (never one read per
    qualifier), writes only what differs, and runs functions concurrently under Lambda's shared quota of 15
    control-plane requests per second. C(ListFunctions) is read only when a glob in O(config) or O(scope) has to be
    expanded.
  - One configuration's failure (a missing function or alias, a refused destination, retries exhausted) does not
    stop the others; the task fails at the end, listing every failed configuration and every change it made.
  - To manage one configuration, M(cloudops.aws_lambda.lambda_event_invoke_config) does the same with one read.
author:
  - cloudops developers (@cloudops)
options:
  config:
    description:
      - The desired configurations. Each entry names a function and a qualifier and the settings it wants.
      - Entries may name the same configuration more than once (for example a broad glob first, then one function);
        a later entry overrides an earlier one for the settings it names.
      - A configuration as the modules return it is an entry as it is, so it can be applied back, copied or restored
        without reshaping it. That is each item of
        RV(cloudops.aws_lambda.lambda_event_invoke_config_info#module:event_invoke_configs), of RV(gathered), and
        RV(changes[].before) or RV(changes[].after) of this module other than V({}) (which is no configuration).
        In such an entry O(config[].function_arn) names the configuration, O(config[].last_modified) and
        O(config[].destination_checks) are ignored, a
        V(null) number is not named (V(merged) keeps it, V(replaced) and V(overridden) unset it) and
        O(config[].destination_config) names both destinations.
      - Required, and not empty, with V(merged), V(replaced) and V(overridden), before any call. An empty list
        (for example an expression that rendered V([])) would change nothing with V(merged) and V(replaced), and
        delete every configuration in O(scope) with V(overridden). To delete every configuration in a scope, say so
        with O(state=deleted) and O(scope).
      - >-
        Ad hoc, give the arguments as JSON (C(-a '{"config": [{"function_name": "my-function", ...}]}')); a list
        in the C(key=value) form of C(-a) arrives as one string, which is refused naming O(config).
    type: list
    elements: dict
    suboptions:
      function_name:
        description:
          - A function name, C(NAME:QUALIFIER), a function ARN or a partial ARN, as
            M(cloudops.aws_lambda.lambda_event_invoke_config) accepts.
          - Or a glob of function names (V(orders-*), V(*-worker), V(batch-[0-9]*)), expanded against the
            functions of the region. AWS function names cannot contain C(*), C(?) or C([).
          - Each entry needs O(config[].function_name) or O(config[].function_arn).
        type: str
        aliases: [name]
      function_arn:
        description:
          - The qualified ARN of one configuration, C(arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER), as
            the modules return it in C(function_arn). It names the function and the qualifier, so it may stand in
            for O(config[].function_name) and O(config[].qualifier).
          - When O(config[].function_name) or O(config[].qualifier) are given too, they must name the same
            configuration (a glob in O(config[].function_name) is refused). The calls then name the function by
            this ARN; an ARN of another region than the connection's is refused.
        type: str
        version_added: 1.2.0
      qualifier:
        description:
          - A version number, an alias name, or V($LATEST) (the default).
          - With a glob, every function the glob matches must have this qualifier; one that does not is a failed
            configuration.
        type: str
      maximum_retry_attempts:
        description:
          - How many times Lambda retries when the function returns an error, from V(0) to V(2).
          - Unset means AWS's default of V(2), which AWS does not report back.
        type: int
      maximum_event_age_in_seconds:
        description:
          - The maximum age of an event Lambda sends to the function, from V(60) to V(21600) seconds.
          - Unset means AWS's default of V(21600) (6 hours), which AWS does not report back.
        type: int
      on_success:
        description:
          - The ARN of the destination for records of successful invocations, or V("") for none.
          - Cannot be used with O(config[].destination_config).
        type: str
      on_failure:
        description:
          - The ARN of the destination for records of failed invocations, or V("") for none.
          - Cannot be used with O(config[].destination_config).
        type: str
      destination_config:
        description:
          - Both destinations in the shape the modules return (a half with no or an empty C(destination) means none).
        type: dict
        suboptions:
          on_success:
            description: The destination for records of successful invocations.
            type: dict
            suboptions:
              destination:
                description: The destination's ARN.
                type: str
          on_failure:
            description: The destination for records of failed invocations.
            type: dict
            suboptions:
              destination:
                description: The destination's ARN.
                type: str
      last_modified:
        description:
          - Ignored. Accepted so that a configuration as the modules return it is an entry as it is.
        type: str
        version_added: 1.2.0
      destination_checks:
        description:
          - Ignored. Accepted so that an item of
            RV(cloudops.aws_lambda.lambda_event_invoke_config_info#module:event_invoke_configs) read with
            O(cloudops.aws_lambda.lambda_event_invoke_config_info#module:check_destinations=true) is an entry as it
            is.
        type: list
        elements: dict
        version_added: 1.2.0
  state:
    description:
      - V(merged) gives each listed configuration the settings its entries name; other settings, and configurations
        no entry names, are kept. An entry that names no setting (only which configuration, as RV(gathered) does for
        a configuration with nothing set) changes nothing.
      - V(replaced) makes each listed configuration exactly what its entries name. A number left out returns to
        AWS's default (2 retries, 6 hours) and a destination left out is removed. Configurations no entry names are
        kept.
      - V(overridden) is V(replaced), and also deletes every configuration in O(scope) that no entry names.
      - V(deleted) deletes the listed configurations (entries name no settings); with no O(config), every
        configuration in O(scope).
      - V(gathered) changes nothing and returns RV(gathered), every configuration in O(scope) as O(config) entries,
        so it can be saved and applied back (V(overridden) then reports no change).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  scope:
    description:
      - Function-name globs that bound what V(overridden), V(deleted) without O(config) and V(gathered) read, and
        what they may delete. Nothing outside it is read for deletion or deleted, and every function an entry
        names must be inside it.
      - Not set means the functions the entries of O(config) name or match. V(["*"]) is the whole region; it is
        never a default, so V(gathered) or V(deleted) with neither O(config) nor O(scope) is refused.
      - A glob that matches no function warns, naming it, where the task listed the region's functions anyway (a
        glob in O(config), or a glob in O(scope) with V(overridden), V(gathered) or V(deleted) without O(config)).
        A function name that does not exist warns where the task read it (V(overridden), V(gathered), V(deleted)
        without O(config)). Neither costs a call.
    type: list
    elements: str
extends_documentation_fragment:
  - cloudops.aws_lambda.options.preflight
  - cloudops.aws_lambda.options.pacing
  - cloudops.aws_lambda.connection
  - cloudops.aws_lambda.connection.attributes
attributes:
  check_mode:
    description: Reads only, and reports the same RV(changes) the real run would make (destinations checked).
    support: full
  diff_mode:
    description: Shows before and after for each configuration changed, headed by C(function:qualifier).
    support: full
notes:
  - A glob entry that matches no function changes nothing and warns.
  - A run over hundreds of functions is paced by Lambda's quota and prints nothing until it ends (about 40 seconds
    for 300 functions); give the task C(async) and C(poll) to keep a connection or a CI log from timing out, and read
    RV(msg) and RV(summary) for the outcome at a glance.
  - Writes to configurations of one function never run at the same time (AWS answers C(ResourceConflictException)
    to concurrent writes on one function); different functions run concurrently.
  - One refused write per cause. The first write that sets a destination not yet proven goes alone; when AWS refuses
    it and the diagnosis finds a permanent cause (the destination does not exist, or the function's execution role
    may not use it), every other write that sets that destination (for a role, those of functions with that role)
    fails with the same cause without a call. RV(failed_configs) keeps one item per configuration; the failure
    message groups them by cause.
  - The states are those of Ansible's resource modules that apply to a cloud API. V(rendered) and V(parsed) are
    not offered, because they translate between structured data and a device's native configuration text, and an
    event invoke configuration has no such text (the API's JSON is the configuration). What V(rendered) would give
    (the configuration a task would write, without writing it) is check mode's RV(changes), and V(gathered)'s
    output is already in the shape O(config) takes.
seealso:
  - module: cloudops.aws_lambda.lambda_event_invoke_config
  - module: cloudops.aws_lambda.lambda_event_invoke_config_info
"""

EXAMPLES = r"""
- name: Every orders function retries once and sends failures to the team's queue; the live aliases never retry
  cloudops.aws_lambda.lambda_event_invoke_configs:
    config:
      - function_name: orders-*
        maximum_retry_attempts: 1
        on_failure: arn:aws:sqs:eu-west-1:123456789012:orders-failures
      - function_name: orders-*
        qualifier: live
        maximum_retry_attempts: 0

- name: Exactly this and nothing else, for every function of the team (other configs in scope are deleted)
  cloudops.aws_lambda.lambda_event_invoke_configs:
    state: overridden
    scope: ["orders-*", "billing-*"]
    config:
      - function_name: "*"
        maximum_retry_attempts: 1
        on_failure: arn:aws:sqs:eu-west-1:123456789012:team-failures

- name: Save the region's configs as a file ...
  cloudops.aws_lambda.lambda_event_invoke_configs:
    state: gathered
    scope: ["*"]
  register: region

- name: ... that can be reviewed, edited and applied back
  ansible.builtin.copy:
    content: "{{ {'config': region.gathered} | to_nice_yaml }}"
    dest: event-invoke-configs.yml
    mode: "0644"

- name: Apply it back (changed=false when nothing was edited)
  cloudops.aws_lambda.lambda_event_invoke_configs:
    state: overridden
    scope: ["*"]
    config: "{{ (lookup('ansible.builtin.file', 'event-invoke-configs.yml') | from_yaml).config }}"

- name: Remove every config of the retired functions
  cloudops.aws_lambda.lambda_event_invoke_configs:
    state: deleted
    scope: ["legacy-*"]

- name: Read the configs of one function ...
  cloudops.aws_lambda.lambda_event_invoke_config_info:
    function_name: orders-api
  register: orders_api

- name: ... and give another function the same ones (the items are config entries as they are)
  cloudops.aws_lambda.lambda_event_invoke_configs:
    state: replaced
    config: "{{ orders_api.event_invoke_configs | map('combine', other_function) }}"
  vars:
    other_function: {function_arn: null, function_name: orders-api-v2}

- name: Every function of the region, in the background (300 functions take about 40 s under Lambda's quota)
  cloudops.aws_lambda.lambda_event_invoke_configs:
    state: overridden
    scope: ["*"]
    config:
      - function_name: "*"
        maximum_retry_attempts: 1
  async: 600
  poll: 10
  register: region_wide

- name: "Say what it did in one line: 300 configs: 12 created, 3 updated, 0 deleted, 285 unchanged"
  ansible.builtin.debug:
    msg: "{{ region_wide.msg }}"

# Ad hoc, the arguments as JSON (a list in the key=value form of -a arrives as one string):
#   ansible localhost -m cloudops.aws_lambda.lambda_event_invoke_configs --check --diff \
#     -a '{"config": [{"function_name": "orders-*", "maximum_retry_attempts": 1}]}'
"""

RETURN = r"""
changes:
  description:
    - One item per configuration created, updated or deleted, sorted by function name then qualifier (in check
      mode, the ones a real run would make). Also returned when the task fails.
  returned: always
  type: list
  elements: dict
  contains:
    function_name:
      description: The function's name.
      type: str
      sample: orders-api
    qualifier:
      description: The qualifier of the configuration.
      type: str
      sample: $LATEST
    action:
      description: V(created), V(updated) or V(deleted).
      type: str
      sample: updated
    before:
      description:
        - The configuration before, as M(cloudops.aws_lambda.lambda_event_invoke_config) returns it; V({}) if there
          was none.
        - Other than V({}), an entry of O(config) as it is (applied with V(replaced), it restores the configuration).
      type: dict
      contains:
        function_arn:
          description: The function's ARN, always with the qualifier (V($LATEST) included).
          type: str
        function_name:
          description: The bare function name.
          type: str
        qualifier:
          description: The qualifier of the configuration.
          type: str
        last_modified:
          description: When the configuration was last written, in ISO 8601 (V(null) for one check mode predicts).
          type: str
        maximum_retry_attempts:
          description: Retry attempts; V(null) when not set (AWS then applies its default of V(2)).
          type: int
        maximum_event_age_in_seconds:
          description: Maximum event age in seconds; V(null) when not set (AWS then applies its default of V(21600)).
          type: int
        destination_config:
          description: Both destinations; a half with no destination is V({}).
          type: dict
          contains:
            on_success:
              description: The on-success destination.
              type: dict
              contains:
                destination:
                  description: The destination's ARN.
                  type: str
            on_failure:
              description: The on-failure destination.
              type: dict
              contains:
                destination:
                  description: The destination's ARN.
                  type: str
    after:
      description:
        - The configuration after (predicted in check mode, with a V(null) C(last_modified) for a new one); V({})
          when deleted.
        - Other than V({}), an entry of O(config) as it is (applied back, it changes nothing).
      type: dict
      contains:
        function_arn:
          description: The function's ARN, always with the qualifier (V($LATEST) included).
          type: str
        function_name:
          description: The bare function name.
          type: str
        qualifier:
          description: The qualifier of the configuration.
          type: str
        last_modified:
          description: When the configuration was last written, in ISO 8601 (V(null) for one check mode predicts).
          type: str
        maximum_retry_attempts:
          description: Retry attempts; V(null) when not set (AWS then applies its default of V(2)).
          type: int
        maximum_event_age_in_seconds:
          description: Maximum event age in seconds; V(null) when not set (AWS then applies its default of V(21600)).
          type: int
        destination_config:
          description: Both destinations; a half with no destination is V({}).
          type: dict
          contains:
            on_success:
              description: The on-success destination.
              type: dict
              contains:
                destination:
                  description: The destination's ARN.
                  type: str
            on_failure:
              description: The on-failure destination.
              type: dict
              contains:
                destination:
                  description: The destination's ARN.
                  type: str
gathered:
  description:
    - With O(state=gathered), every configuration in scope as a O(config) entry (C(function_name), C(qualifier),
      and the settings it has; unset ones left out), sorted by function name then qualifier.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - function_name: orders-api
      qualifier: $LATEST
      maximum_retry_attempts: 1
      on_failure: arn:aws:sqs:eu-west-1:123456789012:orders-failures
summary:
  description:
    - How many configurations the task held, by what became of them (in check mode, what a real run would do). Each
      configuration counts once. Held are the ones the entries name, and with V(overridden) also every configuration
      read in O(scope); with V(gathered), and V(deleted) without O(config), every configuration read.
    - Also returned when the task fails.
  returned: always
  type: dict
  version_added: 1.2.0
  contains:
    created:
      description: Configurations created.
      type: int
      sample: 12
    updated:
      description: Configurations updated.
      type: int
      sample: 3
    deleted:
      description: Configurations deleted.
      type: int
      sample: 0
    failed:
      description: Configurations in RV(failed_configs) (a function whose configurations could not be read counts once).
      type: int
      sample: 0
    unchanged:
      description: Configurations that already were as desired (or, for V(deleted), already absent).
      type: int
      sample: 285
msg:
  description:
    - The outcome in one line, from RV(summary). When the task fails, the failure message instead.
  returned: always
  type: str
  version_added: 1.2.0
  sample: "300 configs: 12 created, 3 updated, 0 deleted, 285 unchanged"
failed_configs:
  description: The configurations that could not be brought to the desired state, and why; V([]) when none.
  returned: always
  type: list
  elements: dict
  contains:
    function_name:
      description: The function's name.
      type: str
    qualifier:
      description: The qualifier (V(*) when the function's configurations could not even be read).
      type: str
    error:
      description: What failed.
      type: str
preflight:
  description:
    - One item per destination check (see M(cloudops.aws_lambda.lambda_event_invoke_config), RV(preflight)), each
      destination and role checked once.
  returned: always
  type: list
  elements: dict
"""

from typing import Any
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import desired_state as desired
from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import PathOptions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import open_connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import Converged
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import Options
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import converge
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import failure_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import diff
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import PACING_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import PREFLIGHT_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import SETTINGS_MUTUALLY_EXCLUSIVE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import SETTINGS_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import check_pacing
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.pacing import RequestRateLimiter
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.runner import run_module

ARGUMENT_SPEC = {
    "config": {
        "type": "list",
        "elements": "dict",
        "options": {
            "function_name": {"type": "str", "aliases": ["name"]},
            "function_arn": {"type": "str"},
            "qualifier": {"type": "str"},
            **SETTINGS_SPEC,
            # accepted, so the modules' output is an entry as it is; ignored
            "last_modified": {"type": "str"},
            "destination_checks": {"type": "list", "elements": "dict"},
        },
        "mutually_exclusive": SETTINGS_MUTUALLY_EXCLUSIVE,
    },
    "state": {"type": "str", "choices": list(desired.STATES), "default": desired.MERGED},
    "scope": {"type": "list", "elements": "str"},
    **PACING_SPEC,
    **PREFLIGHT_SPEC,
}


def validate(params: dict[str, Any]) -> tuple[list[desired.Entry], Optional[list[str]]]:
    """Everything that can be refused is refused here, before a client exists."""
    check_pacing(params)
    desired.check_config(params["config"], params["state"], params["scope"])
    entries = desired.parse_entries(params["config"] or [], params["state"], params.get("region"))
    scope = desired.parse_scope(params["scope"], entries, params["state"])
    return entries, scope


def run(module: Any) -> dict[str, Any]:
    params = module.params
    state = params["state"]
    entries, scope = validate(params)
    connection = open_connection(module, retry_mode="adaptive")
    desired.check_regions(entries, connection.region)
    if params["rate_limit"]:
        RequestRateLimiter(params["rate_limit"]).attach(connection.lambda_client)
    listed = (
        list(api.list_function_names(connection.lambda_client))
        if desired.needs_listing(state, entries, scope)
        else None
    )
    expansion = desired.expand(state, entries, scope, listed, connection.region)
    for entry in expansion.unmatched:
        module.warn(
            f"config[{entry.position}].function_name {entry.pattern!r} matched no function; it changes nothing."
        )
    patterns = scope or []
    for position in expansion.unmatched_scope:
        module.warn(f"scope[{position}] {patterns[position]!r} matched no function; nothing is read or deleted for it.")
    options = Options(
        state=state,
        path=PathOptions(module.check_mode or state == desired.GATHERED, params["preflight"], params["retry_timeout"]),
        concurrency=params["concurrency"],
        delete_unlisted=state == desired.DELETED and desired.reads_scope(state, entries),
    )
    outcome = converge(connection, expansion, options, module.warn)
    failed = {failure.function_name for failure in outcome.failures}
    missing = [name for name in outcome.missing if name not in failed]
    for position in desired.missing_scope_names(state, entries, scope, missing):
        module.warn(f"scope[{position}] names function {patterns[position]}, which does not exist; it changes nothing.")
    summary = desired.summarize(
        state,
        expansion.desired,
        [config.key for config in outcome.configs],
        [(change.key, change.kind) for change in outcome.changes],
        [(failure.function_name, failure.qualifier) for failure in outcome.failures],
        options.delete_unlisted,
    )
    return report(module, state, outcome, summary)


def report(module: Any, state: str, outcome: Converged, summary: dict[str, int]) -> dict[str, Any]:
    result = {
        "changed": bool(outcome.changes),
        "summary": summary,
        "changes": [
            {
                "function_name": change.key[0],
                "qualifier": change.key[1],
                "action": change.kind,
                "before": change.before.to_result() if change.before else {},
                "after": change.after.to_result() if change.after else {},
            }
            for change in outcome.changes
        ],
        "failed_configs": [failure.to_result() for failure in outcome.failures],
        "preflight": [check.to_result() for check in outcome.checks],
    }
    if state == desired.GATHERED:
        result["gathered"] = [desired.gathered_entry(config) for config in outcome.configs]
    if module._diff and outcome.changes:  # pylint: disable=protected-access
        result["diff"] = [diff(":".join(c.key), c.before, c.after) for c in outcome.changes]
    if outcome.failures:
        made = (
            f"; {len(outcome.changes)} other change(s) were made" if outcome.changes and not module.check_mode else ""
        )
        raise AwsError(
            f"{len(outcome.failures)} config(s) failed{made}. {failure_message(outcome.failures)}", extra=result
        )
    result["msg"] = desired.summary_message(state, summary)
    return result


def main() -> None:
    run_module(ARGUMENT_SPEC, run)


if __name__ == "__main__":
    main()
