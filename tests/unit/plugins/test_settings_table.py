# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The settings table against what is derived from it and against the docs, which cannot be derived from it.

A module's DOCUMENTATION and RETURN are static YAML (ansible-doc reads them without running the module, and a doc
fragment cannot document suboptions), so each row is held here against every module that documents settings: a row
added without its docs fails, naming the module and the option.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from typing import Callable

import pytest
import yaml

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import DESTINATION
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import NUMBER
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import SETTINGS_TABLE
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import ParameterError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Setting
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Settings
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import _check_range
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.options import SETTINGS_SPEC
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_config_info
from ansible_collections.cloudops.aws_lambda.plugins.modules import lambda_event_invoke_configs

Docs = dict[str, Any]

# Where each module documents the settings: its options (None: it takes none), and every place its RETURN holds a
# config in the result shape (Settings.to_result).
WHERE: dict[Any, tuple[Callable[[Docs], Docs] | None, Callable[[Docs], list[Docs]]]] = {
    lambda_event_invoke_config: (
        lambda doc: doc["options"],
        lambda ret: [ret["event_invoke_config"]["contains"]],
    ),
    lambda_event_invoke_configs: (
        lambda doc: doc["options"]["config"]["suboptions"],
        lambda ret: [ret["changes"]["contains"][side]["contains"] for side in ("before", "after")],
    ),
    lambda_event_invoke_config_info: (
        None,
        lambda ret: [ret["event_invoke_configs"]["contains"]],
    ),
}
CASES = [
    pytest.param(module, setting, id=f"{module.__name__.rsplit('.', 1)[-1]}-{setting.option}")
    for module in WHERE
    for setting in SETTINGS_TABLE
]


def text(entry: Docs) -> str:
    """A description (a string or a list of paragraphs) as one line, so a phrase wrapped across lines is found."""
    description = entry["description"]
    return " ".join(" ".join(description if isinstance(description, list) else [description]).split())


@pytest.mark.parametrize(("module", "setting"), CASES)
def test_each_module_documents_each_setting(module, setting: Setting):
    options_of, results_of = WHERE[module]
    if options_of is not None:
        options = options_of(yaml.safe_load(module.DOCUMENTATION))
        assert setting.option in options, f"{module.__name__} does not document option {setting.option}"
        option = options[setting.option]
        assert option["type"] == SETTINGS_SPEC[setting.option]["type"]
        description = text(option)
        assert setting.doc in description
        if setting.kind == NUMBER:
            assert f"from V({setting.minimum}) to V({setting.maximum})" in description
            assert f"default of V({setting.aws_default})" in description
        else:  # AWS's default for a destination is none, which a task says as ""
            assert 'V("")' in description
    for result in results_of(yaml.safe_load(module.RETURN)):
        if setting.kind == NUMBER:
            assert setting.option in result, f"{module.__name__} does not return {setting.option}"
            assert result[setting.option]["type"] == "int"
            assert f"default of V({setting.aws_default})" in text(result[setting.option])
        else:
            halves = result["destination_config"].get("contains", {})
            assert setting.option in halves, f"{module.__name__} does not return destination_config.{setting.option}"
            assert halves[setting.option]["type"] == "dict"
            assert halves[setting.option]["contains"]["destination"]["type"] == "str"


def test_the_table_is_complete_and_drives_the_spec_and_the_value():
    assert {setting.kind for setting in SETTINGS_TABLE} <= {NUMBER, DESTINATION}
    assert len({setting.api_name for setting in SETTINGS_TABLE}) == len(SETTINGS_TABLE)
    for setting in SETTINGS_TABLE:
        if setting.kind == NUMBER:  # an unchecked range or an undocumented default would pass silently
            assert setting.minimum is not None and setting.maximum is not None and setting.aws_default is not None
            assert setting.minimum <= setting.aws_default <= setting.maximum
    # One option and one Settings field per row; destination_config is the destinations' other spelling.
    assert list(SETTINGS_SPEC) == [setting.option for setting in SETTINGS_TABLE] + ["destination_config"]
    assert [field.name for field in dataclasses.fields(Settings)] == [setting.option for setting in SETTINGS_TABLE]
    halves = [setting.option for setting in SETTINGS_TABLE if setting.kind == DESTINATION]
    assert list(SETTINGS_SPEC["destination_config"]["options"]) == halves


# A row the table does not have: what a fifth setting gets from its row alone.
EXTRA_NUMBER = Setting("maximum_widgets", "MaximumWidgets", NUMBER, "How many widgets", 1, 5, 5)
EXTRA_HALF = Setting("on_timeout", "OnTimeout", DESTINATION, "The ARN of the destination for timeouts")


def test_a_new_number_row_reads_writes_returns_and_validates():
    params: dict[str, Any] = {}
    EXTRA_NUMBER.to_api(None, params)
    assert params == {}  # unset numbers are left out of a Put
    EXTRA_NUMBER.to_api(0, params)
    assert params == {"MaximumWidgets": 0}  # 0 is a value
    assert EXTRA_NUMBER.from_api({"MaximumWidgets": 0}) == 0 and EXTRA_NUMBER.from_api({}) is None
    result: dict[str, Any] = {}
    EXTRA_NUMBER.to_result(None, result)
    assert result == {"maximum_widgets": None}
    _check_range({"maximum_widgets": 5}, EXTRA_NUMBER)
    _check_range({"maximum_widgets": None}, EXTRA_NUMBER)  # removed: AWS's default applies
    with pytest.raises(ParameterError, match=r"^maximum_widgets must be between 1 and 5; got 6\.$") as error:
        _check_range({"maximum_widgets": 6}, EXTRA_NUMBER)
    assert error.value.option == "maximum_widgets"


def test_a_new_destination_row_is_always_sent_and_nested():
    params: dict[str, Any] = {}
    EXTRA_HALF.to_api(None, params)
    assert params == {"DestinationConfig": {"OnTimeout": {}}}  # always sent, {} for none
    EXTRA_HALF.to_api("arn:aws:sqs:us-east-1:123456789012:q", params)
    assert params == {"DestinationConfig": {"OnTimeout": {"Destination": "arn:aws:sqs:us-east-1:123456789012:q"}}}
    assert EXTRA_HALF.from_api({"DestinationConfig": {"OnTimeout": {}}}) is None
    assert EXTRA_HALF.from_api({}) is None
    result: dict[str, Any] = {"destination_config": {"on_success": {}}}
    EXTRA_HALF.to_result("arn:x", result)
    assert result == {"destination_config": {"on_success": {}, "on_timeout": {"destination": "arn:x"}}}
    _check_range({"on_timeout": "arn:x"}, EXTRA_HALF)  # no range: nothing to refuse
