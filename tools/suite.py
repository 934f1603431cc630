"""The whole test suite, as `make test` and CI run it. Fails on any failure, and on any silent skip.

Every step runs even when an earlier one failed, so one run shows everything that is wrong. Each step declares
what it needs (STEPS, at the end): the runner makes exactly that ready before the step, so running one step
builds only what that step uses. Steps that need AWS talk to the local emulator (tests/emulator), which this
script starts on 127.0.0.1 for the step and stops by its PID.

    .venv/bin/python tools/suite.py              # every step
    .venv/bin/python tools/suite.py units sanity # only these steps
    .venv/bin/python tools/suite.py --list       # the steps and what each needs
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from bootstrap import ENVIRONMENTS
from bootstrap import ensure
from bootstrap import is_current

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


def git_files() -> list[str]:
    """What git would commit: tracked and new files, not ignored ones (a tracked file deleted here is left out)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({path for path in listing.split("\0") if path and os.path.lexists(ROOT / path)})


def make_layout() -> None:
    """Copy what git would commit into ansible_collections/cloudops/aws_lambda."""
    shutil.rmtree(LAYOUT, ignore_errors=True)
    for path in git_files():
        source = ROOT / path
        if source.is_file():
            target = LAYOUT / path
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


# ---------------------------------------------------------------------------------------------- the tarball

# ansible-galaxy's own build rules, beside galaxy.yml's build_ignore (ansible.galaxy.collection,
# _build_files_manifest_walk in ansible-core 2.21): patterns matched with fnmatch against each directory's and each
# file's path from the root (its `*` crosses "/"), and directory names skipped wherever they are.
GALAXY_IGNORED_PATTERNS = ("MANIFEST.json", "FILES.json", "galaxy.yml", "galaxy.yaml", ".git", "*.pyc", "*.retry")
GALAXY_IGNORED_DIRS = frozenset({"CVS", ".bzr", ".hg", ".git", ".svn", "__pycache__", ".tox"})

# What a clean build of this checkout holds at its top level, and why each belongs to the collection: the two files
# ansible-galaxy writes (MANIFEST.json, FILES.json); galaxy.yml's readme (README.md); the licence (COPYING);
# antsibull-changelog's CHANGELOG.rst and changelogs/, which Galaxy and galaxy-importer read; requirements.txt,
# the managed node's Python libraries, which meta/execution-environment.yml points ansible-builder at; and the
# collection's directories: meta/ (runtime.yml, execution-environment.yml), plugins/, docs/ and tests/.
# Everything else at the top (build/, benchmarks/, tools/, the Makefile, tool configs) is development only.
TARBALL_TOP_LEVEL = frozenset(
    {
        "MANIFEST.json",
        "FILES.json",
        "README.md",
        "COPYING",
        "CHANGELOG.rst",
        "changelogs",
        "requirements.txt",
        "meta",
        "plugins",
        "docs",
        "tests",
    }
)
# Inside those, still not the collection: the emulator (a test tool, not shipped), and what ansible-test,
# the suite and antsibull-changelog generate.
TARBALL_EXCLUDED = (
    "tests/emulator/",
    "tests/output/",
    "tests/integration/cloud-config-",
    "tests/integration/inventory",
    "tests/integration/integration_config.yml",
    "changelogs/.plugin-cache.yaml",
)


def galaxy() -> dict:
    import yaml  # .venv has PyYAML (ansible-core needs it); imported here so --list runs on any python3

    return yaml.safe_load((ROOT / "galaxy.yml").read_text())


def tarball() -> Path:
    return DIST / f"{NAMESPACE}-{NAME}-{galaxy()['version']}.tar.gz"


def tarball_sources() -> list[str]:
    """The files of the checkout that go into the tarball: what git would commit, less what ansible-galaxy leaves
    out by its own rules and galaxy.yml's build_ignore (the check in check_tarball keeps this copy honest)."""
    patterns = [*GALAXY_IGNORED_PATTERNS, f"{NAMESPACE}-{NAME}-*.tar.gz", *(galaxy().get("build_ignore") or [])]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern) for pattern in patterns)

    sources = []
    for path in git_files():
        parts = path.split("/")
        directories = ["/".join(parts[: depth + 1]) for depth in range(len(parts) - 1)]
        if any(name in GALAXY_IGNORED_DIRS for name in parts[:-1]) or any(map(ignored, directories)):
            continue
        if not ignored(path):
            sources.append(path)
    return sources


