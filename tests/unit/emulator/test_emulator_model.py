"""Pure parts of the emulator: model constants, FunctionName parsing, list markers, routing."""

from __future__ import annotations

import botocore.session
import pytest

from ansible_collections.cloudops.aws_lambda.tests.emulator import event_invoke
from ansible_collections.cloudops.aws_lambda.tests.emulator import routes
from ansible_collections.cloudops.aws_lambda.tests.emulator.wire import LambdaError


@pytest.fixture(scope="module")
def shapes() -> dict:
    model = botocore.session.get_session().get_service_model("lambda")
    return {name: model.shape_for(name).metadata for name in model.shape_names}


def test_constraints_match_the_botocore_model(shapes: dict) -> None:
    put = botocore.session.get_session().get_service_model("lambda").operation_model("PutFunctionEventInvokeConfig")
    members = put.input_shape.members
    assert members["FunctionName"].metadata == {
        "pattern": event_invoke.FUNCTION_NAME_PATTERN,
        "min": 1,
        "max": event_invoke.FUNCTION_NAME_MAX,
    }
    assert members["Qualifier"].metadata == {
        "pattern": event_invoke.QUALIFIER_PATTERN,
        "min": 1,
        "max": event_invoke.QUALIFIER_MAX,
    }
    assert shapes["DestinationArn"] == {
        "pattern": event_invoke.DESTINATION_ARN_PATTERN,
        "min": 0,
        "max": event_invoke.DESTINATION_ARN_MAX,
    }
    assert (shapes["MaximumRetryAttempts"]["min"], shapes["MaximumRetryAttempts"]["max"]) == event_invoke.RETRY_RANGE
    age = shapes["MaximumEventAgeInSeconds"]
    assert (age["min"], age["max"]) == event_invoke.EVENT_AGE_RANGE
    items = shapes["MaxFunctionEventInvokeConfigListItems"]
    assert (items["min"], items["max"]) == event_invoke.MAX_ITEMS_RANGE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fn", ("fn", None, None, None)),
        ("fn:live", ("fn", "live", None, None)),
        ("fn:$LATEST", ("fn", "$LATEST", None, None)),
        ("123456789012:function:fn", ("fn", None, None, "123456789012")),
        ("123456789012:function:fn:7", ("fn", "7", None, "123456789012")),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn", ("fn", None, "eu-west-1", "123456789012")),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn:a-b", ("fn", "a-b", "eu-west-1", "123456789012")),
        ("function:fn", ("fn", None, None, None)),
    ],
)
def test_parse_function_name_forms(value: str, expected: tuple) -> None:
    parsed = event_invoke.parse_function_name(value)
    assert (parsed.name, parsed.qualifier, parsed.region, parsed.account) == expected


def test_parse_function_name_refuses_what_the_model_refuses() -> None:
    with pytest.raises(LambdaError) as info:
        event_invoke.parse_function_name("bad name!")
    assert info.value.code == "ValidationException"


def test_list_marker_round_trip_and_garbage() -> None:
    assert event_invoke._decode_marker(event_invoke._encode_marker("$LATEST")) == "$LATEST"
    for garbage in ("garbage", "", "bm90IGpzb24=", "eyJ4IjogMX0="):  # "not json", {"x": 1}
        with pytest.raises(LambdaError):
            event_invoke._decode_marker(garbage)


@pytest.mark.parametrize(
    ("method", "path", "query", "operation"),
    [
        ("GET", "/2015-03-31/functions/", {}, "ListFunctions"),
        ("POST", "/2015-03-31/functions", {}, "CreateFunction"),
        ("GET", "/2015-03-31/functions/fn", {}, "GetFunction"),
        ("PUT", "/2019-09-25/functions/fn/event-invoke-config", {}, "PutFunctionEventInvokeConfig"),
        ("POST", "/2019-09-25/functions/fn/event-invoke-config", {}, "UpdateFunctionEventInvokeConfig"),
        ("GET", "/2019-09-25/functions/fn/event-invoke-config/list", {}, "ListFunctionEventInvokeConfigs"),
        ("GET", "/2018-10-31/layers", {"find": ["LayerVersion"]}, "GetLayerVersionByArn"),
        ("GET", "/2018-10-31/layers", {}, "ListLayers"),
        ("PATCH", "/2015-03-31/functions/fn", {}, "unknown"),
    ],
)
def test_lambda_operations_are_named_from_method_and_path(method: str, path: str, query: dict, operation: str) -> None:
    assert routes._lambda_operation(method, path, query)[0] == operation


def test_encoded_function_arn_in_the_path_stays_one_segment() -> None:
    arn = "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afn%3A%24LATEST"
    operation, params = routes._lambda_operation("GET", f"/2019-09-25/functions/{arn}/event-invoke-config", {})
    assert operation == "GetFunctionEventInvokeConfig"
    assert params == {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"}
