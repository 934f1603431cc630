"""The emulator's WSGI application: moto for everything, our handlers for event invoke configs, plus faults.

Request flow::

    /_emulator/*                      -> control endpoints (not logged, never faulted)
    IAM action in denied_actions      -> AccessDenied in the service's wire format (caller_denied), nothing else
    Lambda control-plane call         -> latency, then throttle (the account and region's bucket + rate), then 500
      event-invoke-config operation   -> EventInvokeConfigs (conflict/propagation faults inside, before writes)
      ListFunctions                   -> moto, then paged like AWS (list_functions)
      GetPolicy, AddPermission, CreateFunction, UpdateFunctionConfiguration, GetFunction[Configuration],
      PublishVersion, ListVersionsByFunction -> moto (after the dead-letter check), then corrected
                                         (lambda_responses: policy principals, DeadLetterConfig)
      anything else                   -> moto
    sqs CreateQueue, SetQueueAttributes -> one kind of SSE at a time, then moto (sqs_queues)
    sqs GetQueueAttributes, sns GetTopicAttributes of another account's queue or topic -> its policy must let the
                                         caller read it (cross_account_reads), then moto in the owner's account
    iam SimulatePrincipalPolicy       -> iam_simulator (moto does not implement it)
    kms GetKeyPolicy, DescribeKey of another account's or region's ARN -> kms_keys; other KMS calls -> moto,
                                         after any AWS managed key they name exists (kms_keys)
    any other request                 -> moto

A denied request is refused before the Lambda quota is charged (emulator choice: AWS's order of authorisation and
throttling is not recorded).

Every request outside /_emulator/ gets one entry in the request log.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import quote

from . import caller_denied
from . import cross_account_reads
from . import destination_access
from . import kms_keys
from . import lambda_responses
from . import list_functions
from . import moto_view
from . import sqs_queues
from .cloudtrail_events import CloudTrailEvents
from .event_invoke import CallContext
from .event_invoke import EventInvokeConfigs
from .event_invoke import WriteFaults
from .faults import FaultInjector
from .faults import FaultSettings
from .faults import QuotaScope
from .iam_simulator import simulate_principal_policy
from .routes import RequestInfo
from .routes import describe
from .routes import form_params
from .wire import LambdaError
from .wire import Response
from .wire import empty_response
from .wire import error_response
from .wire import json_response
from .wire import service_error
from .wire import status_line
from .wire import too_many_requests

StartResponse = Callable[..., Any]
CONTROL_PREFIX = "/_emulator/"
DEFAULT_LOG_LIMIT = 100_000  # oldest entries drop first, so a long benchmark cannot exhaust memory


# AWS gives these a quota of their own (GetFunction: 100 requests/s); the 15/s bucket is for everything else.
OWN_QUOTA_OPERATIONS = frozenset({"GetFunction"})


class RequestLog:
    def __init__(self, limit: int = DEFAULT_LOG_LIMIT) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._seq = 0

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            self._entries.append({"seq": self._seq, **entry})

    def entries(self, **filters: str) -> list[dict[str, Any]]:
        with self._lock:
            snapshot = list(self._entries)
        return [e for e in snapshot if all(str(e.get(k)) == v for k, v in filters.items())]

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count


def _make_moto_app() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.moto_server.werkzeug_app import create_backend_app

    return DomainDispatcherApplication(create_backend_app)


class EmulatorApp:
    """WSGI callable. One instance holds all emulator state except moto's (which is process-global)."""

    def __init__(
        self,
        faults: FaultSettings | None = None,
        log_limit: int = DEFAULT_LOG_LIMIT,
        cloudtrail_queue: str | None = None,
    ) -> None:
        self.moto_app = _make_moto_app()
        self.cloudtrail = CloudTrailEvents(cloudtrail_queue)  # events of config writes to a queue (cloudtrail_events)
        self.configs = EventInvokeConfigs()
        self.faults = FaultInjector(faults)
        self.log = RequestLog(log_limit)

    def reset(self, keep_moto: bool = False) -> None:
        """Forget our configs, the fault and CloudTrail settings and the log, and (unless keep_moto) moto's backends."""
        if not keep_moto:
            moto_view.reset_moto()
        self.configs.clear()
        self.faults.reset()
        self.cloudtrail.reset()
        self.log.clear()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return _send(start_response, self._control(environ))
        info = describe(environ)
        action = caller_denied.iam_action(info)
        if self.faults.denied(action):
            response = caller_denied.denied_response(info, _account(environ, info), str(action))
            self._record(info, response[0], "denied")
            return _send(start_response, response)
        if info.is_lambda_control_plane:
            error = self._front_door_fault(info.operation, (_account(environ, info), info.region))
            if error is not None:
                self._record(info, error.status, error.fault)
                return _send(start_response, error_response(error))
        if info.is_event_invoke_config:
            status, fault, response = self._event_invoke(environ, info)
            self._record(info, status, fault)
            self.cloudtrail.record(info, response, _account(environ, info), environ)
            return _send(start_response, response)
        if info.service == "lambda" and info.operation == "ListFunctions":
            return _send(start_response, self._list_functions(environ, info))
        if info.service == "lambda" and info.operation in lambda_responses.CORRECTED_OPERATIONS:
            return _send(start_response, self._corrected_lambda(environ, info))
        if info.service == "kms":
            answer = kms_keys.handle(info, _account(environ, info))
            if answer is not None:
                self._record(info, answer[0], None)
                return _send(start_response, answer)
        if info.service == "sqs" and info.operation in sqs_queues.WRITES:
            return _send(start_response, self._sqs_write(environ, info))
        if info.service == "iam" and info.operation == "SimulatePrincipalPolicy":
            response = simulate_principal_policy(form_params(info))
            self._record(info, response[0], None)
            return _send(start_response, response)
        read = cross_account_reads.cross_account_read(info, _account(environ, info))
        if read is not None:
            return self._cross_account_read(environ, start_response, info, read)
        return self._forward(environ, start_response, info)

    # --- faults and our operations ---

    def _front_door_fault(self, operation: str, scope: QuotaScope) -> LambdaError | None:
        """Faults that hit any Lambda control-plane call before it is looked at. ``scope`` is the call's account
        and region (the one in its signature): each has a quota of its own, as in AWS."""
        if self.faults.latency_seconds:
            time.sleep(self.faults.latency_seconds)
        retry_after = self.faults.throttle(shared_quota=operation not in OWN_QUOTA_OPERATIONS, scope=scope)
        if retry_after is not None:
            error = too_many_requests(retry_after)
            error.fault = "throttle"
            return error
        if self.faults.server_error():
            error = service_error()
            error.fault = "error"
            return error
        return None

    def _event_invoke(self, environ: dict[str, Any], info: RequestInfo) -> tuple[int, str | None, Response]:
        ctx = CallContext(_account(environ, info), info.region)
        write_faults = WriteFaults(
            conflict=self.faults.conflict,
            propagation_failure=self.faults.propagation_failure,
            permission_propagation_failure=self.faults.permission_propagation_failure,
        )
        name = info.path_params["FunctionName"]
        qualifier = info.query_value("Qualifier")
        try:
            if info.operation == "PutFunctionEventInvokeConfig":
                response = json_response(200, self.configs.put(ctx, name, qualifier, info.body, write_faults))
            elif info.operation == "UpdateFunctionEventInvokeConfig":
                response = json_response(200, self.configs.update(ctx, name, qualifier, info.body, write_faults))
            elif info.operation == "GetFunctionEventInvokeConfig":
                response = json_response(200, self.configs.get(ctx, name, qualifier))
            elif info.operation == "DeleteFunctionEventInvokeConfig":
                self.configs.delete(ctx, name, qualifier, write_faults)
                response = empty_response(204)
            else:
                page = self.configs.list_configs(ctx, name, info.query_value("Marker"), info.query_value("MaxItems"))
                response = json_response(200, page)
        except LambdaError as error:
            return error.status, error.fault, error_response(error)
        except Exception:  # a bug in the emulator: answer like Lambda would, and say what broke on stderr
            traceback.print_exc(file=sys.stderr)
            return 500, None, error_response(service_error())
        return response[0], None, response

    def _list_functions(self, environ: dict[str, Any], info: RequestInfo) -> Response:
        """moto's answer (every function), paged like AWS; moto's errors pass through unchanged."""
        try:
            list_functions.page_size(info.query_value("MaxItems"))  # refuse a bad MaxItems before asking moto
            status, headers, body = self._call_moto(environ)
            response: Response = (status, headers, body)
            if status == 200:
                functions = [lambda_responses.with_dead_letter(f) for f in json.loads(body).get("Functions", [])]
                page = list_functions.page(functions, info.query_value("Marker"), info.query_value("MaxItems"))
                response = json_response(200, page)
        except LambdaError as error:
            response = error_response(error)
        self._record(info, response[0], None)
        return response

    def _corrected_lambda(self, environ: dict[str, Any], info: RequestInfo) -> Response:
        """moto's answer with what moto gets wrong put right, after Lambda's dead-letter check (lambda_responses)."""
        _expand_partial_arn(environ, info)
        account = _account(environ, info)
        refusal = lambda_responses.dead_letter_refusal(info, account)
        if refusal is not None:
            response = error_response(refusal)
        else:
            response = lambda_responses.correct(info, account, self._call_moto(environ))
        self._record(info, response[0], None)
        return response

    def _sqs_write(self, environ: dict[str, Any], info: RequestInfo) -> Response:
        """CreateQueue/SetQueueAttributes: one kind of server-side encryption at a time (sqs_queues)."""
        account = _account(environ, info)
        response = sqs_queues.refusal(info, account)
        if response is None:
            response = self._call_moto(environ)
            if response[0] == 200:
                sqs_queues.after_write(info, account)
        self._record(info, response[0], None)
        return response

    def _cross_account_read(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        info: RequestInfo,
        read: cross_account_reads.CrossAccountRead,
    ) -> Iterable[bytes]:
        """Another account's queue or topic: refused unless its policy lets the caller read it; then moto answers
        in the owner's account (not found there when it does not exist)."""
        response = cross_account_reads.refusal(read, _account(environ, info))
        if response is not None:
            self._record(info, response[0], None)
            return _send(start_response, response)
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = read.owner
        return self._forward(environ, start_response, info)

    def _call_moto(self, environ: dict[str, Any]) -> Response:
        captured: list[tuple[int, list[tuple[str, str]]]] = []

        def capture(status_line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.append((int(status_line.split(" ", 1)[0]), list(headers)))
            return lambda _data: None

        result = self.moto_app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = captured[-1]
        return status, headers, body

    def _forward(self, environ: dict[str, Any], start_response: StartResponse, info: RequestInfo) -> Iterable[bytes]:
        status: list[int] = []

        def capture(status_line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(int(status_line.split(" ", 1)[0]))
            return start_response(status_line, headers, exc_info)

        if info.service == "lambda":
            _expand_partial_arn(environ, info)
        result = self.moto_app(environ, capture)
        self._record(info, status[0] if status else None, None)
        return result

    def _record(self, info: RequestInfo, status: int | None, fault: str | None) -> None:
        function_name, qualifier = info.function_and_qualifier() if info.service == "lambda" else (None, None)
        self.log.add(
            {
                "time": round(time.time(), 3),
                "service": info.service,
                "operation": info.operation,
                "region": info.region,
                "function_name": function_name,
                "qualifier": qualifier,
                "status": status,
                "fault": fault,
                "session_token": info.session_token,
            }
        )

    # --- control endpoints ---

    def _control(self, environ: dict[str, Any]) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ["PATH_INFO"][len(CONTROL_PREFIX) :].rstrip("/")
        handler = self._control_routes().get((method, path))
        if handler is None:
            return json_response(404, {"error": f"no control endpoint {method} {CONTROL_PREFIX}{path}"})
        try:
            return handler(environ)
        except ValueError as exc:
            return json_response(400, {"error": str(exc)})

    def _control_routes(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], Response]]:
        return {
            ("GET", "health"): lambda _env: json_response(200, {"status": "ok"}),
            ("GET", "requests"): self._get_requests,
            ("DELETE", "requests"): lambda _env: json_response(200, {"cleared": self.log.clear()}),
            ("GET", "faults"): lambda _env: json_response(200, self.faults.snapshot()),
            ("POST", "faults"): self._post_faults,
            ("POST", "reset"): self._post_reset,
            ("GET", "delivery-check"): self._get_delivery_check,
            ("GET", "cloudtrail"): lambda _env: json_response(200, self.cloudtrail.snapshot()),
            ("POST", "cloudtrail"): lambda env: json_response(200, self.cloudtrail.update(_json_body(env))),
        }

    def _get_requests(self, environ: dict[str, Any]) -> Response:
        filters = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        entries = self.log.entries(**filters)
        return json_response(200, {"count": len(entries), "requests": entries})

    def _get_delivery_check(self, environ: dict[str, Any]) -> Response:
        """Would delivery from this role to this destination be allowed, KMS key included? (C19; for tests)"""
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        role, destination = query.get("role"), query.get("destination")
        if not role or not destination:
            raise ValueError("role and destination (ARNs) are required")
        refused = destination_access.delivery_refusal(role, destination)
        verdict = refused.to_dict() if refused else None
        return json_response(200, {"role": role, "destination": destination, "refused": verdict})

    def _post_faults(self, environ: dict[str, Any]) -> Response:
        return json_response(200, self.faults.update(_json_body(environ)).to_dict())

    def _post_reset(self, environ: dict[str, Any]) -> Response:
        options = _json_body(environ)
        keep_moto = options.get("keep_moto", False)
        if not isinstance(keep_moto, bool):
            raise ValueError("keep_moto must be true or false")
        self.reset(keep_moto=keep_moto)
        return json_response(200, {"reset": True, "keep_moto": keep_moto})


