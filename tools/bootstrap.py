"""Create the project's virtual environments, with every version from constraints.txt.

Standard library only, so any python3 can run it. ansible-core 2.20+ needs Python >= 3.12; on machines where
pyenv's `python3.12` shim fails (3.12 installed but not selected) we call pyenv's real binaries directly.
An environment is rebuilt only when its interpreter, constraints.txt or its requirements file changed.

    python3 tools/bootstrap.py             # .venv (Python >= 3.12): the demo, the tools, the tests
    python3 tools/bootstrap.py --all       # also .venv-min (oldest ansible-core) and .venv-importer

tools/suite.py builds the other two only for the steps that use them.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"

# name: (directory, lowest Python, first Python too new or None, requirements file)
ENVIRONMENTS = {
    "dev": (".venv", (3, 12), None, "dev.txt"),
    "floor": (".venv-min", (3, 11), (3, 12), "floor.txt"),
    "importer": (".venv-importer", (3, 12), None, "importer.txt"),
}


def candidates() -> list[str]:
    """Every python3.X binary we can find: pyenv's real ones first (its shims may fail), then PATH."""
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found = sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3.[0-9]*")), reverse=True)
    for name in ("python3.14", "python3.13", "python3.12", "python3.11", "python3"):
        found.extend(p for p in (shutil.which(name), f"/usr/bin/{name}", f"/usr/local/bin/{name}") if p)
    return [p for p in dict.fromkeys(found) if not p.endswith(("-config", "m", ".py")) and os.access(p, os.X_OK)]


def identify(python: str) -> tuple[tuple[int, int], str] | None:
    """(version, real executable) if the interpreter runs and can make a venv; a failing shim gives None.

    The real executable is the interpreter's own word (a working pyenv shim execs the real binary), so the same
    Python is recognised however it was found, and the environment's stamp does not change with the PATH.
    """
    probe = "import os, sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2], os.path.realpath(sys.executable))"
    try:
        out = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    version, executable = out.split()
    major, minor = version.split(".")
    return (int(major), int(minor)), executable


def version_of(python: str) -> tuple[int, int] | None:
    found = identify(python)
    return found[0] if found else None


def find_python(low: tuple[int, int], high: tuple[int, int] | None) -> str:
    """The oldest Python in range: the one the pinned toolchain was proven on (3.12 for ansible-core 2.21)."""
    fitting = set()
    for python in candidates():
        found = identify(python)
        if found and found[0] >= low and (high is None or found[0] < high):
            fitting.add(found)
    if fitting:
        return min(fitting)[1]
    wanted = f">= {low[0]}.{low[1]}" + (f" and < {high[0]}.{high[1]}" if high else "")
    sys.exit(
        f"bootstrap: no working Python {wanted} found (looked at pyenv's versions/*/bin and PATH).\n"
        f"Install one, for example `pyenv install {low[0]}.{low[1]}`, then run this again."
    )


def _stamp(name: str) -> tuple[str, str]:
    """(interpreter, stamp): what the environment is built from; a different stamp means a rebuild."""
    low, high, requirements = ENVIRONMENTS[name][1:]
    python = find_python(low, high)
    requirements_file = ROOT / "tools" / "requirements" / requirements
    stamp = hashlib.sha256(
        python.encode() + CONSTRAINTS.read_bytes() + requirements_file.read_bytes() + Path(__file__).read_bytes()
    ).hexdigest()
    return python, stamp


def is_current(name: str) -> bool:
    """Whether the environment exists and was built from what its stamp covers now (nothing is built)."""
    stamp_file = ROOT / ENVIRONMENTS[name][0] / ".bootstrap-stamp"
    return stamp_file.exists() and stamp_file.read_text() == _stamp(name)[1]


def ensure(name: str) -> Path:
    directory, requirements = ENVIRONMENTS[name][0], ENVIRONMENTS[name][3]
    venv = ROOT / directory
    requirements_file = ROOT / "tools" / "requirements" / requirements
    python, stamp = _stamp(name)
    stamp_file = venv / ".bootstrap-stamp"
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return venv
    print(f"bootstrap: creating {directory} with {python}", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--quiet"]
    subprocess.run([*pip, "-c", str(CONSTRAINTS), "-r", str(requirements_file)], check=True, env=env)
    stamp_file.write_text(stamp)
    return venv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="also the oldest-ansible-core and galaxy-importer envs")
    args = parser.parse_args()
    for name in ENVIRONMENTS if args.all else ["dev"]:
        ensure(name)


if __name__ == "__main__":
    main()
