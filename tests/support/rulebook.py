"""ansible-rulebook with the collection's drift-repair rulebook, against the emulator: shared by the end-to-end test
(tests/eda, `nox -s eda`) and `benchmarks/run.py repair`, so both measure the same set-up.

- ``identity``: a new IAM user of the emulator and its access key; the ARN is the actor of its CloudTrail events.
- ``start``: ansible-rulebook (of an environment with ansible-rulebook, ansible-core and botocore: .venv-eda) running
  ``cloudops.aws_lambda.repair_event_invoke_config`` from a collections path, as the repairing identity, in a clean
  environment (no AWS_* or ANSIBLE_* of the machine); returns once the event source reads the queue.
- ``stop``: by its PID, SIGINT (ansible-rulebook's own shutdown), SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import boto3
import yaml

RULEBOOK = "cloudops.aws_lambda.repair_event_invoke_config"
READY = "reading Lambda config changes from"  # the event source's first log line
WINDOW = 3  # seconds: the shipped rulebook's throttle (once_after)


def identity(iam: Any, endpoint: str, region: str, user: str) -> tuple[dict[str, str], str]:
    """A new IAM user's access key (boto3 keyword arguments) and the ARN STS, so CloudTrail, gives it."""
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    credentials = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    sts = boto3.client("sts", region_name=region, endpoint_url=endpoint, **credentials)
    return credentials, str(sts.get_caller_identity()["Arn"])


@dataclass
class Rulebook:
    process: subprocess.Popen[str]
    directory: Path
    output: list[str] = field(default_factory=list)

    def tail(self, lines: int = 80) -> str:
        return "".join(self.output[-lines:])

    def stop(self, grace: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(grace)
        (self.directory / "rulebook.log").write_text("".join(self.output))


def start(
    directory: Path,
    eda_venv: Path,
    collections: str,
    endpoint: str,
    region: str,
    credentials: dict[str, str],
    rulebook_vars: dict[str, Any],
    timeout: float = 60.0,
) -> Rulebook:
    """ansible-rulebook with the shipped rulebook, reading the queue as soon as this returns; ``directory`` gets its
    inventory, variables and, once stopped, its output (rulebook.log)."""
    localhost = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
    (directory / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": localhost}}}))
    (directory / "vars.yml").write_text(yaml.safe_dump(rulebook_vars))
    (directory / "empty").write_text("")
    env = {
        "PATH": f"{eda_venv / 'bin'}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(directory)),
        "LANG": "C.UTF-8",
        "ANSIBLE_COLLECTIONS_PATH": collections,
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "0",
        "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
        "AWS_REGION": region,
        "AWS_URL": endpoint,  # the endpoint_url of the source and of the modules
        "AWS_CONFIG_FILE": str(directory / "empty"),
        "AWS_SHARED_CREDENTIALS_FILE": str(directory / "empty"),
    }
    if os.environ.get("JAVA_HOME"):  # else the rules engine finds java on PATH
        env["JAVA_HOME"] = os.environ["JAVA_HOME"]
    command = [str(eda_venv / "bin" / "ansible-rulebook"), "--rulebook", RULEBOOK, "--verbose"]
    command += ["--inventory", str(directory / "inventory.yml"), "--vars", str(directory / "vars.yml")]
    pipes: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True, "errors": "replace"}
    process = subprocess.Popen(command, cwd=directory, env=env, stdin=subprocess.DEVNULL, **pipes)
    running = Rulebook(process, directory)
    # list.extend appends line by line as they come, so the output can be read while it grows
    threading.Thread(target=lambda: running.output.extend(process.stdout or ()), daemon=True).start()
    deadline = time.monotonic() + timeout
    while not any(READY in line for line in running.output):
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            raise RuntimeError(f"ansible-rulebook did not start reading the queue:\n{running.tail()}")
        time.sleep(0.1)
    return running
