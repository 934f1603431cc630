"""Wire formats of the other services the emulator answers itself: IAM and SNS (query/XML), SQS (JSON, query
compatible), EventBridge (JSON 1.1) and S3 (REST-XML). ``wire.py`` holds Lambda's.

Each error body is what botocore needs to raise ``ClientError`` with the service's real error code.
"""

from __future__ import annotations

import json
import uuid
from xml.etree import ElementTree

from .wire import Response

IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
SNS_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"
XML_CONTENT_TYPE = "text/xml"


def _response(status: int, content_type: str | None, body: bytes, extra: dict[str, str] | None = None) -> Response:
    headers = [("x-amzn-RequestId", str(uuid.uuid4())), ("Content-Length", str(len(body)))]
    if content_type:
        headers.insert(0, ("Content-Type", content_type))
    headers.extend((extra or {}).items())
    return status, headers, body


def xml_bytes(root: ElementTree.Element) -> bytes:
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def xml_response(root: ElementTree.Element, status: int = 200) -> Response:
    return _response(status, XML_CONTENT_TYPE, xml_bytes(root))


def query_error(namespace: str, status: int, code: str, message: str, sender: bool = True) -> Response:
    """The ``<ErrorResponse>`` body of query-protocol services (IAM, SNS)."""
    root = ElementTree.Element("ErrorResponse", xmlns=namespace)
    error = ElementTree.SubElement(root, "Error")
    ElementTree.SubElement(error, "Type").text = "Sender" if sender else "Receiver"
    ElementTree.SubElement(error, "Code").text = code
    ElementTree.SubElement(error, "Message").text = message
    ElementTree.SubElement(root, "RequestId").text = str(uuid.uuid4())
    return xml_response(root, status)


def sqs_error(status: int, code: str, message: str, json_type: str | None = None) -> Response:
    """SQS speaks JSON 1.0 but keeps its query-era codes in ``x-amzn-query-error``, which botocore reports.
    ``json_type`` is the JSON ``__type`` (default: the authorisation layer's ``com.amazon.coral.service#...``)."""
    type_name = json_type or f"com.amazon.coral.service#{code}Exception"
    body = json.dumps({"__type": type_name, "message": message}).encode()
    return _response(status, "application/x-amz-json-1.0", body, {"x-amzn-query-error": f"{code};Sender"})


def json_error(status: int, code: str, message: str) -> Response:
    """A JSON 1.1 error (EventBridge)."""
    body = json.dumps({"__type": code, "message": message}).encode()
    return _response(status, "application/x-amz-json-1.1", body)


def s3_error(status: int, code: str, message: str, with_body: bool = True) -> Response:
    """S3's ``<Error>`` body; HEAD answers carry none, so botocore can only report the status as the code."""
    if not with_body:
        return _response(status, None, b"")
    root = ElementTree.Element("Error")
    ElementTree.SubElement(root, "Code").text = code
    ElementTree.SubElement(root, "Message").text = message
    ElementTree.SubElement(root, "RequestId").text = uuid.uuid4().hex[:16].upper()
    ElementTree.SubElement(root, "HostId").text = uuid.uuid4().hex
    return _response(status, "application/xml", xml_bytes(root))
