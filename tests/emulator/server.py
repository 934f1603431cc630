"""Serving the emulator: an in-process ``Emulator`` for unit tests, and the pieces the server process uses."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server

from .app import EmulatorApp
from .faults import FaultSettings

LOOPBACK = "127.0.0.1"
# Dummy credentials for clients of the emulator; moto accepts any key and maps unknown ones to 123456789012.
TEST_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEFAULT_REGION = "us-east-1"


def _request_handler(verbose: bool) -> type:
    # moto's handler keeps header spellings that contain "_" (S3 metadata); we only add quiet logging.
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class Handler(MotoRequestHandler):
        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            if verbose:
                super().log_request(code, size)

    return Handler


def build_server(
    app: EmulatorApp,
    port: int = 0,
    ssl_context: tuple[str, str] | None = None,
    verbose: bool = False,
) -> BaseWSGIServer:
    """A threaded werkzeug server bound to 127.0.0.1 only (listening as soon as this returns)."""
    return make_server(
        LOOPBACK,
        port,
        app,
        threaded=True,
        request_handler=_request_handler(verbose),
        ssl_context=ssl_context,
    )


class Emulator:
    """The emulator served from a daemon thread of this process.

    Usage::

        with Emulator() as emu:
            client = emu.client("lambda")
            ...
            emu.set_faults(throttle_rate=1.0)
            emu.requests()  # the request log

    moto's backends are process-global, so run one Emulator per process at a time, and do not mix it with
    ``moto.mock_aws`` in the same test (mock_aws resets the same backends).
    """

    def __init__(
        self,
        port: int = 0,
        faults: FaultSettings | None = None,
        ssl_context: tuple[str, str] | None = None,
        verbose: bool = False,
    ) -> None:
        self.app = EmulatorApp(faults)
        self._port = port
        self._ssl_context = ssl_context
        self._verbose = verbose
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> Emulator:
        if self._server is None:
            self._server = build_server(self.app, self._port, self._ssl_context, self._verbose)
            # A short poll interval makes stop() quick.
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.1,), name="aws-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._server = None
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://{LOOPBACK}:{self.port}"

    # --- state and faults (direct, no HTTP round trip) ---

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        """The request log, optionally filtered on entry fields (``operation="GetFunction"``)."""
        return self.app.log.entries(**filters)

    def clear_requests(self) -> None:
        self.app.log.clear()

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Partial update of the fault settings; returns all of them."""
        return self.app.faults.update(settings).to_dict()

    def faults(self) -> dict[str, Any]:
        return self.app.faults.snapshot()

    def reset(self, keep_moto: bool = False) -> None:
        """Forget configs, faults and the request log; and moto's resources too unless ``keep_moto``."""
        self.app.reset(keep_moto=keep_moto)

    # --- convenience ---

    def client(self, service: str, region: str = DEFAULT_REGION, verify: Any = None, **config: Any) -> Any:
        """A boto3 client for this emulator; ``config`` goes to ``botocore.config.Config``."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            verify=verify,
            config=Config(**config) if config else None,
            **TEST_CREDENTIALS,
        )
