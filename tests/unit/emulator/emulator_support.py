"""Helpers for the emulator's tests: the shared "world" of AWS resources and error assertions."""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.emulator import moto_view
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

REGION = "us-east-1"
ACCOUNT = "123456789012"
NO_RETRIES = {"total_max_attempts": 1}  # see every injected fault; botocore would retry 429/500 otherwise


def fn_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


@dataclass
class World:
    emulator: Emulator
    lam: Any  # parameter_validation=False, as the recorded AWS exceptions test used (server-side checks)
    strict: Any  # botocore's default client-side validation
    clients: fixtures.Clients
    created: dict[str, Any]

    @property
    def fn(self) -> str:
        return self.created["functions"][0]["name"]

    @property
    def fn2(self) -> str:
        return self.created["functions"][1]["name"]

    @property
    def alias(self) -> str:
        return self.created["functions"][0]["alias"]

    @property
    def version(self) -> str:
        return self.created["functions"][0]["version"]

    def arn(self, key: str) -> str:
        """ARN of a destination: queue, topic, event_bus, bucket."""
        return str(self.created[key]["arn"])

    def new_function(self, name: str) -> dict[str, str]:
        """A function of the test's own (version 1, alias live) that it may delete or publish."""
        return fixtures.create_function(self.clients, name, self.created["role"]["arn"])

    def new_role(self, name: str, *statements: dict[str, Any], managed: list[str] | None = None) -> str:
        """A role of the test's own, with these statements as its one inline policy (if any) and these managed policy
        ARNs attached; returns its ARN. The world's role is shared, so tests that need other grants use this."""
        iam = self.clients.iam
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(fixtures.TRUST_POLICY))["Role"]["Arn"]
        if statements:
            iam.put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=policy_document(*statements))
        for policy_arn in managed or []:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        return str(arn)

    def function_with_role(self, name: str, role_arn: str) -> dict[str, str]:
        """A function of the test's own (version 1, alias live) that runs as this role."""
        return fixtures.create_function(self.clients, name, role_arn)

    def intact(self) -> bool:
        for function in self.created["functions"]:
            record = moto_view.get_function(ACCOUNT, REGION, function["name"])
            if record is None or not record.has_qualifier("1") or not record.has_qualifier("live"):
                return False
        return all(moto_view.destination_exists(self.arn(k)) for k in ("queue", "topic", "event_bus", "bucket"))


def allow(action: str | list[str], resource: str | list[str], effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource}


def policy_document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def client_error(call: Callable[..., Any], **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value


def assert_error(error: ClientError, status: int, code: str, message: str) -> None:
    response = error.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == message


def body(response: dict[str, Any]) -> dict[str, Any]:
    """A response without ResponseMetadata, LastModified checked to be there and dropped (it is a timestamp)."""
    data = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert "LastModified" in data
    del data["LastModified"]
    return data


EMPTY_DESTINATIONS = {"OnSuccess": {}, "OnFailure": {}}


@contextmanager
def raw_responses(client: Any) -> Iterator[list[tuple[int, dict[str, str], bytes]]]:
    """Capture (status, headers, body) of every response the client receives, as sent on the wire."""
    captured: list[tuple[int, dict[str, str], bytes]] = []

    def hook(http_response: Any, **_: Any) -> None:
        captured.append((http_response.status_code, dict(http_response.headers), http_response.content))

    client.meta.events.register("after-call.lambda", hook)
    try:
        yield captured
    finally:
        client.meta.events.unregister("after-call.lambda", hook)