def source_key(sources: list[str]) -> str:
    """A hash of everything the tarball is made from: galaxy.yml (MANIFEST.json comes from it), the content of each
    source file, and the stamp of the .venv whose ansible-galaxy builds it. A different key means a stale tarball."""
    key = hashlib.sha256((ROOT / "galaxy.yml").read_bytes())
    key.update((VENV / ".bootstrap-stamp").read_bytes())
    for path in sources:
        source = ROOT / path
        content = os.readlink(source).encode() if source.is_symlink() else source.read_bytes()
        key.update(f"{path}\0{hashlib.sha256(content).hexdigest()}\n".encode())
    return key.hexdigest()


def check_tarball(sources: list[str]) -> bool:
    """The tarball holds the collection and nothing else: no entry outside TARBALL_TOP_LEVEL or under
    TARBALL_EXCLUDED, no link (`make demo`'s link from build/ to the checkout went in as one, a loop once
    installed), and exactly the files the source key covers, so that no change to it can go unnoticed."""
    with tarfile.open(tarball()) as archive:
        members = archive.getmembers()
    problems = []
    outside: dict[str, int] = {}
    for member in members:
        top = member.name.split("/", 1)[0]
        if top not in TARBALL_TOP_LEVEL:
            outside[top] = outside.get(top, 0) + 1
        elif f"{member.name}/".startswith(TARBALL_EXCLUDED):
            problems.append(f"{member.name}: not shipped (see TARBALL_EXCLUDED)")
        if member.issym() or member.islnk():
            problems.append(f"{member.name}: a link to {member.linkname}; a collection tarball ships no links")
    problems += [
        f"{top}: {count} entries, not part of the collection (see TARBALL_TOP_LEVEL)" for top, count in outside.items()
    ]
    files = {member.name for member in members if member.isfile()} - {"MANIFEST.json", "FILES.json"}
    strays = sorted(path for path in files - set(sources) if path.split("/", 1)[0] not in outside)
    problems += [
        f"{path}: in the tarball, but not a file git would commit (not covered by the source key)" for path in strays
    ]
    missing = sorted(set(sources) - files)
    problems += [
        f"{path}: covered by the source key, not in the tarball (tarball_sources is out of step)" for path in missing
    ]
    for problem in problems:
        print(f"tarball: {problem}")
    print(f"tarball: {len(members)} entries, {len(problems)} problems")
    return not problems


def provide_tarball() -> bool:
    """The tarball of the checkout as it is now, checked, and installed into build/installed as a user installs it.

    Built from the repository root, as a maintainer releases it (`ansible-galaxy collection build` in the
    checkout), so galaxy.yml's build_ignore is what keeps everything else out. Rebuilt only when the source key
    stored beside it differs; the installed copy carries the key of the tarball it came from.
    """
    sources = tarball_sources()
    key = source_key(sources)
    key_file = DIST / f"{tarball().name}.source-sha256"
    if tarball().is_file() and key_file.is_file() and key_file.read_text() == key:
        print(f"tarball: {tarball().name} is up to date (source key {key[:12]}), reused")
    else:
        print(f"tarball: building {tarball().name} (source key {key[:12]})")
        shutil.rmtree(DIST, ignore_errors=True)
        galaxy_cli = tool(VENV, "ansible-galaxy")
        if run(galaxy_cli, "collection", "build", "--output-path", DIST, cwd=ROOT, env=tool_env(VENV)) != 0:
            return False
        key_file.write_text(key)
    if not check_tarball(sources):
        return False
    installed_key = INSTALLED / ".source-sha256"
    if installed_key.is_file() and installed_key.read_text() == key:
        return True
    shutil.rmtree(INSTALLED, ignore_errors=True)
    command = ["collection", "install", "--force", "--no-deps", "-p", INSTALLED, tarball()]
    if run(tool(VENV, "ansible-galaxy"), *command, env=installed_env()) != 0:
        return False
    if not (INSTALLED / "ansible_collections" / NAMESPACE / NAME / "MANIFEST.json").is_file():
        print(f"tarball: it was not installed into {INSTALLED}")
        return False
    installed_key.write_text(key)
    return True


def installed_env() -> dict:
    """Only the installed copy may be found: not the layout (ANSIBLE_COLLECTIONS_PATH), not sys.path (PYTHONPATH)."""
    return {
        **tool_env(VENV),
        "ANSIBLE_COLLECTIONS_PATH": str(INSTALLED),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "PYTHONPATH": "",
    }


# ---------------------------------------------------------------------------------------------- steps


def step_format() -> bool:
    paths = ["plugins", "tests", "tools", "benchmarks"]
    ok = run(tool(VENV, "black"), "--check", "--quiet", "-l", "120", *paths) == 0
    return run(tool(VENV, "ruff"), "check", "--no-cache", *paths) == 0 and ok


