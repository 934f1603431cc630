"""Build .venv (`python3 tools/bootstrap.py`; or `... dev floor importer`) from constraints.txt, when its Python, the
pins, its requirements or this file changed. Standard library only, so any python3 runs it."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# name: (directory, lowest Python, first Python too new or None, requirements file in tools/requirements)
ENVIRONMENTS = {
    "dev": (".venv", (3, 12), None, "dev.txt"),  # ansible-core 2.21 needs Python >= 3.12
    "floor": (".venv-min", (3, 11), (3, 12), "floor.txt"),  # the oldest ansible-core we support, 2.17
    "importer": (".venv-importer", (3, 12), None, "importer.txt"),  # galaxy-importer pins its own attrs and flake8
    "eda": (".venv-eda", (3, 12), None, "eda.txt"),  # ansible-rulebook (and Java 17) for the eda session
}


@functools.cache
def pythons() -> dict[tuple[int, int], str]:
    """Each working Python version and its real executable (pyenv's own, where its shim fails: not selected)."""
    pyenv = os.path.expanduser(os.environ.get("PYENV_ROOT", "~/.pyenv"))
    found = sorted(map(str, Path(pyenv).glob("versions/3.*/bin/python3.*")))
    found += [p for n in ("python3.14", "python3.13", "python3.12", "python3.11", "python3") if (p := shutil.which(n))]
    probe = "import os, sys, venv, ensurepip; print(*sys.version_info[:2], os.path.realpath(sys.executable))"
    versions: dict[tuple[int, int], str] = {}
    for python in dict.fromkeys(p for p in found if not p.endswith(("-config", "m", ".py"))):
        try:
            out = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30, check=True).stdout
            major, minor, executable = out.split()
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
        versions.setdefault((int(major), int(minor)), executable)
    return versions


def ensure(name: str) -> Path:
    """The environment, built first if needed with the oldest fitting Python (the one the pins were proven on)."""
    directory, low, high, requirements = ENVIRONMENTS[name]
    fitting = sorted(version for version in pythons() if low <= version and (high is None or version < high))
    if not fitting:
        wanted = f">= {low[0]}.{low[1]}" + (f" and < {high[0]}.{high[1]}" if high else "")
        sys.exit(f"bootstrap: {directory} needs a Python {wanted}; none works in pyenv's versions/ or on PATH")
    python, venv = pythons()[fitting[0]], ROOT / directory
    requirements_file = ROOT / "tools" / "requirements" / requirements
    inputs = [python.encode(), (ROOT / "constraints.txt").read_bytes(), requirements_file.read_bytes()]
    stamp, stamp_file = hashlib.sha256(b"\0".join([*inputs, Path(__file__).read_bytes()])).hexdigest(), venv / ".stamp"
    if not stamp_file.exists() or stamp_file.read_text() != stamp:
        print(f"bootstrap: creating {directory} with {python}", flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", venv], check=True)
        pip = [venv / "bin/python", "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
        subprocess.run([*pip, "-c", ROOT / "constraints.txt", "-r", requirements_file], check=True)
        stamp_file.write_text(stamp)
    return venv


if __name__ == "__main__":
    for environment in sys.argv[1:] or ["dev"]:
        ensure(environment)
