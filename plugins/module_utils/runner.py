# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's main(): parse the options (the connection options added), refuse what every module refuses, run,
and end with the result or a failure naming the option or the AWS error."""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import Optional

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.validation import check_type_dict
from ansible.module_utils.common.validation import check_type_list

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
    # core's documented way to see the parameters before AnsibleModule does; looked up when called, as tools that
    # stand in for it (ansible-test's argument_spec introspection) expect
    unreadable = unreadable_entries(spec, basic._load_params())  # pylint: disable=protected-access
    if unreadable:  # core would refuse it without naming the option: let it through, to be refused below
        spec = {**spec, str(unreadable.option).split("[", 1)[0]: {"type": "raw"}}
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
    if not HAS_BOTOCORE:
        module.fail_json(msg=missing_required_lib("botocore"))
    try:
        if unreadable:
            raise unreadable
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


def unreadable_entries(spec: dict[str, Any], params: Optional[dict[str, Any]]) -> Optional[ParameterError]:
    """A list-of-dicts option whose value core cannot read as one, which core refuses naming neither the option nor
    the way out ("dictionary requested, could not parse JSON or key=value"). Typically a list written in the
    key=value form of an ad hoc -a ("config=[...]"): it arrives as one string, which core splits at its commas."""
    for option, option_spec in spec.items():
        value = (params or {}).get(option)
        if option_spec.get("type") != "list" or option_spec.get("elements") != "dict" or value is None:
            continue
        try:
            elements = check_type_list(value)
        except TypeError:
            return ParameterError(option, f"{option} must be a list of entries (dicts); got a {type(value).__name__}.")
        for index, element in enumerate(elements):
            try:
                check_type_dict(element)
            except TypeError as error:
                return _unreadable(option, index, value, element, error)
    return None


def _unreadable(option: str, index: int, value: Any, element: Any, error: TypeError) -> ParameterError:
    shown = repr(value if isinstance(value, str) else element)
    shown = shown if len(shown) <= 80 else f"{shown[:77]}..."
    if isinstance(value, str):
        example = f'{{"{option}": [{{"function_name": "my-function", "maximum_retry_attempts": 1}}]}}'
        return ParameterError(
            option,
            f"{option} arrived as the string {shown}, not as a list of entries (dicts): core splits such a string at "
            f"its commas and cannot read the pieces ({error}). That is what a list given in the key=value form of "
            f"an ad hoc -a (\"{option}=...\") becomes; give the arguments as JSON instead: -a '{example}'.",
        )
    return ParameterError(
        f"{option}[{index}]",
        f"{option}[{index}] is not an entry (a dict): got the {type(element).__name__} {shown} ({error}).",
    )