def step_types() -> bool:
    """mypy on module_utils, the modules and the emulator, with pyproject.toml's settings. It runs in the layout,
    whose parents make the collection's ansible_collections.* imports resolve to these same files; every file must
    be checked."""
    log = BUILD / "types.log"
    status = run(tool(VENV, "mypy"), "--cache-dir", BUILD / "mypy-cache", cwd=LAYOUT, env=tool_env(VENV), log=log)
    packages = [ROOT / "plugins" / "module_utils", ROOT / "plugins" / "modules", ROOT / "tests" / "emulator"]
    # mypy counts each .py file, and a package without __init__.py (module_utils) as one more source
    expected = sum(len(list(package.glob("*.py"))) + (not (package / "__init__.py").exists()) for package in packages)
    # "Success: no issues found in N source files" or "Found E errors in F files (checked N source files)"
    checked = re.search(r"(?:no issues found in|\(checked) (\d+) source files?", log.read_text())
    if not checked or int(checked.group(1)) != expected:
        print(f"types: mypy should have checked {expected} files: {checked.group(0) if checked else 'no count'}")
        return False
    return status == 0


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


def step_integration(endpoint: str, venv: Path = VENV, python: str = "3.12") -> bool:
    """Every integration target must run: ansible-test exits 0 when it skips a target, so we check its log."""
    targets = sorted(
        p.name for p in (ROOT / "tests" / "integration" / "targets").iterdir() if not p.name.startswith("setup_")
    )
    log = BUILD / f"integration-{python}.log"
    write_cloud_config(endpoint)
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


def step_build() -> bool:
    """Render every module's documentation from the installed tarball (built, checked and installed as a need)."""
    env = installed_env()
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


def step_importer() -> bool:
    """galaxy-importer on the tarball, without its container-based ansible-test (no container engine here)."""
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
    return run(tool(VENV, "python"), "-m", "pytest", "-n", "2", "tests/system", cwd=LAYOUT, env=env) == 0


def step_floor_units() -> bool:
    return step_units(FLOOR_VENV)


def step_floor_integration(endpoint: str) -> bool:
    return step_integration(endpoint, FLOOR_VENV, "3.11")


# ---------------------------------------------------------------------------------------------- what steps need

DEV, FLOOR, IMPORTER = "venv:dev", "venv:floor", "venv:importer"  # .venv, .venv-min, .venv-importer
LAYOUT_COPY = "layout"  # build/collections/ansible_collections/cloudops/aws_lambda, a real copy of the checkout
PYTHONS = "pythons"  # build/pybin: the real python3.X binaries, for ansible-test (it strips pyenv's variables)
GET_PIP_DEV, GET_PIP_FLOOR = "get-pip:dev", "get-pip:floor"  # the offline get-pip stand-in, per ansible-test version
TARBALL = "tarball"  # built from the checkout if stale, checked, installed into build/installed
EMULATOR = "emulator"  # the emulator server; a fresh one for each step that needs it, stopped after the step

# What a need itself needs, made ready first.
PREREQUISITES = {
    GET_PIP_DEV: {DEV},  # the stand-in is named after the pip version that venv's ansible-test asks for
    GET_PIP_FLOOR: {FLOOR},
    TARBALL: {DEV},  # .venv's ansible-galaxy builds and installs it
    EMULATOR: {DEV, LAYOUT_COPY},  # served by .venv's Python, imported from the layout
}
# The order needs are made ready in (a prerequisite comes before what needs it).
ORDER = (DEV, FLOOR, IMPORTER, LAYOUT_COPY, PYTHONS, GET_PIP_DEV, GET_PIP_FLOOR, TARBALL, EMULATOR)


def provide_venv(name: str) -> bool:
    venv = ROOT / ENVIRONMENTS[name][0]
    if Path(sys.prefix).resolve() == venv.resolve() and not is_current(name):
        # Rebuilding the environment this script runs in would pull it from under its own feet.
        print(f"suite: {venv.name} is out of date and runs this script: run `python3 tools/bootstrap.py` first")
        return False
    ensure(name)
    return True


def provide_get_pip(venv: Path) -> bool:
    seed_get_pip(venv)
    return True


def provide_layout() -> bool:
    make_layout()
    return True


def provide_pythons() -> bool:
    link_pythons()
    return True


PROVIDERS: dict[str, Callable[[], bool]] = {
    DEV: lambda: provide_venv("dev"),
    FLOOR: lambda: provide_venv("floor"),
    IMPORTER: lambda: provide_venv("importer"),
    LAYOUT_COPY: provide_layout,
    PYTHONS: provide_pythons,
    GET_PIP_DEV: lambda: provide_get_pip(VENV),
    GET_PIP_FLOOR: lambda: provide_get_pip(FLOOR_VENV),
    TARBALL: provide_tarball,
}


