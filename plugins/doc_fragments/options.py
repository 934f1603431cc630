# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the options more than one module takes (their argument specs: module_utils/options.py)."""

from __future__ import annotations


class ModuleDocFragment:
    # lambda_event_invoke_config and lambda_event_invoke_configs
    PREFLIGHT = r"""
options:
  preflight:
    description:
      - When to check, before writing, the destinations a write would set (not ones the configuration already has on
        the same half), the way AWS checks them when it accepts a configuration.
      - Each must exist in the region and account its ARN names (one read of its own service; SQS C(GetQueueAttributes),
        SNS C(GetTopicAttributes), Lambda C(GetFunction), EventBridge C(DescribeEventBus), S3 C(HeadBucket)).
      - The function's execution role for that qualifier (from C(GetFunction), which has its own quota) must be
        allowed to deliver to it (C(sqs:SendMessage), C(sns:Publish), C(lambda:InvokeFunction),
        C(events:PutEvents), or C(s3:PutObject) and C(s3:ListBucket)), asked of C(iam:SimulatePrincipalPolicy)
        in one call per role. The destination's resource policy is read and simulated too when the role's own
        policies do not allow it (within one account either may grant it; across accounts both must).
      - An SQS queue or SNS topic encrypted with a KMS key (C(KmsMasterKeyId)) also needs the role to be allowed
        C(kms:GenerateDataKey) and C(kms:Decrypt) on the key, by its own policies (in the same simulation) and by the
        key policy (C(kms:DescribeKey) and C(kms:GetKeyPolicy), once per key); an AWS managed key serves its own
        account only. AWS accepts a config whose key the role may not use and then drops every record, so that
        check reports V(denied) and warns, naming the key, the actions and the role, but does not fail the task.
      - Each distinct destination is read once and each execution role simulated once, however many configurations
        use them.
      - V(check_mode) checks in check mode only. A real run then makes the fewest calls, and diagnoses a write AWS
        refuses with the same reads. A missing destination or a denied role fails at once, naming the cause; only
        a refusal whose destination exists and whose role is allowed is retried, within O(retry_timeout).
      - V(always) also checks before a real write, and writes nothing when a check fails.
      - V(never) reads nothing about destinations; a refused write is retried within O(retry_timeout).
      - A read the caller's own credentials may not make (AccessDenied) leaves that check unverified and warns
        once, naming the permission; it does not fail the task.
    type: str
    choices: [check_mode, always, never]
    default: check_mode
    version_added: 1.1.0
"""

    # lambda_event_invoke_configs and lambda_event_invoke_config_info
    PACING = r"""
options:
  concurrency:
    description:
      - How many functions are read (and written) at the same time.
    type: int
    default: 8
  rate_limit:
    description:
      - The most Lambda requests per second this task sends (C(GetFunction), which has a quota of its own, is not
        counted). Lambda allows 15 control-plane requests per second per account and region, shared by every tool;
        going faster only earns throttling.
      - Lower it when other tools use the same account and region at the same time. V(0) turns the limit off.
    type: float
    default: 15
"""
