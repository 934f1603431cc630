"""make demo: start the local AWS emulator, create a sample function, run the demo playbook, stop the emulator.

The playbook (tools/demo/playbook.yml) is the modules' showcase: create, the idempotent re-run, a change with
--diff, check mode (and what it knows AWS would refuse), the info module, delete, then a region's configs as one
desired state, with the API calls each task made (read from the emulator's log).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
COLLECTIONS = BUILD / "demo-collections"  # ansible_collections/cloudops/aws_lambda -> the checkout
STATE = BUILD / "demo-emulator"
VENV_BIN = ROOT / ".venv" / "bin"
CTL = "ansible_collections.cloudops.aws_lambda.tests.emulator.ctl"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo-secret", "AWS_REGION": "us-east-1"}
# The user's own AWS settings stay out: an exported AWS_PROFILE would meet the demo's keys (the modules refuse a
# profile with keys), and ~/.aws's files could add a region or credentials the emulator has nothing to do with.
NO_USER_AWS = {
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def link_collection() -> None:
    link = COLLECTIONS / "ansible_collections" / "cloudops" / "aws_lambda"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(ROOT, target_is_directory=True)


def main() -> int:
    link_collection()
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "BOTO"))},
        **NO_USER_AWS,
        **CREDENTIALS,
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "PYTHONPATH": str(COLLECTIONS),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
    }
    python = str(VENV_BIN / "python")
    subprocess.run([python, "-m", CTL, "start", "--state-dir", str(STATE)], env=env, check=True)
    try:
        endpoint = (STATE / "endpoint").read_text().strip()
        fixtures = ROOT / "tests" / "support" / "world.py"
        created = subprocess.run(
            [python, str(fixtures), "create", "--prefix", "demo", "--endpoint-url", endpoint, "--functions", "3"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(
            f"Emulator at {endpoint}; created 3 functions (version 1, alias live), a queue, a topic, a bus, a bucket."
        )
        playbook = ROOT / "tools" / "demo" / "playbook.yml"
        extra = json.dumps({"endpoint_url": endpoint, "fixtures": json.loads(created)})
        return subprocess.run(["ansible-playbook", str(playbook), "-e", extra], env=env, check=False).returncode
    finally:
        subprocess.run([python, "-m", CTL, "stop", "--state-dir", str(STATE)], env=env, check=False)


if __name__ == "__main__":
    sys.exit(main())
