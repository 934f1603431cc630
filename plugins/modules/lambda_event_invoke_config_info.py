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
  - With O(check_destinations=true) it also audits every destination it returns (and each function's dead-letter
    target), configurations left on a deleted version or alias, and functions switched off (reserved concurrency
    V(0)) whose events have nowhere to go, with reads only, and lists what is broken in RV(findings).
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
  check_destinations:
    description:
      - Audit what is there. Every destination of every configuration returned, and the dead-letter queue or topic
        of each function qualifier that has a configuration (C(DeadLetterConfig)), is checked as the destination
        preflight of M(cloudops.aws_lambda.lambda_event_invoke_config) checks what a write would set.
      - Each must be a kind its half can deliver to and not a FIFO queue or topic (Lambda accepts those when a
        configuration is written, then drops every record), decided from the ARN without a read; exist where its ARN
        says (SQS C(GetQueueAttributes), SNS C(GetTopicAttributes), Lambda C(GetFunction), EventBridge
        C(DescribeEventBus), S3 C(HeadBucket)); be one the qualifier's execution role may deliver to
        (C(iam:SimulatePrincipalPolicy), and the destination's resource policy when the role's own policies do not
        settle it); and, for a queue or topic encrypted with a KMS key, be one whose key the role may use
        (C(kms:GenerateDataKey) and C(kms:Decrypt) in the same simulation, and the key policy).
      - Each entry of RV(event_invoke_configs) gains RV(event_invoke_configs[].destination_checks), and every check
        whose outcome is not V(ok) is listed in RV(findings).
      - A configuration whose version or alias no longer exists (Lambda keeps listing it, and it can only be
        deleted) stays in RV(event_invoke_configs), with no destination checks, and is a finding V(orphaned).
      - A function whose reserved concurrency is V(0) (switched off) makes Lambda discard its asynchronous events at
        once, without retries, unless an on-failure destination or a dead-letter target takes them; when none that
        checks V(ok) does, that is a finding V(dropped).
      - Over a region (no O(function_name)), every function is audited, also one without any configuration, by its
        V($LATEST) dead-letter target (from C(ListFunctions), which returns it with the role) and its reserved
        concurrency. Its findings have qualifier V($LATEST) and no entry in RV(event_invoke_configs).
      - Costs one C(GetFunction) per function qualifier with a configuration (the execution role, the dead-letter
        target and the reserved concurrency) and, over a region, one C(GetFunction) per function without a
        configuration (its reserved concurrency, which C(ListFunctions) does not return); C(GetFunction) has a
        quota of its own (100 requests per second) and is made right after each function's list, so it goes about
        as fast as the listing. Then one read per distinct destination, one
        C(DescribeKey) and one C(GetKeyPolicy) per distinct KMS key, and one C(iam:SimulatePrincipalPolicy) per
        distinct execution role, paced at 5 requests per second (IAM answers from one endpoint for the whole
        account, shared by every tool and region).
      - Reads only, and no finding fails the task. The caller needs C(lambda:GetFunction),
        C(iam:SimulatePrincipalPolicy), the read of each destination's service (C(sqs:GetQueueAttributes),
        C(sns:GetTopicAttributes), C(lambda:GetFunction), C(events:DescribeEventBus), C(s3:ListBucket); for resource
        policies C(lambda:GetPolicy), C(s3:GetBucketPolicy)), and C(kms:DescribeKey) and C(kms:GetKeyPolicy) for
        encrypted queues and topics. A read the caller may not make leaves its checks V(unverified) and warns once,
        naming the permission.
    type: bool
    default: false
    version_added: 1.2.0
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
  - With O(check_destinations=true), a dead-letter target is checked for each function qualifier that has an
    asynchronous invocation configuration and, over a region, for V($LATEST) of each function that has none. The
    dead-letter target of another version or alias without a configuration is not checked.
  - With O(check_destinations=true), a C(GetFunction) that answers "not found" for a version or alias means the
    qualifier was deleted (V(orphaned)); for V($LATEST) it means the function was deleted since it was listed, and
    its configurations are left out. A function deleted between its list and its C(GetFunction) may show its
    versions' and aliases' configurations as V(orphaned) once.
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

