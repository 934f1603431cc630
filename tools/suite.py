"""The whole test suite, as `make test` and CI run it. Fails on any failure, and on any silent skip.

Every step runs even when an earlier one failed, so one run shows everything that is wrong. Steps that need
AWS talk to the local emulator (tests/emulator), which this script starts on 127.0.0.1 and stops by its PID.

    .venv/bin/python tools/suite.py              # every step
    .venv/bin/python tools/suite.py units sanity # only these steps
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from bootstrap import ENVIRONMENTS
from bootstrap import ensure

NAMESPACE, NAME = "cloudops", "aws_lambda"
FQCN = f"{NAMESPACE}.{NAME}"
BUILD = Path(os.environ.get("SUITE_BUILD_DIR", ROOT / "build"))
COLLECTIONS = BUILD / "collections"  # holds ansible_collections/<ns>/<name>: ansible-test wants a real copy
LAYOUT = COLLECTIONS / "ansible_collections" / NAMESPACE / NAME
INSTALLED = BUILD / "installed"  # the built tarball, installed the way users install it
DIST = BUILD / "dist"
EMULATOR_STATE = BUILD / "emulator"
VENV = ROOT / ENVIRONMENTS["dev"][0]
FLOOR_VENV = ROOT / ENVIRONMENTS["floor"][0]
IMPORTER_VENV = ROOT / ENVIRONMENTS["importer"][0]
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret", "AWS_REGION": "us-east-1"}


def run(*command: str | Path, cwd: Path = ROOT, env: dict | None = None, log: Path | None = None) -> int:
    """Run a command with its output shown (and kept in `log` when given); return its exit status."""
    print("$ " + " ".join(str(c) for c in command), flush=True)
    full_env = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        [str(c) for c in command], cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        lines.append(line)
    sys.stdout.flush()
    status = process.wait()
    if log is not None:
        log.write_text("".join(lines))
    return status


def tool(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def tool_env(venv: Path) -> dict:
    """PATH with the venv first and the real python3.X binaries of every installed Python (for sanity)."""
    return {
        "PATH": f"{venv / 'bin'}:{BUILD / 'pybin'}:{os.environ['PATH']}",
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "PYTHONPATH": str(COLLECTIONS),
        "ANSIBLE_NOCOLOR": "1",
        "PY_COLORS": "0",
    }


# ---------------------------------------------------------------------------------------------- setup


def make_layout() -> None:
    """Copy what git would commit (tracked and new, not ignored) into ansible_collections/cloudops/aws_lambda."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    shutil.rmtree(LAYOUT, ignore_errors=True)
    for raw in filter(None, files):
        source = ROOT / raw.decode()
        if source.is_file():
            target = LAYOUT / raw.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    # ansible-test lists files through git; without a repository of its own the layout (under our ignored build/)
    # would be seen through ours, where it is ignored, and every test would be skipped.
    subprocess.run(["git", "init", "-q"], cwd=LAYOUT, check=True)
    subprocess.run(["git", "add", "-A"], cwd=LAYOUT, check=True)


