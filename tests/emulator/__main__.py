"""Run the emulator as a server process (foreground). See ``ctl.py`` to run it in the background by PID.

    PYTHONPATH=<dir containing ansible_collections> \\
        python -m ansible_collections.cloudops.aws_lambda.tests.emulator --port 0 --port-file F --pid-file P \\
        [--throttle-rps 15 --throttle-rate R --conflict-rate R --error-rate R --latency-ms MS \\
         --propagation-failures N --permission-propagation-failures N --denied-actions A,B --seed S] \\
        [--cloudtrail-queue NAME] [--tls-cert C --tls-key K | --tls-self-signed DIR] [--verbose]

Binds 127.0.0.1 only. Once it accepts connections it writes the port file and prints ``endpoint=URL`` (and
``ca_bundle=PATH`` with ``--tls-self-signed``). SIGTERM or SIGINT stops it cleanly and removes the port and pid
files.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from .cli_args import add_fault_arguments
from .cli_args import fault_settings
from .faults import validate_update


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ansible_collections.cloudops.aws_lambda.tests.emulator")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--port-file", type=Path, help="write the port here once the server accepts connections")
    parser.add_argument("--pid-file", type=Path, help="write this process's PID here")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key for --tls-cert (PEM)")
    parser.add_argument("--tls-self-signed", type=Path, metavar="DIR", help="make ca.pem/cert.pem/key.pem in DIR")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    add_fault_arguments(parser)
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_cert and args.tls_self_signed:
        parser.error("use either --tls-cert/--tls-key or --tls-self-signed")
    return args


def _write_atomically(path: Path, text: str) -> None:
    # Readers poll for the file; a rename means they never see it half written.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = fault_settings(args)
    try:
        validate_update(settings.to_dict())
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    # Imported only now: moto takes a while to import, and bad flags should fail fast.
    from .app import EmulatorApp
    from .server import LOOPBACK
    from .server import build_server
    from .tls import self_signed

    ssl_context = None
    ca_bundle = None
    if args.tls_self_signed:
        files = self_signed(args.tls_self_signed)
        ssl_context, ca_bundle = (str(files.cert), str(files.key)), files.ca
    elif args.tls_cert:
        ssl_context = (args.tls_cert, args.tls_key)

    server = build_server(
        EmulatorApp(settings, cloudtrail_queue=args.cloudtrail_queue), args.port, ssl_context, args.verbose
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="aws-emulator", daemon=True)
    thread.start()
    if args.pid_file:
        _write_atomically(args.pid_file, f"{os.getpid()}\n")
    if args.port_file:
        _write_atomically(args.port_file, f"{server.server_port}\n")
    scheme = "https" if ssl_context else "http"
    print(f"endpoint={scheme}://{LOOPBACK}:{server.server_port}", flush=True)
    if ca_bundle:
        print(f"ca_bundle={ca_bundle}", flush=True)

    while not stop.wait(0.1):
        pass
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    for path in (args.port_file, args.pid_file):
        if path:
            path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
