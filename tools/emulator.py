"""make emulator / make emulator-stop: the local AWS emulator in the background, to try the collection by hand.

    .venv/bin/python tools/emulator.py start [--port 4566]  # start it on 127.0.0.1, add sample resources, print exports
    .venv/bin/python tools/emulator.py stop                 # stop it by its PID

The exports name the endpoint twice: AWS_URL is the modules' own fallback for endpoint_url (amazon.aws's name), and
AWS_ENDPOINT_URL is botocore's, which boto3/botocore tools and the AWS CLI read as well. The region too: the modules
read AWS_REGION (then AWS_DEFAULT_REGION), boto3 scripts and the AWS CLI only AWS_DEFAULT_REGION.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from demo import BUILD
from demo import COLLECTIONS
from demo import link_collection

ROOT = Path(__file__).resolve().parent.parent
STATE = BUILD / "local-emulator"  # not build/emulator: the suite's emulator uses that one when it runs here
FIXTURES = ROOT / "tests" / "support" / "world.py"
PREFIX = "local"
REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}


def load_ctl() -> ModuleType:
    """The emulator's start/stop by PID, imported through build/demo-collections (the checkout as the collection)."""
    link_collection()
    sys.path.insert(0, str(COLLECTIONS))
    return importlib.import_module("ansible_collections.cloudops.aws_lambda.tests.emulator.ctl")


def exports(endpoint: str) -> list[str]:
    variables = {**CREDENTIALS, "AWS_URL": endpoint, "AWS_ENDPOINT_URL": endpoint}
    return [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]


def running_endpoint(ctl: ModuleType) -> str | None:
    """The endpoint of the emulator this script started, if it is still running."""
    pid_file, endpoint_file = STATE / "pid", STATE / "endpoint"
    if pid_file.exists() and endpoint_file.exists() and ctl.is_running(int(pid_file.read_text())):
        return endpoint_file.read_text().strip()
    return None


def create_fixtures(endpoint: str) -> str:
    """A role, a function with version 1 and alias live, a queue, a topic, a bus and a bucket (about a second)."""
    command = [sys.executable, FIXTURES, "create", "--prefix", PREFIX, "--endpoint-url", endpoint]
    created = json.loads(
        subprocess.run(
            [*command, "--region", REGION],
            env={**os.environ, **CREDENTIALS},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    return "\n".join(
        [
            f"  function {created['functions'][0]['name']} (version 1, alias live)",
            f"  queue    {created['queue']['arn']}",
            f"  topic    {created['topic']['arn']}",
            f"  bus      {created['event_bus']['arn']}",
            f"  bucket   {created['bucket']['arn']}",
        ]
    )


def start(ctl: ModuleType, port: int) -> int:
    endpoint = running_endpoint(ctl)
    if endpoint:
        print(f"The emulator is already running at {endpoint} (make emulator-stop stops it).")
    else:
        try:
            endpoint = ctl.start(STATE, port=port).endpoint
        except RuntimeError as error:
            print(f"emulator: {error}. Is port {port} taken? Try: make emulator EMULATOR_PORT=4567", file=sys.stderr)
            return 1
        print(f"The AWS emulator is running at {endpoint} (log: {STATE / 'server.log'}), with:")
        print(create_fixtures(endpoint))
    # The file carries everything the printed lines do: sourcing it must be enough to run the README's commands.
    lines = [*exports(endpoint), f"export ANSIBLE_COLLECTIONS_PATH={shlex.quote(str(COLLECTIONS))}"]
    (STATE / "env").write_text("\n".join(lines) + "\n")
    print("\nTo use it from a shell (or: . build/local-emulator/env):\n")
    print("\n".join(lines[:-1]))
    print(f"{lines[-1]}  # this checkout as the collection")
    print("\nmake emulator-stop stops it.")
    return 0


def stop(ctl: ModuleType) -> int:
    print("Stopped the emulator." if ctl.stop(STATE) else "No emulator of make emulator was running.")
    (STATE / "env").unlink(missing_ok=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    start_command = commands.add_parser("start", help="start the emulator in the background and print the exports")
    start_command.add_argument("--port", type=int, default=4566, help="port on 127.0.0.1 (default: 4566)")
    commands.add_parser("stop", help="stop the emulator by its PID")
    args = parser.parse_args()
    ctl = load_ctl()
    return start(ctl, args.port) if args.command == "start" else stop(ctl)


if __name__ == "__main__":
    sys.exit(main())
