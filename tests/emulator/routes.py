"""Name what a request is: service, operation, function name and qualifier, for routing and the request log.

The Lambda route table is built from botocore's own service model (method + requestUri of every operation), so it
covers every Lambda API botocore can call. Other services are named from the SigV4 credential scope and, when
cheap, from the ``X-Amz-Target`` header (JSON protocols) or the ``Action`` parameter (query protocols). S3 names
only the operations the emulator acts on (HeadBucket, GetBucketPolicy; path-style addressing, which is what botocore
uses for an IP endpoint); every other S3 request is "unknown".
"""

from __future__ import annotations

import functools
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import unquote

# Invocations count against a separate quota in AWS, not the 15 requests/s control-plane budget.
DATA_PLANE_OPERATIONS = frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"})
EVENT_INVOKE_CONFIG_OPERATIONS = frozenset(
    {
        "PutFunctionEventInvokeConfig",
        "UpdateFunctionEventInvokeConfig",
        "GetFunctionEventInvokeConfig",
        "ListFunctionEventInvokeConfigs",
        "DeleteFunctionEventInvokeConfig",
    }
)
_MAX_FORM_BODY = 1024 * 1024


@dataclass(frozen=True)
class Route:
    method: str
    path: re.Pattern[str]
    query: tuple[tuple[str, str], ...]  # literal query parameters the operation's requestUri fixes
    operation: str

    def match(self, method: str, path: str, query: dict[str, list[str]]) -> dict[str, str] | None:
        if method != self.method or any(query.get(key) != [value] for key, value in self.query):
            return None
        found = self.path.fullmatch(path)
        return {key: unquote(value) for key, value in found.groupdict().items()} if found else None


def _compile(method: str, request_uri: str, operation: str) -> Route:
    path, _sep, query = request_uri.partition("?")
    # "/a/{Name}/b" splits into literals at even and placeholder names at odd positions.
    parts = re.split(r"\{(\w+)\+?\}", path.rstrip("/"))
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    pattern += "/?"
    literal_query = tuple((k, v[0]) for k, v in parse_qs(query).items())
    return Route(method, re.compile(pattern), literal_query, operation)


@functools.lru_cache(maxsize=1)
def lambda_routes() -> tuple[Route, ...]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("lambda")
    routes = [
        _compile(op.http["method"], op.http["requestUri"], op.name)
        for op in (model.operation_model(name) for name in model.operation_names)
    ]
    # Routes that fix a query parameter (GetLayerVersionByArn, ListProvisionedConcurrencyConfigs) go first.
    return tuple(sorted(routes, key=lambda route: -len(route.query)))


@dataclass(frozen=True)
class RequestInfo:
    service: str
    operation: str
    region: str
    access_key: str | None
    path_params: dict[str, str]
    query: dict[str, list[str]]
    body: bytes
    session_token: bool = False  # the request carried X-Amz-Security-Token (header, or query of a presigned URL)

    def query_value(self, key: str) -> str | None:
        values = self.query.get(key)
        return values[0] if values else None

    @property
    def is_lambda_control_plane(self) -> bool:
        return self.service == "lambda" and self.operation not in DATA_PLANE_OPERATIONS

    @property
    def is_event_invoke_config(self) -> bool:
        return self.service == "lambda" and self.operation in EVENT_INVOKE_CONFIG_OPERATIONS

    def function_and_qualifier(self) -> tuple[str | None, str | None]:
        """Bare function name and qualifier, as far as the request shows them (for the log)."""
        raw = self.path_params.get("FunctionName")
        if raw is None and self.operation == "CreateFunction":
            raw = _json_field(self.body, "FunctionName")
        if not raw:
            return None, self.query_value("Qualifier")
        tail = raw.split(":function:", 1)[-1]
        name, _sep, embedded = tail.partition(":")
        if raw.startswith("arn:") and ":function:" not in raw:
            name, embedded = raw, ""
        return name, self.query_value("Qualifier") or embedded or None


def credential_scope(environ: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(access key, region, service) from a SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = re.search(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
    if not match:
        return None, None, None
    return match.group(1), match.group(2), match.group(3)


def raw_path(environ: dict[str, Any]) -> str:
    """The path before percent-decoding, so an encoded "/" or ":" in a FunctionName cannot split segments."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0]
    return environ.get("PATH_INFO", "")


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the body and put it back, so the wrapped moto app can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def describe(environ: dict[str, Any]) -> RequestInfo:
    access_key, region, service = credential_scope(environ)
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    service = (service or "unknown").lower()
    if service == "lambda":
        body = read_body(environ)
        operation, params = _lambda_operation(method, raw_path(environ), query)
    elif service == "s3":
        body = b""
        operation, params = _s3_operation(method, raw_path(environ), query)
    else:
        body = _small_body(environ)
        operation, params = _other_operation(environ, query, body), {}
    token = bool(environ.get("HTTP_X_AMZ_SECURITY_TOKEN") or query.get("X-Amz-Security-Token"))
    return RequestInfo(service, operation, region or "us-east-1", access_key, params, query, body, token)


def _lambda_operation(method: str, path: str, query: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    for route in lambda_routes():
        params = route.match(method, path, query)
        if params is not None:
            return route.operation, params
    return "unknown", {}


def _other_operation(environ: dict[str, Any], query: dict[str, list[str]], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    if "Action" in query:
        return query["Action"][0]
    action = parse_qs(body.decode("utf-8", "replace")).get("Action") if body else None
    return action[0] if action else "unknown"


def form_params(info: RequestInfo) -> dict[str, list[str]]:
    """A query-protocol request's parameters: the URL query and the form body together."""
    params = dict(info.query)
    if info.body:
        for key, values in parse_qs(info.body.decode("utf-8", "replace"), keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    return params


def json_params(info: RequestInfo) -> dict[str, Any]:
    """A JSON-protocol request's body as an object ({} when it is not one)."""
    try:
        body = json.loads(info.body) if info.body else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _s3_operation(method: str, path: str, query: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    segments = [unquote(part) for part in path.strip("/").split("/") if part]
    if len(segments) != 1:
        return "unknown", {}
    params = {"Bucket": segments[0]}
    if method == "HEAD" and not query:
        return "HeadBucket", params
    if method == "GET" and set(query) == {"policy"}:
        return "GetBucketPolicy", params
    return "unknown", params


_SMALL_BODY_TYPES = ("application/x-www-form-urlencoded", "application/x-amz-json-")


def _small_body(environ: dict[str, Any]) -> bytes:
    """The body of a query (Action=...) or JSON-protocol request, only when it is small."""
    if not environ.get("CONTENT_TYPE", "").startswith(_SMALL_BODY_TYPES):
        return b""
    try:
        if int(environ.get("CONTENT_LENGTH") or 0) > _MAX_FORM_BODY:
            return b""
    except ValueError:
        return b""
    return read_body(environ)


def _json_field(body: bytes, key: str) -> str | None:
    try:
        value = json.loads(body).get(key)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
