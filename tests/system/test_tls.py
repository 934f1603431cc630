"""An endpoint with a certificate from a CA nobody trusts (issue 5): refused by default with a message that says
what to do; trusted with aws_ca_bundle (or AWS_CA_BUNDLE); accepted unverified with validate_certs=false, which
the module warns about once."""

from __future__ import annotations

import socketserver
import ssl
import threading
from pathlib import Path

import pytest
from conftest import GET
from conftest import INFO_MODULE
from conftest import LIST
from conftest import MODULE
from conftest import PUT
from conftest import LoopbackServer


class CountingTlsListener(LoopbackServer):
    """Serves TLS with the emulator's certificate, counts the handshakes, and answers nothing else.

    A client that does not trust the certificate cannot tell it from the emulator: it gives up during the handshake,
    so each connection is one attempt. (The emulator cannot count these: no HTTP request ever reaches it.)
    """

    def __init__(self, tls_dir: Path) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_dir / "cert.pem", tls_dir / "key.pem")
        self.handshakes = 0
        lock = threading.Lock()
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with lock:
                    listener.handshakes += 1
                try:
                    with context.wrap_socket(self.request, server_side=True):
                        pass
                except (ssl.SSLError, OSError):
                    pass  # the client refused the certificate: what this listener is for

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        super().__init__(server, "tls-listener")

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self.port}"


@pytest.mark.parametrize(
    "module, args", [(MODULE, "maximum_retry_attempts=0"), (INFO_MODULE, "")], ids=["module", "info"]
)
def test_untrusted_certificate_fails_with_a_clear_message(tls_ansible, tls_emulator, module, args):
    name = tls_emulator.function()["name"]

    # One attempt keeps this test quick; how many attempts a certificate failure gets is the next test's subject.
    outcome = tls_ansible.adhoc(f"function_name={name} {args} max_attempts=1", module=module)

    assert outcome.rc != 0, outcome.transcript
    assert outcome.status == "FAILED", outcome.transcript
    message = outcome.result["msg"]
    assert "certificate" in message and "aws_ca_bundle" in message and "validate_certs" in message, message
    assert tls_emulator.requests() == []  # no request got through the handshake


def test_untrusted_certificate_is_not_retried(tls_ansible, tls_emulator):
    """A certificate that failed verification fails again: retrying only delays the message (by ~15 s with the
    default max_attempts of 10, as botocore backs off before each new connection)."""
    name = tls_emulator.function()["name"]

    with CountingTlsListener(Path(tls_emulator.ca_bundle).parent) as listener:
        outcome = tls_ansible.adhoc(
            f"function_name={name} maximum_retry_attempts=0", env={"AWS_URL": listener.endpoint}
        )

    assert outcome.status == "FAILED", outcome.transcript
    assert "certificate" in outcome.result["msg"], outcome.transcript
    assert listener.handshakes == 1


def test_aws_ca_bundle_trusts_the_endpoint(tls_ansible, tls_emulator):
    name = tls_emulator.function()["name"]

    outcome = tls_ansible.adhoc(f"function_name={name} maximum_retry_attempts=0 aws_ca_bundle={tls_emulator.ca_bundle}")

    assert outcome.status == "CHANGED", outcome.transcript
    assert tls_emulator.lambda_calls() == [GET, PUT]
    assert "WARNING" not in outcome.stderr, outcome.transcript


def test_aws_ca_bundle_variable_trusts_the_endpoint(tls_ansible, tls_emulator):
    name = tls_emulator.function()["name"]
    tls_emulator.put_config(name, MaximumRetryAttempts=1)
    tls_emulator.clear_requests()

    outcome = tls_ansible.adhoc(
        f"function_name={name}", module=INFO_MODULE, env={"AWS_CA_BUNDLE": tls_emulator.ca_bundle}
    )

    assert outcome.status == "SUCCESS", outcome.transcript
    assert [config["maximum_retry_attempts"] for config in outcome.result["event_invoke_configs"]] == [1]
    assert tls_emulator.lambda_calls() == [LIST]


@pytest.mark.parametrize(
    "module, args, status",
    [(MODULE, "maximum_retry_attempts=0", "CHANGED"), (INFO_MODULE, "", "SUCCESS")],
    ids=["module", "info"],
)
def test_validate_certs_false_passes_with_one_warning(tls_ansible, tls_emulator, module, args, status):
    """Every module warns the same way: the info module used to pass silently."""
    name = tls_emulator.function()["name"]

    outcome = tls_ansible.adhoc(f"function_name={name} {args} validate_certs=false", module=module)

    assert outcome.status == status, outcome.transcript
    warnings = [line for line in outcome.stderr.splitlines() if line.startswith("[WARNING]")]
    assert warnings == ["[WARNING]: validate_certs is false: the endpoint's TLS certificate was not verified."]
    assert "Unverified HTTPS request" not in outcome.output  # not urllib3's warning for every request
