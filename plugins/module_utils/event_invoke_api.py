# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin I/O: one small function per Lambda API call.

"Missing" becomes None or False here (through `call(..., missing=...)`), once; every other failure is an AwsError.
Results come back as the core's values (EventInvokeConfig), never as raw API responses.
"""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import Collection
from typing import Iterator
from typing import NamedTuple
from typing import Optional

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import call
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import operation_name
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.calls import pages
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import exhausted_error
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import LATEST
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import EventInvokeConfig
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Settings
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import Target
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.event_invoke_config import qualified_arn
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetriesExhausted
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import RetryReason
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import retry_write
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.retries import write_retry_reason

NOT_FOUND = ("ResourceNotFoundException",)
LIST_PAGE_SIZE = 50  # the API's maximum for ListFunctionEventInvokeConfigs; ListFunctions caps pages at 50 too

Classify = Callable[[Exception], Optional[RetryReason]]


class Function(NamedTuple):
    """What GetFunction tells about one qualifier: the identity its config would have, its execution role, its
    dead-letter queue or topic, and the function's reserved concurrency. A ListFunctions item tells the same about
    $LATEST, except the reserved concurrency (C20)."""

    identity: EventInvokeConfig  # no LastModified, no settings
    role: Optional[str]
    account: Optional[str]  # None when not known (the caller may not call GetFunction)
    lacking: Optional[str] = None  # the caller's missing permission when GetFunction could not be read
    dead_letter: Optional[str] = None  # DeadLetterConfig.TargetArn, when the qualifier's code version has one
    # Concurrency.ReservedConcurrentExecutions (0 switches the function off, C20); None when none is reserved, or
    # when it was not read (ListFunctions does not carry it; GetFunction may be denied)
    reserved_concurrency: Optional[int] = None


def unread_function(target: Target, permission: str) -> Function:
    """What is known of a qualifier whose GetFunction the caller may not call: its name, and no role."""
    return Function(EventInvokeConfig(None, target.name, target.qualifier), None, target.account, permission)


def retryable(error: Exception) -> Optional[RetryReason]:
    """The default classification of a failed write (see retries.py)."""
    if isinstance(error, AwsError):
        return write_retry_reason(error.code, error.message)
    return None


def missing_target(target: Target, operation: str, check_mode: bool = False, region: Optional[str] = None) -> AwsError:
    """The function, version or alias a task names does not exist: say which, and where it was looked for (a typo in
    region looks exactly like a missing function), in check mode and real runs alike."""
    outcome = "; a real run would fail the same way" if check_mode else ""
    why = f"does not exist{_where(target, region)} ({operation} returned ResourceNotFoundException){outcome}"
    return AwsError(
        f"The function {target.function_name} or its qualifier {target.qualifier} {why}.",
        NOT_FOUND[0],
        cause=f"The function or its qualifier {target.qualifier} {why}.",
    )


def missing_function(target: Target, operation: str, region: Optional[str] = None) -> AwsError:
    """The function itself does not exist (what a List 404 means, C13), in the region it was looked for in."""
    why = f"does not exist{_where(target, region)} ({operation} returned ResourceNotFoundException)"
    return AwsError(f"The function {target.function_name} {why}.", NOT_FOUND[0], cause=f"The function {why}.")


def _where(target: Target, region: Optional[str]) -> str:
    """The " in region R" of those messages: the client's region, else the ARN's (none when neither is known)."""
    region = region or target.region
    return f" in region {region}" if region else ""


def client_region(client: Any) -> Optional[str]:
    """The region a client's calls go to, for the messages above."""
    return getattr(getattr(client, "meta", None), "region_name", None)


def get_config(client: Any, target: Target) -> Optional[EventInvokeConfig]:
    """The config, or None when there is none (AWS gives the same 404 when the function itself is missing, C7)."""
    item = call(
        client.get_function_event_invoke_config,
        missing=NOT_FOUND,
        FunctionName=target.function_name,
        Qualifier=target.qualifier,
    )
    return EventInvokeConfig.from_api(item) if item is not None else None


