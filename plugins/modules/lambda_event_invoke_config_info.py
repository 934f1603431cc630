#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lambda_event_invoke_config_info
version_added: 0.1.0
short_description: Read the asynchronous invocation configurations of AWS Lambda functions
description:
  - Returns asynchronous invocation configurations (C(EventInvokeConfig)) for one qualifier of a function, for
    every qualifier of a function, or for every function in a region.
  - One qualifier costs one API call (C(GetFunctionEventInvokeConfig)); one function costs one
    C(ListFunctionEventInvokeConfigs) call per 50 configurations; a region costs one C(ListFunctions) call per 50
    functions plus one list per function, run concurrently at no more than O(rate_limit) requests per second.
  - Each entry has exactly the shape M(cloudops.aws_lambda.lambda_event_invoke_config) returns, so an entry's
    C(function_name), C(qualifier), numbers and C(destination_config) can be fed back to that module unchanged.
author:
  - cloudops developers (@cloudops)
options:
  function_name:
    description:
      - The function, in any form M(cloudops.aws_lambda.lambda_event_invoke_config) accepts (name, C(NAME:QUALIFIER),
        ARN with or without a qualifier, partial ARN).
      - Omitted means every function in the region.
    type: str
    aliases: [name]
  qualifier:
    description:
      - Only this qualifier (a version number, an alias name, or V($LATEST)). Requires O(function_name).
      - Omitted (and no qualifier inside O(function_name)) means every qualifier of the function.
    type: str
extends_documentation_fragment:
  - cloudops.aws_lambda.options.pacing
  - cloudops.aws_lambda.connection
  - cloudops.aws_lambda.connection.attributes
attributes:
  check_mode:
    description: Reads only, in check mode as in a normal run.
    support: full
  diff_mode:
    description: Nothing to show; the module changes nothing.
    support: N/A
notes:
  - A function or qualifier that does not exist gives an empty list, not a failure, so this module can be used to
    test for a configuration. A function deleted while a region-wide scan runs is left out.
  - AWS lists configurations in no defined order; this module sorts them by function name, then qualifier.
seealso:
  - module: cloudops.aws_lambda.lambda_event_invoke_config
"""

EXAMPLES = r"""
- name: The configuration of the live alias
  cloudops.aws_lambda.lambda_event_invoke_config_info:
    function_name: my-function
    qualifier: live
  register: live

- name: Every configuration of one function ($LATEST, versions, aliases)
  cloudops.aws_lambda.lambda_event_invoke_config_info:
    function_name: arn:aws:lambda:eu-west-1:123456789012:function:my-function
  register: configs

- name: Every configuration in the region, at most 10 requests per second
  cloudops.aws_lambda.lambda_event_invoke_config_info:
    region: eu-west-1
    rate_limit: 10
  register: everything

- name: Configurations that retry failed events
  ansible.builtin.debug:
    msg: "{{ retrying | map(attribute='function_arn') }}"
  vars:
    retrying: "{{ everything.event_invoke_configs | rejectattr('maximum_retry_attempts', 'eq', 0) }}"
"""

RETURN = r"""
event_invoke_configs:
  description:
    - The configurations found, sorted by function name then qualifier; V([]) when none (also when the function or
      qualifier does not exist).
  returned: always
  type: list
  elements: dict
  contains:
    function_arn:
      description: The function's ARN, always with the qualifier (V($LATEST) included).
      type: str
      sample: arn:aws:lambda:eu-west-1:123456789012:function:my-function:live
    function_name:
      description: The bare function name.
      type: str
      sample: my-function
    qualifier:
      description: The qualifier the configuration belongs to.
      type: str
      sample: live
    last_modified:
      description: When the configuration was last written, in ISO 8601.
      type: str
      sample: "2026-11-23T10:15:02.479000+00:00"
    maximum_retry_attempts:
      description: Retry attempts; V(null) when not set (AWS then applies its default of 2).
      type: int
      sample: 0
    maximum_event_age_in_seconds:
      description: Maximum event age in seconds; V(null) when not set (AWS then applies its default of 21600).
      type: int
      sample: 600
    destination_config:
      description: Both destinations; a half with no destination is V({}).
      type: dict
      sample:
        on_success: {}
        on_failure:
          destination: arn:aws:sqs:eu-west-1:123456789012:my-function-failures
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_config as core
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import open_connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import PACING_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import check_pacing
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RequestRateLimiter
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.runner import run_module

ARGUMENT_SPEC = {
    "function_name": {"type": "str", "aliases": ["name"]},
    "qualifier": {"type": "str"},
    **PACING_SPEC,
}


def validate(params: dict[str, Any]) -> tuple[Optional[core.Target], bool]:
    """Refuse bad input before a client exists. Returns the target (None for a region) and whether it is one config."""
    check_pacing(params)
    if params["function_name"] is None:
        if params["qualifier"] is not None:
            raise core.ParameterError("qualifier", "qualifier requires function_name.")
        return None, False
    target = core.parse_target(params["function_name"], params["qualifier"])
    one = params["qualifier"] is not None or target.function_name != params["function_name"]
    return target, one


def scan_region(client: Any, concurrency: int) -> list[core.EventInvokeConfig]:
    """Every function's configs. Functions are listed page by page while earlier pages' functions are scanned."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        pages = pool.map(lambda name: api.list_configs(client, name), api.list_function_names(client))
        # None: the function was deleted between ListFunctions and its list call; it has no configs to report.
        return [config for configs in pages if configs is not None for config in configs]


def run(module: Any) -> dict[str, Any]:
    params = module.params
    target, one = validate(params)
    client = open_connection(module, [target] if target else [], retry_mode="adaptive").lambda_client
    if params["rate_limit"]:
        RequestRateLimiter(params["rate_limit"]).attach(client)
    if target is None:
        configs = scan_region(client, params["concurrency"])
    elif one:
        config = api.get_config(client, target)
        configs = [config] if config else []
    else:
        configs = api.list_configs(client, target.function_name) or []
    return {"changed": False, "event_invoke_configs": [c.to_result() for c in sorted(configs, key=lambda c: c.key)]}


def main() -> None:
    run_module(ARGUMENT_SPEC, run)


if __name__ == "__main__":
    main()
