#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lambda_event_invoke_config
version_added: 0.1.0
short_description: Manage the asynchronous invocation configuration of an AWS Lambda function
description:
  - Creates, updates or deletes the asynchronous invocation configuration (an C(EventInvokeConfig)) of a Lambda
    function, one qualifier at a time (C($LATEST), a published version, or an alias).
  - It sets how many times Lambda retries a failed asynchronous event, how long Lambda keeps an unprocessed
    event, and where Lambda sends records of successful and failed invocations.
  - Options not given keep their current value (unless O(purge=true)). A change is written as the whole desired
    state with C(PutFunctionEventInvokeConfig), so nothing the task did not name is lost.
  - A run with nothing to change makes exactly one API call (two where there is no configuration and the task only
    removes, since C(GetFunction) then tells a missing function or qualifier, which fails, from one without a
    configuration); a change makes two (one read, one write); check mode only reads, and checks the destinations
    the change would set (see O(preflight)).
  - To read every configuration of a function or a region, use M(cloudops.aws_lambda.lambda_event_invoke_config_info).
author:
  - cloudops developers (@cloudops)
options:
  function_name:
    description:
      - The function, as a name (V(my-function)), a name with a qualifier (V(my-function:live)), a function ARN
        with or without a qualifier, or a partial ARN (V(123456789012:function:my-function)).
      - A qualifier inside O(function_name) that differs from O(qualifier) is an error.
    type: str
    required: true
    aliases: [name]
  qualifier:
    description:
      - A version number, an alias name, or V($LATEST).
      - Omitted means V($LATEST) (unless O(function_name) carries a qualifier); AWS treats both as one object.
    type: str
  state:
    description:
      - V(present) creates or updates the configuration; V(absent) deletes it.
      - With V(absent), a function or configuration that does not exist is not an error (C(changed=false)).
    type: str
    choices: [present, absent]
    default: present
  maximum_retry_attempts:
    description:
      - How many times Lambda retries when the function returns an error, from V(0) to V(2).
      - Not set on a new configuration means AWS's default of V(2), which AWS does not report back.
    type: int
  maximum_event_age_in_seconds:
    description:
      - The maximum age of an event Lambda sends to the function, from V(60) to V(21600) seconds.
      - Not set on a new configuration means AWS's default of V(21600) (6 hours), which AWS does not report back.
    type: int
  on_success:
    description:
      - The ARN of the destination for records of successful invocations, or V("") to remove it.
      - An SQS queue, an SNS topic, a Lambda function (not this one) or an EventBridge event bus.
      - Cannot be used with O(destination_config).
    type: str
  on_failure:
    description:
      - The ARN of the destination for records of failed invocations, or V("") to remove it.
      - An SQS queue, an SNS topic, a Lambda function (not this one), an EventBridge event bus or an S3 bucket.
      - Cannot be used with O(destination_config).
    type: str
  purge:
    description:
      - V(false) keeps every setting the task does not name.
      - V(true) makes the configuration exactly what the task names. A number left out returns to AWS's default
        (2 retries, 6 hours) and a destination left out is removed, as C(state=replaced) of
        M(cloudops.aws_lambda.lambda_event_invoke_configs) does.
      - Where no configuration exists, a task that names nothing (or only removals) changes nothing; it fails when
        the function or the qualifier does not exist.
    type: bool
    default: false
    version_added: 1.1.0
  destination_config:
    description:
      - Both destinations in the shape this module returns, so the output of
        M(cloudops.aws_lambda.lambda_event_invoke_config_info) can be fed back.
      - A half given with no or an empty C(destination) removes that destination; a half left out is unchanged.
      - Cannot be used with O(on_success) or O(on_failure).
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
extends_documentation_fragment:
  - cloudops.aws_lambda.options.preflight
  - cloudops.aws_lambda.connection
  - cloudops.aws_lambda.connection.attributes
attributes:
  check_mode:
    description: Reads only; reports the exact C(changed) and the configuration a real run would leave.
    support: full
  diff_mode:
    description:
      - Shows the configuration before and after, headed by C(function:qualifier), without C(last_modified); an
        unset number shows as the default AWS applies for it, for example C(unset (AWS default 2)).
    support: full