def seed_get_pip(venv: Path) -> None:
    """ansible-test downloads get-pip from a host this machine cannot reach; give it an offline stand-in."""
    python = tool(venv, "python")
    source = subprocess.run(
        [
            python,
            "-c",
            "import pathlib, ansible_test; print((pathlib.Path(ansible_test.__file__).parent / "
            "'_internal/python_requirements.py').read_text())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    version = re.search(r"pip='([0-9.]+)'", source).group(1)
    cache = Path.home() / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / f"get_pip_{version.replace('.', '_')}.py").write_text(
        "import glob, os, sys, ensurepip\n"
        "args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]\n"
        "sys.path.insert(0, glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl'))[0])\n"
        "from pip._internal.cli.main import main\n"
        "sys.exit(main(['install', '--upgrade', '--force-reinstall'] + args))\n"
    )


def link_pythons() -> None:
    """ansible-test strips PYENV_VERSION, so pyenv shims fail under it: expose the real binaries instead."""
    from bootstrap import candidates
    from bootstrap import version_of

    pybin = BUILD / "pybin"
    shutil.rmtree(pybin, ignore_errors=True)
    pybin.mkdir(parents=True)
    for python in candidates():
        version = version_of(python)
        link = pybin / f"python{version[0]}.{version[1]}" if version else None
        if link and not link.exists():
            link.symlink_to(python)


class Emulator:
    """The emulator server, started for the run and stopped by its PID."""

    def __init__(self, python: Path, **faults: str) -> None:
        self.python = python
        self.faults = faults
        self.endpoint = ""

    def __enter__(self) -> Emulator:
        shutil.rmtree(EMULATOR_STATE, ignore_errors=True)
        flags = [f"--{key.replace('_', '-')}={value}" for key, value in self.faults.items()]
        command = [self.python, "-m", f"ansible_collections.{FQCN}.tests.emulator.ctl", "start"]
        subprocess.run([*command, "--state-dir", EMULATOR_STATE, *flags], env=tool_env(VENV), check=True)
        self.endpoint = (EMULATOR_STATE / "endpoint").read_text().strip()
        return self

    def __exit__(self, *exc_info: object) -> None:
        command = [self.python, "-m", f"ansible_collections.{FQCN}.tests.emulator.ctl", "stop"]
        subprocess.run([*command, "--state-dir", EMULATOR_STATE], env=tool_env(VENV), check=False)


def write_cloud_config(endpoint: str) -> None:
    """ansible-test passes cloud/aws targets only this file's keys (it strips the environment); without the file
    it skips them and still exits 0, which the integration step checks for."""
    (LAYOUT / "tests" / "integration" / "cloud-config-aws.ini").write_text(
        "[default]\n"
        f"aws_access_key: {CREDENTIALS['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_key: {CREDENTIALS['AWS_SECRET_ACCESS_KEY']}\n"
        "security_token:\n"
        f"aws_region: {CREDENTIALS['AWS_REGION']}\n"
        f"aws_endpoint_url: {endpoint}\n"
        "aws_cleanup: true\n"
    )


# ---------------------------------------------------------------------------------------------- steps


def step_format() -> bool:
    paths = ["plugins", "tests", "tools", "benchmarks"]
    ok = run(tool(VENV, "black"), "--check", "--quiet", "-l", "120", *paths) == 0
    return run(tool(VENV, "ruff"), "check", "--no-cache", *paths) == 0 and ok


def step_sanity() -> bool:
    """ansible-test sanity on every Python this machine has, and no ignore file to hide behind."""
    ignores = list((ROOT / "tests" / "sanity").glob("ignore-*.txt"))
    if ignores:
        print(f"sanity: ignore files are not allowed here: {ignores}")
        return False
    log = BUILD / "sanity.log"
    status = run(
        tool(VENV, "ansible-test"), "sanity", "--local", "--color", "no", cwd=LAYOUT, env=tool_env(VENV), log=log
    )
    if "All targets skipped" in log.read_text():
        print("sanity: ansible-test skipped every target")
        return False
    return status == 0


def step_units(venv: Path = VENV) -> bool:
    workers = ["-n", "2"] if venv == VENV else []
    return run(tool(venv, "python"), "-m", "pytest", *workers, "tests/unit", cwd=LAYOUT, env=tool_env(venv)) == 0


def step_integration(venv: Path = VENV, python: str = "3.12") -> bool:
    """Every integration target must run: ansible-test exits 0 when it skips a target, so we check its log."""
    targets = sorted(
        p.name for p in (ROOT / "tests" / "integration" / "targets").iterdir() if not p.name.startswith("setup_")
    )
    log = BUILD / f"integration-{python}.log"
    with Emulator(tool(VENV, "python")) as emulator:
        write_cloud_config(emulator.endpoint)
        status = run(
            tool(venv, "ansible-test"),
            "integration",
            "--local",
            "--python",
            python,
            "--color",
            "no",
            "-v",
            cwd=LAYOUT,
            env=tool_env(venv),
            log=log,
        )
    text = log.read_text()
    ran = sorted(set(re.findall(r"^Running (\S+) integration test role", text, re.MULTILINE)))
    silent_skip = re.search(r"All targets skipped|Excluding tests marked|WARNING: Excluding", text)
    if silent_skip or ran != targets:
        print(f"integration: expected targets {targets} to run, ran {ran}; a skipped target fails the suite")
        return False
    return status == 0


def step_lint() -> bool:
    return run(tool(VENV, "ansible-lint"), "--offline", "--nocolor", cwd=LAYOUT, env=tool_env(VENV)) == 0


def step_changelog() -> bool:
    return run(tool(VENV, "antsibull-changelog"), "lint", cwd=LAYOUT, env=tool_env(VENV)) == 0


def step_docs() -> bool:
    command = [tool(VENV, "antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."]
    return run(*command, cwd=LAYOUT, env=tool_env(VENV)) == 0


def step_docsite() -> bool:
    """The collection's documentation site: antsibull-docs renders the plugins, Sphinx builds it with -W."""
    site = BUILD / "docsite"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    env = tool_env(VENV)
    antsibull = tool(VENV, "antsibull-docs")
    if run(antsibull, "sphinx-init", "--use-current", "--dest-dir", site, FQCN, cwd=site, env=env) != 0:
        return False
    rst = site / "rst"
    rst.chmod(0o755)  # antsibull-docs wants the directory writable only by itself
    collection = [antsibull, "--config-file", "antsibull-docs.cfg", "collection", "--cleanup", "everything"]
    if run(*collection, "--use-current", "--dest-dir", rst, FQCN, cwd=site, env=env) != 0:
        return False
    # Offline: no intersphinx inventories, so the two labels the generated pages take from Ansible's docs are
    # defined here as plain links; every other reference must still resolve (-W turns warnings into errors).
    with (site / "conf.py").open("a") as conf:
        conf.write("\nintersphinx_mapping = {}\n")
    (rst / "offline_links.rst").write_text(
        ":orphan:\n\n"
        ".. _common_return_values:\n\nCommon return values\n====================\n\n"
        "See https://docs.ansible.com/ansible/latest/reference_appendices/common_return_values.html\n\n"
        ".. _ansible_configuration_settings:\n\nAnsible configuration settings\n==============================\n\n"
        "See https://docs.ansible.com/ansible/latest/reference_appendices/config.html\n"
    )
    sphinx = [tool(VENV, "sphinx-build"), "-M", "html", rst, site / "build", "-c", site, "-W", "--keep-going", "-q"]
    if run(*sphinx, cwd=site, env=env) != 0:
        return False
    pages = sorted(p.name for p in (site / "build" / "html" / "collections" / NAMESPACE / NAME).glob("*_module.html"))
    print(f"docsite: {len(pages)} module pages: {', '.join(pages)}")
    return len(pages) == len(list((ROOT / "plugins" / "modules").glob("*.py")))


def tarball() -> Path:
    return DIST / f"{NAMESPACE}-{NAME}-{galaxy_version()}.tar.gz"


def galaxy_version() -> str:
    return re.search(r"^version:\s*(\S+)", (ROOT / "galaxy.yml").read_text(), re.MULTILINE).group(1)


def step_build() -> bool:
    """Build the tarball, install it as a user would, and render every module's documentation from it."""
    shutil.rmtree(DIST, ignore_errors=True)
    shutil.rmtree(INSTALLED, ignore_errors=True)
    galaxy = tool(VENV, "ansible-galaxy")
    if run(galaxy, "collection", "build", "--output-path", DIST, cwd=LAYOUT, env=tool_env(VENV)) != 0:
        return False
    # Only the installed copy may be found: not the layout (ANSIBLE_COLLECTIONS_PATH), not sys.path (PYTHONPATH).
    env = {
        **tool_env(VENV),
        "ANSIBLE_COLLECTIONS_PATH": str(INSTALLED),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "PYTHONPATH": "",
    }
    if run(galaxy, "collection", "install", "--force", "--no-deps", "-p", INSTALLED, tarball(), env=env) != 0:
        return False
    if not (INSTALLED / "ansible_collections" / NAMESPACE / NAME / "MANIFEST.json").is_file():
        print(f"build: the tarball was not installed into {INSTALLED}")
        return False
    listing = subprocess.run(
        [tool(VENV, "ansible-doc"), "-t", "module", "-l", FQCN],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    modules = sorted(line.split()[0] for line in listing.splitlines() if line.startswith(FQCN))
    expected = sorted(f"{FQCN}.{p.stem}" for p in (ROOT / "plugins" / "modules").glob("*.py"))
    if modules != expected:
        print(f"build: ansible-doc lists {modules}, expected {expected}")
        return False
    return all(run(tool(VENV, "ansible-doc"), "-t", "module", module, env=env) == 0 for module in modules)


def built() -> bool:
    """Steps that use the tarball or its installed copy build it first when run without the build step."""
    return (tarball().exists() and INSTALLED.exists()) or step_build()


def step_importer() -> bool:
    """galaxy-importer on the tarball, without its container-based ansible-test (no container engine here)."""
    if not built():
        return False
    config = BUILD / "galaxy-importer.cfg"
    config.write_text(
        "[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\nOFFLINE_ANSIBLE_LINT = True\n"
        "RUN_ANSIBLE_DOC = True\nRUN_FLAKE8 = True\nCHECK_CHANGELOG = True\n"
    )
    env = {**tool_env(IMPORTER_VENV), "GALAXY_IMPORTER_CONFIG": str(config)}
    log = BUILD / "galaxy-importer.log"
    status = run(tool(IMPORTER_VENV, "python"), "-m", "galaxy_importer.main", tarball(), cwd=BUILD, env=env, log=log)
    # It logs and carries on when a checker is missing or fails to start; treat that as a failure.
    text = log.read_text()
    problems = [line for line in text.splitlines() if re.search(r"not found, skipping|ERROR|Traceback", line)]
    for line in problems:
        print(f"galaxy-importer: {line}")
    return status == 0 and not problems


def step_builder() -> bool:
    """`ansible-builder create` of the example execution environment (no container engine needed for create)."""
    if not built():
        return False
    context = BUILD / "ee"
    shutil.rmtree(context, ignore_errors=True)
    context.mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "examples" / "execution-environment.yml", context / "execution-environment.yml")
    shutil.copy(tarball(), context / tarball().name)
    command = [tool(VENV, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"]
    if run(*command, "--output-filename", "Containerfile", cwd=context, env=tool_env(VENV)) != 0:
        return False
    containerfile = (context / "context" / "Containerfile").read_text()
    return "ansible-galaxy collection install" in containerfile and (context / "context" / "_build").is_dir()


def step_system() -> bool:
    """Black-box tests of the installed collection: ad hoc runs, playbooks, faults, secrets, TLS."""
    env = {**tool_env(VENV), "COLLECTION_INSTALL_PATH": str(INSTALLED)}
    if not built():
        return False
    return run(tool(VENV, "python"), "-m", "pytest", "-n", "2", "tests/system", cwd=LAYOUT, env=env) == 0


def step_floor_units() -> bool:
    return step_units(FLOOR_VENV)


def step_floor_integration() -> bool:
    return step_integration(FLOOR_VENV, "3.11")


STEPS = {
    "format": step_format,
    "sanity": step_sanity,
    "units": step_units,
    "integration": step_integration,
    "lint": step_lint,
    "changelog": step_changelog,
    "docs": step_docs,
    "docsite": step_docsite,
    "build": step_build,
    "system": step_system,
    "importer": step_importer,
    "builder": step_builder,
    "floor-units": step_floor_units,
    "floor-integration": step_floor_integration,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("steps", nargs="*", help=f"steps to run (default: all): {', '.join(STEPS)}")
    chosen = parser.parse_args().steps or list(STEPS)
    unknown = set(chosen) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    for name in ENVIRONMENTS:
        ensure(name)
    BUILD.mkdir(exist_ok=True)
    make_layout()
    link_pythons()
    for venv in (VENV, FLOOR_VENV):
        seed_get_pip(venv)
    results = {}
    for name in chosen:
        print(f"\n=== {name}", flush=True)
        start = time.monotonic()
        try:
            results[name] = STEPS[name]()
        except Exception as error:  # a crashed step is a failed step; the others still run
            print(f"{name}: crashed: {error!r}")
            results[name] = False
        print(f"=== {name}: {'OK' if results[name] else 'FAILED'} ({time.monotonic() - start:.0f} s)", flush=True)
    (BUILD / "suite-results.json").write_text(json.dumps(results, indent=2))
    failed = [name for name, ok in results.items() if not ok]
    print("\n" + "\n".join(f"  {'ok  ' if ok else 'FAIL'} {name}" for name, ok in results.items()))
    print(f"suite: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
