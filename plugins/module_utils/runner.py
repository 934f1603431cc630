# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's main(): parse the options (the connection options added), refuse what every module refuses, run,
and end with the result or a failure naming the option or the AWS error."""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import Optional

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import CONNECTION_ARGUMENT_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import HAS_BOTOCORE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError


def run_module(argument_spec: dict[str, Any], run: Callable[[Any], dict[str, Any]], **kwargs: Any) -> None:
    """Every module's main(): parse the options (the connection options added), refuse what every module refuses,
    run, and end with `run`'s result or a failure naming the option or the AWS error.

    Nothing else is caught: an unexpected exception keeps its traceback, which is what a bug report needs.
    """
    spec = {**argument_spec, **CONNECTION_ARGUMENT_SPEC}
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
    if not HAS_BOTOCORE:
        module.fail_json(msg=missing_required_lib("botocore"))
    try:
        refuse_booleans(spec, module.params)
        module.exit_json(**run(module))
    except ParameterError as error:
        module.fail_json(msg=str(error), option=error.option)
    except AwsError as error:
        module.fail_json(**error.result())


def refuse_booleans(spec: dict[str, Any], params: Optional[dict[str, Any]], prefix: str = "") -> None:
    """A YAML `true` given for a number passes Ansible's int check (a bool is an int to Python) and would be sent
    to AWS as `true`, which it refuses with a SerializationException; refuse it here, naming the option."""
    for option, option_spec in spec.items():
        value = (params or {}).get(option)
        name = f"{prefix}{option}"
        if option_spec.get("type") in ("int", "float") and isinstance(value, bool):
            raise ParameterError(name, f"{name} must be a number; got the boolean {value}.")
        suboptions = option_spec.get("options")
        if suboptions and isinstance(value, dict):
            refuse_booleans(suboptions, value, f"{name}.")
        elif suboptions and isinstance(value, list):
            for index, element in enumerate(value):
                refuse_booleans(suboptions, element if isinstance(element, dict) else {}, f"{name}[{index}].")
