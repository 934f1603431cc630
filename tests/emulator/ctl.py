"""Start and stop the emulator server in the background, by PID, for shell scripts and Makefiles.

    python -m ansible_collections.cloudops.aws_lambda.tests.emulator.ctl start --state-dir D [--tls] [fault flags]
    python -m ansible_collections.cloudops.aws_lambda.tests.emulator.ctl stop --state-dir D

``start`` launches the server, waits until ``GET /_emulator/health`` answers, then writes ``D/endpoint`` and ``D/pid``
and prints ``{"endpoint": ..., "pid": ..., "ca_bundle": ...}``. With ``--tls`` the server speaks HTTPS and the CA to
trust (``AWS_CA_BUNDLE``) is ``D/tls/ca.pem``. The server's output goes to ``D/server.log``.
``stop`` sends SIGTERM to the PID in ``D/pid`` (SIGKILL after a grace period) and removes the state files. It
only signals a process whose command line is the emulator's, so a stale PID file cannot kill a stranger.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .cli_args import add_fault_arguments
from .cli_args import fault_argv

SERVER_MODULE = "ansible_collections.cloudops.aws_lambda.tests.emulator"
STATE_FILES = ("endpoint", "pid", "port", "server.pid")


@dataclass(frozen=True)
class Running:
    endpoint: str
    pid: int
    ca_bundle: str | None


def _collections_root() -> str:
    """The directory holding ``ansible_collections``, found without resolving symlinks (the checkout may be one)."""
    here = os.path.abspath(__file__)
    # emulator -> tests -> aws_lambda -> cloudops -> ansible_collections
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(here)))))
    if os.path.basename(root) != "ansible_collections":
        raise RuntimeError(f"{here} is not inside an ansible_collections/cloudops/aws_lambda tree")
    return os.path.dirname(root)


def server_env() -> dict[str, str]:
    """This environment, plus the PYTHONPATH that makes this package importable in a child process."""
    env = dict(os.environ)
    paths = [_collections_root(), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def start(
    state_dir: str | os.PathLike[str],
    extra_args: list[str] | None = None,
    tls: bool = False,
    port: int = 0,
    timeout: float = 30.0,
) -> Running:
    """Launch the server detached from this process and wait until it is healthy."""
    state = Path(state_dir)
    state.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        (state / name).unlink(missing_ok=True)
    argv = [sys.executable, "-m", SERVER_MODULE, "--port", str(port)]
    argv += ["--port-file", str(state / "port"), "--pid-file", str(state / "server.pid")]
    if tls:
        argv += ["--tls-self-signed", str(state / "tls")]
    argv += extra_args or []
    with open(state / "server.log", "ab") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=server_env(), start_new_session=True
        )
    (state / "pid").write_text(f"{process.pid}\n")
    ca_bundle = str(state / "tls" / "ca.pem") if tls else None
    endpoint = _wait_until_healthy(state, process, "https" if tls else "http", ca_bundle, timeout)
    (state / "endpoint").write_text(endpoint + "\n")
    return Running(endpoint, process.pid, ca_bundle)


def _wait_until_healthy(
    state: Path, process: subprocess.Popen[bytes], scheme: str, ca_bundle: str | None, timeout: float
) -> str:
    deadline = time.monotonic() + timeout
    port_file = state / "port"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited with {process.returncode}; see {state / 'server.log'}")
        if port_file.exists():
            endpoint = f"{scheme}://127.0.0.1:{port_file.read_text().strip()}"
            if _healthy(endpoint, ca_bundle):
                return endpoint
        time.sleep(0.1)
    _terminate(process.pid)
    raise RuntimeError(f"emulator not healthy after {timeout}s; see {state / 'server.log'}")


def _healthy(endpoint: str, ca_bundle: str | None) -> bool:
    context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None
    try:
        with urllib.request.urlopen(f"{endpoint}/_emulator/health", timeout=2, context=context) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def stop(state_dir: str | os.PathLike[str], timeout: float = 10.0) -> bool:
    """Stop the server recorded in ``state_dir``; False if none was running."""
    state = Path(state_dir)
    pid_file = state / "pid"
    stopped = False
    if pid_file.exists():
        pid = int(pid_file.read_text().strip())
        stopped = _is_emulator(pid) and _terminate(pid, timeout)
    for name in STATE_FILES:
        (state / name).unlink(missing_ok=True)
    return stopped


def _is_emulator(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): fall back to "the process exists"
        return is_running(pid)
    return SERVER_MODULE.encode() in cmdline


def is_running(pid: int) -> bool:
    """Whether the process exists and has not exited (a zombie counts as gone)."""
    try:
        # Reap it if it is our own child, so a zombie does not count as alive.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that exited but whose parent (often init, after ``start`` returned) has not reaped it yet."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


def _terminate(pid: int, timeout: float = 10.0) -> bool:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid):
            return True
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {SERVER_MODULE}.ctl")
    commands = parser.add_subparsers(dest="command", required=True)
    start_cmd = commands.add_parser("start", help="start the server in the background")
    start_cmd.add_argument("--state-dir", required=True, type=Path)
    start_cmd.add_argument("--port", type=int, default=0)
    start_cmd.add_argument("--tls", action="store_true", help="HTTPS with a self-signed CA in STATE_DIR/tls")
    start_cmd.add_argument("--timeout", type=float, default=30.0)
    add_fault_arguments(start_cmd)
    stop_cmd = commands.add_parser("stop", help="stop the server started with this state dir")
    stop_cmd.add_argument("--state-dir", required=True, type=Path)
    args = parser.parse_args(argv)

    if args.command == "start":
        running = start(args.state_dir, fault_argv(args), tls=args.tls, port=args.port, timeout=args.timeout)
        print(json.dumps({"endpoint": running.endpoint, "pid": running.pid, "ca_bundle": running.ca_bundle}))
        return 0
    print(json.dumps({"stopped": stop(args.state_dir)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