notes:
  - The function's execution role needs permission to send to each destination (C(sqs:SendMessage),
    C(sns:Publish), C(lambda:InvokeFunction), C(events:PutEvents), or C(s3:PutObject) and C(s3:ListBucket)); AWS
    checks it when the configuration is written. FIFO queues and topics are refused before any call, because Lambda
    accepts them but cannot deliver to them.
  - The destination preflight needs the caller to be allowed C(lambda:GetFunction), C(iam:SimulatePrincipalPolicy)
    and the read of each destination's service (C(sqs:GetQueueAttributes), C(sns:GetTopicAttributes),
    C(events:DescribeEventBus), C(s3:ListBucket)); for an encrypted queue or topic C(kms:DescribeKey) and
    C(kms:GetKeyPolicy); for the resource-policy step also
    C(lambda:GetPolicy) and C(s3:GetBucketPolicy).
  - Lambda does not delete an alias's configuration with the alias in every case; delete the configuration first.
seealso:
  - module: cloudops.aws_lambda.lambda_event_invoke_config_info
  - name: Asynchronous invocation (AWS Lambda developer guide)
    description: Retries, event age and destinations.
    link: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
"""

EXAMPLES = r"""
- name: Retry once, keep events for an hour, send failures to a queue
  cloudops.aws_lambda.lambda_event_invoke_config:
    function_name: my-function
    maximum_retry_attempts: 1
    maximum_event_age_in_seconds: 3600
    on_failure: arn:aws:sqs:eu-west-1:123456789012:my-function-failures

- name: Configure the live alias; other settings of that alias are kept
  cloudops.aws_lambda.lambda_event_invoke_config:
    function_name: my-function
    qualifier: live
    on_success: arn:aws:sns:eu-west-1:123456789012:my-function-successes

- name: Remove only the on-success destination
  cloudops.aws_lambda.lambda_event_invoke_config:
    function_name: my-function:live
    on_success: ""

- name: Copy every configuration of one function to another
  cloudops.aws_lambda.lambda_event_invoke_config:
    function_name: other-function
    qualifier: "{{ item.qualifier }}"
    # an unset number is null; omit it (older ansible-core would render null as "")
    maximum_retry_attempts: "{{ item.maximum_retry_attempts if item.maximum_retry_attempts is not none else omit }}"
    maximum_event_age_in_seconds: >-
      {{ item.maximum_event_age_in_seconds if item.maximum_event_age_in_seconds is not none else omit }}
    destination_config: "{{ item.destination_config }}"
  loop: "{{ configs.event_invoke_configs }}"

- name: Delete the configuration of version 3
  cloudops.aws_lambda.lambda_event_invoke_config:
    function_name: arn:aws:lambda:eu-west-1:123456789012:function:my-function:3
    state: absent

- name: One module_defaults block for this collection's modules and amazon.aws's
  module_defaults:
    group/cloudops.aws_lambda.aws:
      region: eu-west-1
      profile: production
  block:
    - name: Never retry failed events of the worker
      cloudops.aws_lambda.lambda_event_invoke_config:
        function_name: worker
        maximum_retry_attempts: 0

# Ad hoc, with credentials only in the environment:
#   AWS_REGION=eu-west-1 ansible localhost -m cloudops.aws_lambda.lambda_event_invoke_config \
#     -a "function_name=my-function maximum_retry_attempts=0" --check --diff
"""

RETURN = r"""
preflight:
  description:
    - One entry per destination the preflight checked (see O(preflight)); V([]) when it checked none. Also returned
      by a task that fails because a destination would be refused.
  returned: always
  type: list
  elements: dict
  version_added: 1.1.0
  contains:
    half:
      description: V(on_success) or V(on_failure).
      type: str
      sample: on_failure
    destination:
      description: The destination's ARN.
      type: str
      sample: arn:aws:sqs:eu-west-1:123456789012:my-function-failures
    role:
      description: The execution role of the function for the qualifier, which Lambda uses to deliver records.
      type: str
      sample: arn:aws:iam::123456789012:role/my-function
    actions:
      description: The actions the role needs on the destination.
      type: list
      elements: str
      sample: [sqs:SendMessage]
    exists:
      description: Whether the destination exists where its ARN says; V(null) when it could not be checked.
      type: bool
      sample: true
    allowed:
      description: Whether the role may deliver to it; V(null) when it could not be checked (or it does not exist).
      type: bool
      sample: true
    key:
      description:
        - The KMS key that encrypts the queue or topic (its ARN); V(null) when it is not encrypted with one.
      type: str
      version_added: 1.2.0
    outcome:
      description:
        - V(ok), V(missing) (AWS would refuse the write), V(denied) (the role may not deliver to it; AWS refuses the
          write, except when only the KMS key is at fault, when AWS accepts it and drops every record) or
          V(unverified) (a warning says why).
      type: str
      sample: ok
    message:
      description: What was found, in a sentence.
      type: str
