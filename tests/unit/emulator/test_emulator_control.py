"""The request log and the /_emulator/ control endpoints."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import World
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import client_error
from ansible_collections.cloudops.aws_lambda.tests.unit.emulator.emulator_support import fn_arn


def control(emulator: Emulator, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(f"{emulator.endpoint_url}/_emulator/{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def summary(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["operation"], e["function_name"], e["qualifier"], e["status"], e["fault"]) for e in entries]


# --- the request log ------------------------------------------------------------------------------------------------


def test_request_log_names_lambda_operations(world: World) -> None:
    lam = world.lam
    world.new_function("log-fn")  # CreateFunction, GetFunction (waiter), PublishVersion, CreateAlias
    lam.get_function_configuration(FunctionName="log-fn")
    lam.list_versions_by_function(FunctionName="log-fn")
    lam.list_aliases(FunctionName="log-fn")
    lam.get_alias(FunctionName="log-fn", Name="live")
    lam.put_function_event_invoke_config(FunctionName="log-fn", Qualifier="live", MaximumRetryAttempts=1)
    lam.get_function_event_invoke_config(FunctionName=fn_arn("log-fn", "live"))
    lam.update_function_event_invoke_config(FunctionName="log-fn:live", MaximumRetryAttempts=0)
    lam.list_function_event_invoke_configs(FunctionName="log-fn")
    lam.delete_function_event_invoke_config(FunctionName="log-fn", Qualifier="live")
    client_error(lam.delete_function_event_invoke_config, FunctionName="log-fn", Qualifier="live")
    lam.delete_alias(FunctionName="log-fn", Name="live")
    lam.list_functions()
    lam.delete_function(FunctionName="log-fn")
    assert summary(world.emulator.requests()) == [
        ("CreateFunction", "log-fn", None, 201, None),
        ("GetFunction", "log-fn", None, 200, None),
        ("PublishVersion", "log-fn", None, 201, None),
        ("CreateAlias", "log-fn", None, 201, None),
        ("GetFunctionConfiguration", "log-fn", None, 200, None),
        ("ListVersionsByFunction", "log-fn", None, 200, None),
        ("ListAliases", "log-fn", None, 200, None),
        ("GetAlias", "log-fn", None, 201, None),  # moto answers 201 here; the log shows what was sent
        ("PutFunctionEventInvokeConfig", "log-fn", "live", 200, None),
        ("GetFunctionEventInvokeConfig", "log-fn", "live", 200, None),
        ("UpdateFunctionEventInvokeConfig", "log-fn", "live", 200, None),
        ("ListFunctionEventInvokeConfigs", "log-fn", None, 200, None),
        ("DeleteFunctionEventInvokeConfig", "log-fn", "live", 204, None),
        ("DeleteFunctionEventInvokeConfig", "log-fn", "live", 404, None),
        ("DeleteAlias", "log-fn", None, 201, None),  # moto again
        ("ListFunctions", None, None, 200, None),
        ("DeleteFunction", "log-fn", None, 204, None),
    ]
    assert {e["service"] for e in world.emulator.requests()} == {"lambda"}


def test_request_log_names_other_services(world: World) -> None:
    world.clients.sqs.create_queue(QueueName="log-queue")  # JSON protocol: X-Amz-Target
    world.clients.iam.get_role(RoleName=world.created["role"]["name"])  # query protocol: Action
    world.clients.s3.list_buckets()  # REST-XML: not named
    entries = world.emulator.requests()
    assert [(e["service"], e["operation"], e["status"]) for e in entries] == [
        ("sqs", "CreateQueue", 200),
        ("iam", "GetRole", 200),
        ("s3", "unknown", 200),
    ]
    assert all(e["function_name"] is None and e["fault"] is None for e in entries)


def test_request_log_records_injected_faults(world: World) -> None:
    world.emulator.set_faults(throttle_rate=1.0)
    client_error(world.lam.get_function, FunctionName=world.fn)
    world.emulator.set_faults(throttle_rate=0.0, conflict_rate=1.0)
    client_error(world.lam.put_function_event_invoke_config, FunctionName=world.fn, MaximumRetryAttempts=1)
    world.emulator.set_faults(conflict_rate=0.0, error_rate=1.0)
    client_error(world.lam.list_functions)
    assert summary(world.emulator.requests()) == [
        ("GetFunction", world.fn, None, 429, "throttle"),
        ("PutFunctionEventInvokeConfig", world.fn, None, 409, "conflict"),
        ("ListFunctions", None, None, 500, "error"),
    ]


def test_request_log_records_the_signing_region_and_whether_a_session_token_was_sent(fresh_emulator: Emulator) -> None:
    import boto3

    def lambda_client(region: str, **token: str) -> Any:
        return boto3.client(
            "lambda",
            region_name=region,
            endpoint_url=fresh_emulator.endpoint_url,
            aws_access_key_id="ASIATEMPORARY",
            aws_secret_access_key="testing",
            **token,
        )

    lambda_client("eu-west-1", aws_session_token="a-temporary-token").list_functions()
    lambda_client("us-east-1").list_functions()
    entries = fresh_emulator.requests()
    assert [(e["operation"], e["region"], e["session_token"]) for e in entries] == [
        ("ListFunctions", "eu-west-1", True),
        ("ListFunctions", "us-east-1", False),
    ]
    assert "a-temporary-token" not in json.dumps(entries)  # the log says whether, never what
    assert [e["region"] for e in fresh_emulator.requests(session_token="True")] == ["eu-west-1"]


# --- control endpoints ----------------------------------------------------------------------------------------------


def test_control_health(fresh_emulator: Emulator) -> None:
    assert control(fresh_emulator, "GET", "health") == (200, {"status": "ok"})


def test_control_requests_lists_filters_and_clears_without_logging_itself(fresh_emulator: Emulator) -> None:
    lam = fresh_emulator.client("lambda")
    lam.list_functions()
    client_error(lam.get_function, FunctionName="nope")
    status, payload = control(fresh_emulator, "GET", "requests")
    assert status == 200
    assert payload["count"] == 2
    assert [e["operation"] for e in payload["requests"]] == ["ListFunctions", "GetFunction"]
    _status, filtered = control(fresh_emulator, "GET", "requests?operation=GetFunction&status=404")
    assert [e["function_name"] for e in filtered["requests"]] == ["nope"]
    assert control(fresh_emulator, "DELETE", "requests") == (200, {"cleared": 2})
    assert control(fresh_emulator, "GET", "requests") == (200, {"count": 0, "requests": []})


def test_control_faults_partial_update(fresh_emulator: Emulator) -> None:
    status, before = control(fresh_emulator, "GET", "faults")
    assert status == 200
    assert before["throttle_rate"] == 0.0
    status, after = control(fresh_emulator, "POST", "faults", {"conflict_rate": 0.5, "seed": 3})
    assert status == 200
    assert after == {**before, "conflict_rate": 0.5, "seed": 3}
    status, later = control(fresh_emulator, "POST", "faults", {"latency_ms": 5})
    assert later == {**after, "latency_ms": 5.0}
    assert fresh_emulator.faults() == later


@pytest.mark.parametrize("payload", [{"throttle_rate": 2}, {"unknown": 1}, [1, 2]])
def test_control_faults_rejects_bad_settings(fresh_emulator: Emulator, payload: Any) -> None:
    status, answer = control(fresh_emulator, "POST", "faults", payload)
    assert status == 400
    assert "error" in answer
    assert fresh_emulator.faults()["throttle_rate"] == 0.0


def test_control_reset_forgets_everything(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.emulator.set_faults(latency_ms=1)
    assert control(world.emulator, "POST", "reset") == (200, {"reset": True, "keep_moto": False})
    assert world.emulator.faults()["latency_ms"] == 0.0
    assert world.emulator.requests() == []
    assert world.lam.list_functions()["Functions"] == []


def test_control_reset_keep_moto_forgets_only_configs_faults_and_log(world: World) -> None:
    world.lam.put_function_event_invoke_config(FunctionName=world.fn, MaximumRetryAttempts=1)
    world.emulator.set_faults(latency_ms=1)
    assert control(world.emulator, "POST", "reset", {"keep_moto": True})[0] == 200
    assert world.emulator.faults()["latency_ms"] == 0.0
    assert world.lam.get_function(FunctionName=world.fn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    error = client_error(world.lam.get_function_event_invoke_config, FunctionName=world.fn)
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def test_control_unknown_endpoint_is_404(fresh_emulator: Emulator) -> None:
    status, answer = control(fresh_emulator, "GET", "nothing-here")
    assert status == 404
    assert "no control endpoint" in answer["error"]