def _account(environ: dict[str, Any], info: RequestInfo) -> str:
    """The account moto itself uses for this request."""
    headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
    return moto_view.account_for_request(headers, info.access_key)


_PARTIAL_ARN = re.compile(r"^\d{12}:function:")


def _expand_partial_arn(environ: dict[str, Any], info: RequestInfo) -> None:
    """Lambda accepts a partial ARN (ACCOUNT:function:NAME[:QUALIFIER]) wherever it takes a FunctionName
    (DOCUMENTED); moto 5.2.5 fails on one with a 500. Hand moto the full ARN of the request's region instead."""
    name = info.path_params.get("FunctionName")
    if not name or not _PARTIAL_ARN.match(name):
        return
    full = f"arn:{moto_view.partition_of(info.region)}:lambda:{info.region}:{name}"
    for key, old, new in (
        ("PATH_INFO", name, full),
        ("RAW_URI", quote(name, safe=""), quote(full, safe="")),
        ("RAW_URI", name, full),
        ("REQUEST_URI", quote(name, safe=""), quote(full, safe="")),
        ("REQUEST_URI", name, full),
    ):
        if key in environ:
            environ[key] = environ[key].replace(f"/functions/{old}", f"/functions/{new}", 1)


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    """A control request's JSON object body ({} when empty); ValueError (-> 400) otherwise."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise ValueError(f"body must be a JSON object: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


def _send(start_response: StartResponse, response: Response) -> Iterable[bytes]:
    status, headers, body = response
    start_response(status_line(status), headers)
    return [body]