def _write(
    method: Callable[..., Any], retry_timeout: float, classify: Classify, missing: Collection[str], **params: Any
) -> Any:
    """A write call, retried for conflicts and propagation errors within `retry_timeout` (see retries.py)."""
    try:
        return retry_write(lambda: call(method, missing=missing, **params), classify, retry_timeout)
    except RetriesExhausted as exhausted:
        raise exhausted_error(operation_name(method), exhausted) from None


def put_config(
    client: Any, target: Target, settings: Settings, retry_timeout: float, classify: Classify = retryable
) -> EventInvokeConfig:
    """Write the whole desired state with Put; its response holds the new config, so nothing is re-read."""
    method = client.put_function_event_invoke_config
    params = {"FunctionName": target.function_name, "Qualifier": target.qualifier, **settings.to_api()}
    item = _write(method, retry_timeout, classify, NOT_FOUND, **params)
    if item is None:  # C7/C8: the function, version or alias does not exist
        raise missing_target(target, operation_name(method), region=client_region(client))
    return EventInvokeConfig.from_api(item)


def delete_config(client: Any, target: Target, retry_timeout: float) -> bool:
    """Delete the config; False when it was already gone (AWS answers 404, which is the state we want, C12)."""
    method = client.delete_function_event_invoke_config
    params = {"FunctionName": target.function_name, "Qualifier": target.qualifier}
    return _write(method, retry_timeout, retryable, NOT_FOUND, **params) is not None


def get_function(client: Any, target: Target) -> Optional[Function]:
    """The qualifier's identity, execution role and dead-letter target, or None when the function or qualifier is
    missing.

    GetFunction has its own, larger quota (100 requests/s), so this read does not spend the shared 15 requests/s
    control-plane budget. For an alias, the configuration is the one of the version the alias points to.
    """
    response = call(
        client.get_function, missing=NOT_FOUND, FunctionName=target.function_name, Qualifier=target.qualifier
    )
    if response is None:
        return None
    function = function_from_configuration(response["Configuration"], target.name, target.qualifier)
    return function._replace(reserved_concurrency=reserved_concurrency(response))


def function_from_configuration(configuration: dict[str, Any], name: str, qualifier: str) -> Function:
    """A FunctionConfiguration (GetFunction's Configuration, or a ListFunctions item) as a Function of `qualifier`:
    its role and dead-letter target; no reserved concurrency, which a FunctionConfiguration does not carry."""
    function_arn = qualified_arn(configuration["FunctionArn"], qualifier)
    identity = EventInvokeConfig(function_arn, name, qualifier)
    dead_letter = (configuration.get("DeadLetterConfig") or {}).get("TargetArn") or None
    return Function(identity, configuration.get("Role"), function_arn.split(":")[4], dead_letter=dead_letter)


def reserved_concurrency(response: dict[str, Any]) -> Optional[int]:
    """GetFunction's Concurrency.ReservedConcurrentExecutions: 0 is a real value (the function is switched off), and
    no Concurrency means nothing is reserved (C20)."""
    value = (response.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return int(value) if value is not None else None


def list_configs(client: Any, function_name: str) -> Optional[list[EventInvokeConfig]]:
    """Every qualifier's config of one function, all pages; None when the function does not exist (C13)."""
    configs: list[EventInvokeConfig] = []
    for page in pages(
        client,
        "list_function_event_invoke_configs",
        missing=NOT_FOUND,
        FunctionName=function_name,
        PaginationConfig={"PageSize": LIST_PAGE_SIZE},
    ):
        if page is None:
            return None
        configs.extend(EventInvokeConfig.from_api(item) for item in page.get("FunctionEventInvokeConfigs", []))
    return configs


def list_functions(client: Any) -> Iterator[Function]:
    """Every function in the client's region as its $LATEST, page by page (ListFunctions): name, execution role and
    dead-letter target, which each item already carries (C20), so reading them costs no call of its own."""
    for page in pages(client, "list_functions", PaginationConfig={"PageSize": LIST_PAGE_SIZE}):
        for item in (page or {}).get("Functions", []):
            yield function_from_configuration(item, item["FunctionName"], LATEST)


def list_function_names(client: Any) -> Iterator[str]:
    """The names of every function in the client's region, page by page (ListFunctions)."""
    for function in list_functions(client):
        yield function.identity.function_name
