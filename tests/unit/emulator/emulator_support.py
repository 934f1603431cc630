"""Helpers for the emulator's tests: the shared "world" of AWS resources and error assertions."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.aws_lambda.tests.emulator import moto_view
from ansible_collections.cloudops.aws_lambda.tests.emulator.server import Emulator
from ansible_collections.cloudops.aws_lambda.tests.integration.targets.setup_lambda_fixtures.files import (
    lambda_fixtures as fixtures,
)

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

    def intact(self) -> bool:
        for function in self.created["functions"]:
            record = moto_view.get_function(ACCOUNT, REGION, function["name"])
            if record is None or not record.has_qualifier("1") or not record.has_qualifier("live"):
                return False
        return all(moto_view.destination_exists(self.arn(k)) for k in ("queue", "topic", "event_bus", "bucket"))


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