- name: Audit every destination in the region, and fail (so a scheduled job notifies) when one is broken
  cloudops.aws_lambda.lambda_event_invoke_config_info:
    check_destinations: true
  register: audit
  failed_when: audit.findings | length > 0

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
      description: Retry attempts; V(null) when not set (AWS then applies its default of V(2)).
      type: int
      sample: 0
    maximum_event_age_in_seconds:
      description: Maximum event age in seconds; V(null) when not set (AWS then applies its default of V(21600)).
      type: int
      sample: 600
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
      sample:
        on_success: {}
        on_failure:
          destination: arn:aws:sqs:eu-west-1:123456789012:my-function-failures
    destination_checks:
      description:
        - The audit of each destination of the configuration and of the qualifier's dead-letter target, in the
          order V(on_success), V(on_failure), V(dead_letter).
        - V([]) for a configuration whose qualifier no longer exists (its finding is V(orphaned)), since there is no
          execution role to check its destinations with.
      returned: when O(check_destinations=true)
      type: list
      elements: dict
      version_added: 1.2.0
      contains:
        half:
          description: V(on_success), V(on_failure), or V(dead_letter) (the function's C(DeadLetterConfig)).
          type: str
          sample: on_failure
        destination:
          description: The destination's ARN.
          type: str
          sample: arn:aws:sqs:eu-west-1:123456789012:my-function-failures
        outcome:
          description:
            - V(ok) it exists and the execution role may deliver to it; V(missing) it does not exist where its ARN
              says, or the function's execution role does not exist (then nothing can be delivered); V(denied) the
              role may not deliver to it, or may not use the KMS key it is encrypted with;
              V(unsupported) a FIFO queue or topic, or a kind the half cannot deliver to; V(unverified) a read could
              not be made (the caller may not, or another account's destination cannot be seen).
          type: str
          choices: [ok, missing, denied, unsupported, unverified]
          sample: missing
        message:
          description: What was found, naming the destination, and the role when it is denied.
          type: str
          sample: >-
            The on_failure destination arn:aws:sqs:eu-west-1:123456789012:my-function-failures does not exist in
            region eu-west-1, account 123456789012 (GetQueueAttributes answered QueueDoesNotExist).
findings:
  description:
    - Every destination check whose outcome is not V(ok), every configuration whose qualifier no longer exists, and
      every function qualifier whose asynchronous events are dropped, sorted by function name then qualifier (the
      order of RV(event_invoke_configs)); V([]) when nothing is wrong.
    - Over a region this includes the findings of functions without any configuration (qualifier V($LATEST)),
      which have no entry in RV(event_invoke_configs).
  returned: when O(check_destinations=true)
  type: list
  elements: dict
  version_added: 1.2.0
  contains:
    function_name:
      description: The bare function name.
      type: str
      sample: my-function
    qualifier:
      description:
        - The qualifier whose configuration (or dead-letter target) it is; V($LATEST) for a function without a
          configuration.
      type: str
      sample: live
    about:
      description:
        - What the finding is about; V(on_success), V(on_failure) or V(dead_letter) for a destination check (the
          C(half) of its item in RV(event_invoke_configs[].destination_checks)), V(qualifier) for the version or
          alias of an V(orphaned) configuration, V(function) for the function itself (V(missing) when its
          execution role does not exist, one finding rather than one per destination).
        - A V(dropped) finding is about V(on_failure), the route its events need.
      type: str
      sample: dead_letter
    destination:
      description: The destination's ARN; V(null) for a finding that is not about a destination.
      type: str
      sample: arn:aws:sqs:eu-west-1:123456789012:my-function-dlq.fifo
    outcome:
      description:
        - V(missing), V(denied), V(unsupported) or V(unverified) for a destination check (see
          RV(event_invoke_configs[].destination_checks[].outcome)).
        - V(orphaned) the configuration's version or alias no longer exists; Lambda keeps listing the configuration,
          which can only be deleted.
        - V(dropped) the function's reserved concurrency is V(0), so Lambda discards every asynchronous event at once,
          without retries, and no on-failure destination or dead-letter target that checks V(ok) takes them.
      type: str
      choices: [missing, denied, unsupported, unverified, orphaned, dropped]
      sample: unsupported
    message:
      description: What was found, starting with the function and qualifier (C(NAME:QUALIFIER)).
      type: str
      sample: >-
        my-function:live: The function's dead-letter target arn:aws:sqs:eu-west-1:123456789012:my-function-dlq.fifo
        cannot receive records: it is a FIFO queue: Lambda accepts it when the config is written but cannot deliver
        records to FIFO queues or topics, so every record is dropped. Use a standard queue.
    cause:
      description:
        - RV(findings[].message) without the C(NAME:QUALIFIER) it starts with. Findings with the same cause (one
          deleted queue many configs send to) share it, so a job can print one line per cause; see
          C(docs/examples/audit_destinations.yml).
      type: str
      sample: >-
        The function's dead-letter target arn:aws:sqs:eu-west-1:123456789012:my-function-dlq.fifo cannot receive
        records: it is a FIFO queue: Lambda accepts it when the config is written but cannot deliver records to FIFO
        queues or topics, so every record is dropped. Use a standard queue.
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_config as core
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.audit import Audit
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.audit import check_result
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import open_connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import PACING_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import check_pacing
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.pacing import IAM_RATE_LIMIT
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.pacing import RequestRateLimiter
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.runner import run_module

ARGUMENT_SPEC = {
    "function_name": {"type": "str", "aliases": ["name"]},
    "qualifier": {"type": "str"},
    "check_destinations": {"type": "bool", "default": False},
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


def scan_region(client: Any, concurrency: int, audit: Optional[Audit] = None) -> list[core.EventInvokeConfig]:
    """Every function's configs. Functions are listed page by page while earlier pages' functions are scanned; with
    an audit, each worker also identifies its function's configs (GetFunction) as soon as they are listed, or, for a
    function with none, audits its $LATEST as the listing tells it (role, dead-letter target)."""

    def scan(function: api.Function) -> list[core.EventInvokeConfig]:
        # None: the function was deleted between ListFunctions and its list call; it has no configs to report.
        configs = api.list_configs(client, function.identity.function_name)
        if audit is None or configs is None:
            return configs or []
        if not configs:
            audit.identify_unconfigured(function)
            return []
        return audit.identify(configs)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return [config for configs in pool.map(scan, api.list_functions(client)) for config in configs]


def run(module: Any) -> dict[str, Any]:
    params = module.params
    target, one = validate(params)
    connection = open_connection(module, [target] if target else [], retry_mode="adaptive")
    client = connection.lambda_client
    if params["rate_limit"]:
        RequestRateLimiter(params["rate_limit"]).attach(client)
    audit = None
    if params["check_destinations"]:
        # IAM is one endpoint per account: its own pace, apart from Lambda's (the IAM client is made only if needed).
        RequestRateLimiter(IAM_RATE_LIMIT).attach_to_session(connection.session, "iam")
        audit = Audit(connection, module.warn, overlap=target is None)  # a region scan overlaps IAM with the scan
    if target is None:
        configs = scan_region(client, params["concurrency"], audit)
    else:
        if one:
            config = api.get_config(client, target)
            configs = [config] if config else []
        else:
            configs = api.list_configs(client, target.function_name) or []
        if audit:
            configs = audit.identify(configs, params["concurrency"])
    configs.sort(key=lambda c: c.key)
    if audit is None:
        return {"changed": False, "event_invoke_configs": [c.to_result() for c in configs]}
    checks = audit.checks()
    return {
        "changed": False,
        "event_invoke_configs": [
            {**c.to_result(), "destination_checks": [check_result(check) for check in checks[c.key]]} for c in configs
        ],
        # also those of functions without a config (region scan), which have no entry above
        "findings": [finding.to_result() for finding in audit.findings(checks)],
    }


def main() -> None:
    run_module(ARGUMENT_SPEC, run)


if __name__ == "__main__":
    main()