event_invoke_config:
  description:
    - The configuration after the task (in check mode, the one a real run would leave); V({}) when there is none.
  returned: always
  type: dict
  contains:
    function_arn:
      description: The function's ARN, always with the qualifier (V($LATEST) included).
      type: str
      sample: arn:aws:lambda:eu-west-1:123456789012:function:my-function:$LATEST
    function_name:
      description: The bare function name.
      type: str
      sample: my-function
    qualifier:
      description: The qualifier the configuration belongs to.
      type: str
      sample: $LATEST
    last_modified:
      description:
        - When the configuration was last written, in ISO 8601.
        - In check mode, for a configuration that does not exist yet, V(null).
      type: str
      sample: "2026-11-23T10:15:02.479000+00:00"
    maximum_retry_attempts:
      description: Retry attempts; V(null) when not set (AWS then applies its default of V(2)).
      type: int
      sample: 1
    maximum_event_age_in_seconds:
      description: Maximum event age in seconds; V(null) when not set (AWS then applies its default of V(21600)).
      type: int
      sample: 3600
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
          sample: {}
        on_failure:
          description: The on-failure destination.
          type: dict
          contains:
            destination:
              description: The destination's ARN.
              type: str
          sample:
            destination: arn:aws:sqs:eu-west-1:123456789012:my-function-failures
"""

from typing import Any

from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_api as api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils import event_invoke_config as core
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import ConfigPath
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.config_path import PathOptions
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import open_connection
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import DELETE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import plan_action
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import PREFLIGHT_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import SETTINGS_MUTUALLY_EXCLUSIVE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import SETTINGS_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.runner import run_module

ARGUMENT_SPEC = {
    "function_name": {"type": "str", "required": True, "aliases": ["name"]},
    "qualifier": {"type": "str"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    **SETTINGS_SPEC,
    "purge": {"type": "bool", "default": False},
    **PREFLIGHT_SPEC,
}


def validate(params: dict[str, Any]) -> tuple[core.Target, core.Request]:
    """Everything that can be refused is refused here, before a client exists."""
    target = core.parse_target(params["function_name"], params["qualifier"])
    request = core.build_request(params)
    if params["state"] == "absent" and (request or params["purge"]):
        named = sorted(request) or ["purge"]
        raise core.ParameterError(
            named[0], f"{', '.join(named)} cannot be used with state=absent, which deletes the config."
        )
    core.validate_request(request, target, params.get("region"))
    return target, request


def run(module: Any) -> dict[str, Any]:
    params = module.params
    target, request = validate(params)
    connection = open_connection(module, [target])
    current = api.get_config(connection.lambda_client, target)
    path = ConfigPath(
        connection, PathOptions(module.check_mode, params["preflight"], params["retry_timeout"]), module.warn
    )
    proofs = []
    if params["state"] == "absent":
        action = Action(DELETE, target, current, None) if current else None
    else:
        action = plan_action(target, request, current, params["purge"])
        # nothing to write and no config: fails, naming it, if the function or qualifier does not exist
        proofs = [target] if core.unproven(target, current, written=action is not None, listed=False) else []
    decided = path.run([action] if action else [], proofs)
    for outcome in decided.outcomes:
        if outcome.failure:
            raise outcome.failure
    change = decided.outcomes[0].change if action else None
    after = change.after if change else None if action else current  # None: a Delete found it already gone
    result = {
        "changed": change is not None,
        "event_invoke_config": after.to_result() if after else {},
        "preflight": [check.to_result() for check in decided.checks],
    }
    if module._diff:  # pylint: disable=protected-access
        result["diff"] = core.diff(f"{target.name}:{target.qualifier}", current, after)
    return result


def main() -> None:
    run_module(ARGUMENT_SPEC, run, mutually_exclusive=SETTINGS_MUTUALLY_EXCLUSIVE)


if __name__ == "__main__":
    main()
