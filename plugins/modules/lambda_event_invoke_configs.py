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
    type: list
    elements: dict
    suboptions:
      function_name:
        description:
          - A function name, C(NAME:QUALIFIER), a function ARN or a partial ARN, as
            M(cloudops.aws_lambda.lambda_event_invoke_config) accepts.
          - Or a glob of function names (V(orders-*), V(*-worker), V(batch-[0-9]*)), expanded against the
            functions of the region. AWS function names cannot contain C(*), C(?) or C([).
        type: str
        required: true
        aliases: [name]
      qualifier:
        description:
          - A version number, an alias name, or V($LATEST) (the default).
          - With a glob, every function the glob matches must have this qualifier; one that does not is a failed
            configuration.
        type: str
      maximum_retry_attempts:
        description: How many times Lambda retries a failed asynchronous event, from V(0) to V(2).
        type: int
      maximum_event_age_in_seconds:
        description: The maximum age of an event Lambda sends to the function, from V(60) to V(21600) seconds.
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
  state:
    description:
      - V(merged) gives each listed configuration the settings its entries name; other settings, and configurations
        no entry names, are kept. An entry must name at least one setting.
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
  - Writes to configurations of one function never run at the same time (AWS answers C(ResourceConflictException)
    to concurrent writes on one function); different functions run concurrently.
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
      description: The configuration before, as M(cloudops.aws_lambda.lambda_event_invoke_config) returns it; V({}) if
        there was none.
      type: dict
    after:
      description: The configuration after (predicted in check mode, without C(last_modified) for a new one); V({})
        when deleted.
      type: dict
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
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import Options
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import Outcome
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import converge
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.converge import failure_message
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import diff
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import PACING_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import PREFLIGHT_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import SETTINGS_MUTUALLY_EXCLUSIVE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import SETTINGS_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import check_pacing
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RequestRateLimiter
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.runner import run_module

ARGUMENT_SPEC = {
    "config": {
        "type": "list",
        "elements": "dict",
        "options": {
            "function_name": {"type": "str", "required": True, "aliases": ["name"]},
            "qualifier": {"type": "str"},
            **SETTINGS_SPEC,
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
    entries = desired.parse_entries(params["config"] or [], params["state"], params.get("region"))
    scope = desired.parse_scope(params["scope"], entries, params["state"])
    return entries, scope


def run(module: Any) -> dict[str, Any]:
    params = module.params
    state = params["state"]
    entries, scope = validate(params)
    connection = open_connection(module, [e.target for e in entries if e.target], retry_mode="adaptive")
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
    options = Options(
        state=state,
        path=PathOptions(module.check_mode or state == desired.GATHERED, params["preflight"], params["retry_timeout"]),
        concurrency=params["concurrency"],
        delete_unlisted=state == desired.DELETED and desired.reads_scope(state, entries),
    )
    outcome = converge(connection, expansion, options, module.warn)
    return report(module, state, outcome)


def report(module: Any, state: str, outcome: Outcome) -> dict[str, Any]:
    result = {
        "changed": bool(outcome.changes),
        "changes": [
            {
                "function_name": change.key[0],
                "qualifier": change.key[1],
                "action": change.action,
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
    return result


def main() -> None:
    run_module(ARGUMENT_SPEC, run)


if __name__ == "__main__":
    main()
