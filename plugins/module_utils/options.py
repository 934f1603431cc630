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
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import DESTINATION_HALVES
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import NUMBER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import SETTINGS_TABLE

CHECK_MODE, ALWAYS, NEVER = "check_mode", "always", "never"

_DESTINATION = {"type": "dict", "options": {"destination": {"type": "str"}}}

# The settings of a config (one option per row of the settings table: a number is an int, a destination an ARN),
# and both destinations in the shape the modules return.
SETTINGS_SPEC: dict[str, Any] = {
    **{setting.option: {"type": "int" if setting.kind == NUMBER else "str"} for setting in SETTINGS_TABLE},
    "destination_config": {"type": "dict", "options": dict.fromkeys(DESTINATION_HALVES, _DESTINATION)},
}
# A destination is named either as its own option or as a half of destination_config, not both.
SETTINGS_MUTUALLY_EXCLUSIVE = [("destination_config", half) for half in DESTINATION_HALVES]

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
