# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument specs of options more than one module takes, declared once.

Their documentation is declared once too, in doc_fragments/ (preflight, pacing). The settings of a config are
top-level options of lambda_event_invoke_config and suboptions of each `config` entry of lambda_event_invoke_configs:
the spec below serves both, while their docs stay in each module, since a fragment cannot document suboptions.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import check_at_least

CHECK_MODE, ALWAYS, NEVER = "check_mode", "always", "never"

_DESTINATION = {"type": "dict", "options": {"destination": {"type": "str"}}}

# The four settings of a config, and both destinations in the shape the modules return.
SETTINGS_SPEC: dict[str, Any] = {
    "maximum_retry_attempts": {"type": "int"},
    "maximum_event_age_in_seconds": {"type": "int"},
    "on_success": {"type": "str"},
    "on_failure": {"type": "str"},
    "destination_config": {"type": "dict", "options": {"on_success": _DESTINATION, "on_failure": _DESTINATION}},
}
SETTINGS_MUTUALLY_EXCLUSIVE = [("destination_config", "on_success"), ("destination_config", "on_failure")]

PREFLIGHT_SPEC: dict[str, Any] = {
    "preflight": {"type": "str", "choices": [CHECK_MODE, ALWAYS, NEVER], "default": CHECK_MODE},
}

# How fast a task that reads or writes many functions goes (Lambda's shared quota is 15 requests/s).
PACING_SPEC: dict[str, Any] = {
    "concurrency": {"type": "int", "default": 8},
    "rate_limit": {"type": "float", "default": 15},
}


def check_pacing(params: dict[str, Any]) -> None:
    check_at_least(params, "concurrency", 1)
    check_at_least(params, "rate_limit", 0)
