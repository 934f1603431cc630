"""An AWX job as ansible-runner sees it: a private data dir, environment variables, one `ansible_runner.run`.

For every job, AWX writes a private data dir and hands it to ansible-runner (awx/main/tasks/jobs.py):

    project/            the project's checkout; the playbook is given relative to it
    inventory/hosts     an executable script that prints the job's inventory as JSON; for slice k of a job
                        sliced N ways, only hosts[k-1::N] of the inventory's hosts in name order
    env/extravars       the job template's extra variables (YAML)

and passes the rest as arguments of the run: the credentials' environment variables as `envvars`, the job template's
forks on the command line (`cmdline`), and `suppress_env_files`, so that runner writes no environment (no secret)
into the private data dir. Each slice of a sliced job is a job of its own, with a private data dir of its own.

`prepare` writes such a directory. Run as a script (`python awx_job.py`, the run's arguments as JSON on stdin), this
file runs one job with `ansible_runner.run` and prints `{"status", "rc", "stats"}` as JSON: a process of its own per
job, so that each job gets exactly the environment the test gives it (runner, out of a container, starts from its own
process's environment, as the execution environment would). `events` reads what the job's callback recorded.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
from pathlib import Path
from typing import Any


def slice_hosts(hosts: list[str], number: int, count: int) -> list[str]:
    """The hosts of slice `number` (from 1) of `count`: AWX's hosts[number-1::count] of the hosts in name order."""
    return sorted(hosts)[number - 1 :: count]


def script_data(inventory: dict[str, Any], hosts: list[str]) -> dict[str, Any]:
    """A YAML inventory of groups with `hosts` and `vars` (no nested groups), cut down to `hosts`, in the JSON shape
    AWX's inventory script prints."""
    data: dict[str, Any] = {"all": {"children": []}, "_meta": {"hostvars": {}}}
    for group, content in inventory.items():
        if set(content) - {"hosts", "vars"}:
            raise ValueError(f"group {group}: only hosts and vars are supported here, not {sorted(content)}")
        members = {name: hostvars for name, hostvars in (content.get("hosts") or {}).items() if name in hosts}
        data[group] = {"hosts": sorted(members), "vars": content.get("vars") or {}}
        data["all"]["children"].append(group)
        for name, hostvars in members.items():
            data["_meta"]["hostvars"][name] = hostvars or {}
    return data


def prepare(directory: Path, project: list[Path], inventory: dict[str, Any], extravars: dict[str, Any]) -> Path:
    """Write a private data dir as AWX does: project files, the inventory script, env/extravars."""
    (directory / "project").mkdir(parents=True)
    for source in project:
        shutil.copy(source, directory / "project" / source.name)
    script = directory / "inventory" / "hosts"
    script.parent.mkdir()
    # AWX's script starts with `#! /usr/bin/env python3`; the Python running the tests is as good and surely there.
    script.write_text(f"#!{sys.executable}\nprint({json.dumps(inventory)!r})\n")
    script.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IXUSR)
    (directory / "env").mkdir()
    (directory / "env" / "extravars").write_text(json.dumps(extravars))  # JSON is YAML; AWX writes it with safe_dump
    return directory


def run_arguments(directory: Path, playbook: str, envvars: dict[str, str], forks: int, ident: str) -> dict[str, Any]:
    """The keyword arguments of `ansible_runner.run` for a job prepared in `directory`."""
    return {
        "private_data_dir": str(directory),
        "ident": ident,
        "playbook": playbook,
        "inventory": str(directory / "inventory" / "hosts"),
        "envvars": envvars,
        "cmdline": f"--forks={forks}",
        "suppress_env_files": True,
        "quiet": True,
    }


def events(directory: Path, ident: str) -> list[dict[str, Any]]:
    """The job's events (runner's artifacts/<ident>/job_events), in the order the callback emitted them."""
    found = [json.loads(path.read_text()) for path in (directory / "artifacts" / ident / "job_events").glob("*.json")]
    return sorted(found, key=lambda event: event["counter"])


def main() -> int:
    import ansible_runner

    arguments = json.load(sys.stdin)
    runner = ansible_runner.run(**arguments)
    print(json.dumps({"status": runner.status, "rc": runner.rc, "stats": runner.stats}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