@dataclass(frozen=True)
class Step:
    run: Callable[..., bool]  # called with endpoint= when the step needs the emulator
    needs: frozenset[str]

    def all_needs(self) -> list[str]:
        """Its needs and theirs, in the order they are made ready."""
        wanted = set(self.needs)
        for need in reversed(ORDER):
            if need in wanted:
                wanted |= PREREQUISITES.get(need, set())
        return [need for need in ORDER if need in wanted]


def needs(*names: str) -> frozenset[str]:
    return frozenset(names)


STEPS = {
    "format": Step(step_format, needs(DEV)),  # black and ruff on the checkout itself
    "types": Step(step_types, needs(DEV, LAYOUT_COPY)),  # mypy resolves ansible_collections.* imports in the layout
    "sanity": Step(step_sanity, needs(DEV, LAYOUT_COPY, PYTHONS, GET_PIP_DEV)),
    "units": Step(step_units, needs(DEV, LAYOUT_COPY)),
    "integration": Step(step_integration, needs(DEV, LAYOUT_COPY, GET_PIP_DEV, EMULATOR)),
    "lint": Step(step_lint, needs(DEV, LAYOUT_COPY)),
    "changelog": Step(step_changelog, needs(DEV, LAYOUT_COPY)),
    "docs": Step(step_docs, needs(DEV, LAYOUT_COPY)),
    "docsite": Step(step_docsite, needs(DEV, LAYOUT_COPY)),
    "build": Step(step_build, needs(DEV, TARBALL)),
    "system": Step(step_system, needs(DEV, LAYOUT_COPY, TARBALL)),  # its pytest starts its own emulators
    "importer": Step(step_importer, needs(IMPORTER, TARBALL)),
    "builder": Step(step_builder, needs(DEV, TARBALL)),
    "floor-units": Step(step_floor_units, needs(FLOOR, LAYOUT_COPY)),
    "floor-integration": Step(step_floor_integration, needs(FLOOR, LAYOUT_COPY, GET_PIP_FLOOR, EMULATOR)),
}


class Setup:
    """The needs made ready so far in this run: each once, and a need that failed stays failed."""

    def __init__(self) -> None:
        self.ready: dict[str, bool] = {}
        self.seconds: dict[str, float] = {}

    def prepare(self, step: Step) -> list[str]:
        """Make the step's shared needs ready (the emulator is per step, see run_step); return those that failed."""
        for need in step.all_needs():
            if need in self.ready or need == EMULATOR:
                continue
            print(f"--- {need}", flush=True)
            start = time.monotonic()
            try:
                self.ready[need] = PROVIDERS[need]()
            except (Exception, SystemExit) as error:  # bootstrap exits when no fitting Python is found
                print(f"{need}: failed: {error!r}")
                self.ready[need] = False
            self.seconds[need] = time.monotonic() - start
            print(f"--- {need}: {'ready' if self.ready[need] else 'FAILED'} ({self.seconds[need]:.0f} s)", flush=True)
        return [need for need in step.all_needs() if need != EMULATOR and not self.ready[need]]


def run_step(step: Step) -> bool:
    if EMULATOR not in step.needs:
        return step.run()
    with Emulator(tool(VENV, "python")) as emulator:
        return step.run(endpoint=emulator.endpoint)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("steps", nargs="*", help=f"steps to run (default: all): {', '.join(STEPS)}")
    parser.add_argument("--list", action="store_true", help="print each step and what it needs, run nothing")
    args = parser.parse_args()
    chosen = args.steps or list(STEPS)
    unknown = set(chosen) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    if args.list:
        for name in chosen:
            print(f"{name:18} {', '.join(need for need in ORDER if need in STEPS[name].needs)}")
        return 0
    BUILD.mkdir(parents=True, exist_ok=True)
    setup = Setup()
    results, seconds = {}, {}
    for name in chosen:
        print(f"\n=== {name}", flush=True)
        missing = setup.prepare(STEPS[name])
        start = time.monotonic()
        if missing:
            print(f"{name}: not run, because these needs failed: {', '.join(missing)}")
            results[name] = False
        else:
            try:
                results[name] = run_step(STEPS[name])
            except Exception as error:  # a crashed step is a failed step; the others still run
                print(f"{name}: crashed: {error!r}")
                results[name] = False
        seconds[name] = time.monotonic() - start
        print(f"=== {name}: {'OK' if results[name] else 'FAILED'} ({seconds[name]:.0f} s)", flush=True)
    report = {"results": results, "seconds": seconds, "setup_seconds": setup.seconds}
    (BUILD / "suite-results.json").write_text(json.dumps(report, indent=2))
    failed = [name for name, ok in results.items() if not ok]
    print("\n" + "\n".join(f"  need {need:17} {s:5.0f} s" for need, s in setup.seconds.items()))
    print("\n".join(f"  {'ok  ' if ok else 'FAIL'} {name:17} {seconds[name]:5.0f} s" for name, ok in results.items()))
    print(f"suite: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
