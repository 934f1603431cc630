# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin I/O: one small function per Lambda API call.

"Missing" becomes None or False here, once; every other failure is an AwsError. Results come back in the
modules' config shape (event_invoke_config.from_api), never as raw API responses.
"""

from __future__ import annotations

from typing import Any
from typing import Iterator
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import call
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import exhausted_error
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import from_api
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import put_request
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import qualified_arn
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetriesExhausted
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import retry_write
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import write_retry_reason

NOT_FOUND = "ResourceNotFoundException"
LIST_PAGE_SIZE = 50  # the API's maximum for ListFunctionEventInvokeConfigs; ListFunctions caps pages at 50 too


def _retryable(error: Exception) -> Optional[str]:
    if isinstance(error, AwsError):
        return write_retry_reason(error.code, error.details.get("message", ""))
    return None


def get_config(client: Any, target: Target) -> Optional[dict[str, Any]]:
    """The config, or None when there is none (AWS gives the same 404 when the function itself is missing)."""
    try:
        response = call(
            "GetFunctionEventInvokeConfig",
            client.get_function_event_invoke_config,
            FunctionName=target.function_name,
            Qualifier=target.qualifier,
        )
    except AwsError as error:
        if error.code == NOT_FOUND:
            return None
        raise
    return from_api(response)


def _write(operation: str, method: Any, retry_timeout: float, **params: Any) -> Any:
    """A write call, retried for conflicts and propagation errors within `retry_timeout` (see retries.py)."""
    try:
        return retry_write(lambda: call(operation, method, **params), _retryable, retry_timeout)
    except RetriesExhausted as exhausted:
        raise exhausted_error(operation, exhausted) from None


def put_config(client: Any, target: Target, settings: dict[str, Any], retry_timeout: float) -> dict[str, Any]:
    """Write the whole desired state with Put; its response holds the new config, so nothing is re-read."""
    method = client.put_function_event_invoke_config
    return from_api(_write("PutFunctionEventInvokeConfig", method, retry_timeout, **put_request(target, settings)))


def delete_config(client: Any, target: Target, retry_timeout: float) -> bool:
    """Delete the config; False when it was already gone (AWS answers 404, which is the state we want)."""
    try:
        _write(
            "DeleteFunctionEventInvokeConfig",
            client.delete_function_event_invoke_config,
            retry_timeout,
            FunctionName=target.function_name,
            Qualifier=target.qualifier,
        )
    except AwsError as error:
        if error.code == NOT_FOUND:
            return False
        raise
    return True


def get_identity(client: Any, target: Target) -> Optional[dict[str, Any]]:
    """The qualified FunctionArn a new config would get, or None when the function or qualifier is missing.

    Only check mode needs this: a real run learns it from Put's response. GetFunction has its own, larger
    quota (100 requests/s), so this read does not spend the shared 15 requests/s control-plane budget.
    """
    try:
        response = call(
            "GetFunction", client.get_function, FunctionName=target.function_name, Qualifier=target.qualifier
        )
    except AwsError as error:
        if error.code == NOT_FOUND:
            return None
        raise
    function_arn = qualified_arn(response["Configuration"]["FunctionArn"], target.qualifier)
    return {"function_arn": function_arn, "function_name": target.name, "qualifier": target.qualifier}


def list_configs(client: Any, function_name: str) -> Optional[list[dict[str, Any]]]:
    """Every qualifier's config of one function, all pages; None when the function does not exist."""
    configs: list[dict[str, Any]] = []
    params: dict[str, Any] = {"FunctionName": function_name, "MaxItems": LIST_PAGE_SIZE}
    while True:
        try:
            page = call("ListFunctionEventInvokeConfigs", client.list_function_event_invoke_configs, **params)
        except AwsError as error:
            if error.code == NOT_FOUND:
                return None
            raise
        configs.extend(from_api(item) for item in page.get("FunctionEventInvokeConfigs", []))
        if not page.get("NextMarker"):
            return configs
        params["Marker"] = page["NextMarker"]


def list_function_names(client: Any) -> Iterator[str]:
    """The names of every function in the client's region, page by page (ListFunctions)."""
    params: dict[str, Any] = {"MaxItems": LIST_PAGE_SIZE}
    while True:
        page = call("ListFunctions", client.list_functions, **params)
        for function in page.get("Functions", []):
            yield function["FunctionName"]
        if not page.get("NextMarker"):
            return
        params["Marker"] = page["NextMarker"]
