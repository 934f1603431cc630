"""The test suite: `make test` runs every session as CI does; `.venv/bin/nox -l` lists them, `-s NAME...` runs some.
antsibull-nox's sessions (antsibull-nox.toml) lint; ours guard, with the tools of tools/bootstrap.py's venvs."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import antsibull_nox
import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
import bootstrap

FQCN, BUILD, VENV = "cloudops.aws_lambda", ROOT / "build", ROOT / ".venv"
VERSION = re.findall(r"^version: (\S+)", (ROOT / "galaxy.yml").read_text(), re.MULTILINE)[0]
TARBALL = BUILD / "dist" / f"cloudops-aws_lambda-{VERSION}.tar.gz"
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py"))
COLLECTIONS = BUILD / "collections"  # ansible_collections/cloudops/aws_lambda: ansible-test wants a real copy
LAYOUT, INSTALLED = COLLECTIONS / "ansible_collections" / "cloudops" / "aws_lambda", BUILD / "installed"
# The layout is the collection Ansible finds, and the root of its Python imports (ansible_collections.cloudops...)
LAYOUT_ENV = {"ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "PYTHONPATH": str(COLLECTIONS)}
# Only the installed tarball may be found: not the layout (ANSIBLE_COLLECTIONS_PATH), not sys.path (PYTHONPATH)
INSTALLED_ENV = {"ANSIBLE_COLLECTIONS_PATH": str(INSTALLED), "PYTHONPATH": "", "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "0"}
# The tarball's top level: ansible-galaxy's two files, galaxy.yml's readme, the licence, the changelog (Galaxy reads
# changelogs/), the managed node's requirements (for ansible-builder), meta/, plugins/, docs/. Not tests/: see README.
TARBALL_TOP = {"MANIFEST.json", "FILES.json", "README.md", "COPYING", "CHANGELOG.rst", "changelogs", "requirements.txt"}
TARBALL_TOP |= {"meta", "plugins", "docs", "extensions", "playbooks"}  # extensions/eda: the rulebooks and event source
CORES = nox.parametrize("core", [nox.param("dev", id="2.21"), nox.param("floor", id="2.17")])

nox.options.reuse_venv = "yes"  # antsibull-nox's environments (.nox/) are built once, then reused
antsibull_nox.load_antsibull_nox_toml()


def run(session: nox.Session, *command: str | Path, cwd: Path | None = None, venv: Path = VENV, **extra: str) -> str:
    """Run a command in the layout (or `cwd`), its output shown as it comes, with `venv` first on PATH, then the real
    python3.X binaries (ansible-test strips pyenv's variables: their shims fail); a non-zero exit fails the session."""
    session.log("$ " + " ".join(map(str, command)))
    env = {**os.environ, **LAYOUT_ENV, "PATH": f"{venv / 'bin'}:{COLLECTIONS / 'pybin'}:{os.environ['PATH']}", **extra}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True, "errors": "replace"}
    process = subprocess.Popen(command, cwd=cwd or layout(), env=env, **pipes)
    lines = []
    for line in process.stdout or ():
        print(line, end="", flush=True)
        lines.append(line)
    if process.wait():
        session.error(f"{Path(command[0]).name} exited with status {process.returncode}")
    return "".join(lines)


@functools.cache
def layout() -> Path:
    """Copy what git would commit (tracked and new files) to LAYOUT; link the real python3.X binaries in pybin/."""
    shutil.rmtree(COLLECTIONS, ignore_errors=True)
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listing = subprocess.run(command, cwd=ROOT, capture_output=True, check=True, text=True).stdout.split("\0")
    for path in (path for path in listing if (ROOT / path).is_file()):  # not a tracked file deleted here
        (LAYOUT / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, LAYOUT / path)
    # ansible-test lists files through git: seen through our repository, which ignores build/, all would be skipped
    subprocess.run(["git", "init", "-q"], cwd=LAYOUT, check=True)
    subprocess.run(["git", "add", "-A"], cwd=LAYOUT, check=True)
    (COLLECTIONS / "pybin").mkdir()
    for (major, minor), python in bootstrap.pythons().items():
        (COLLECTIONS / "pybin" / f"python{major}.{minor}").symlink_to(python)
    return LAYOUT


@functools.cache
def ansible_test(venv: Path, home: Path | None = None) -> str:
    """The venv's ansible-test, with an offline stand-in for the get-pip.py it downloads (host unreachable here), in
    the cache of the HOME ansible-test will run with (the user's unless given)."""
    home = home or Path.home()
    (source,) = venv.glob("lib/python3.*/site-packages/ansible_test/_internal/python_requirements.py")
    version = re.findall(r"pip='([0-9.]+)'", source.read_text())[0].replace(".", "_")
    (home / ".ansible/test/cache").mkdir(parents=True, exist_ok=True)
    (home / f".ansible/test/cache/get_pip_{version}.py").write_text(
        "import glob, os, sys, ensurepip  # installs the pip wheel bundled with this Python\nsys.path.insert(0, glob"
        ".glob(os.path.dirname(ensurepip.__file__) + '/_bundled/pip-*.whl')[0])\nfrom pip._internal.cli.main import "
        "main\nargs = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]\n"
        "sys.exit(main(['install', '--upgrade', '--force-reinstall', *args]))\n"
    )
    return "ansible-test"


@nox.session(venv_backend="none")
def types(session: nox.Session) -> None:
    """mypy (pyproject.toml's settings) on module_utils, the modules and the emulator; every file must be checked."""
    output = run(session, "mypy", "--cache-dir", BUILD / "mypy-cache")
    # mypy counts each .py file, and a package without __init__.py (module_utils) as one more source
    packages = [ROOT / "plugins" / "module_utils", ROOT / "plugins" / "modules", ROOT / "tests" / "emulator"]
    expected = sum(len(list(p.glob("*.py"))) + (not (p / "__init__.py").exists()) for p in packages)
    checked = re.search(r"(?:no issues found in|\(checked) (\d+) source files?", output)
    if not checked or int(checked.group(1)) != expected:
        session.error(f"mypy should have checked {expected} files: {checked.group(0) if checked else 'no count'}")


@nox.session(venv_backend="none")
def sanity(session: nox.Session) -> None:
    """ansible-test sanity on every Python this machine has, and no ignore file to hide behind."""
    if ignores := sorted((ROOT / "tests" / "sanity").glob("ignore-*.txt")):
        session.error(f"sanity ignore files are not allowed here: {ignores}")
    if "All targets skipped" in run(session, ansible_test(VENV), "sanity", "--local", "--color", "no"):
        session.error("ansible-test skipped every target")


@nox.session(venv_backend="none")
@CORES
def units(session: nox.Session, core: str) -> None:
    """Unit tests (pytest, the emulator in-process) and the emulator's contract tests."""
    run(session, "python", "-m", "pytest", "-n", "2", "tests/unit", venv=bootstrap.ensure(core))


@nox.session(venv_backend="none")
@CORES
def integration(session: nox.Session, core: str) -> None:
    """ansible-test integration against the emulator server; a target ansible-test skips (exit 0) fails here."""
    targets = sorted(p.name for p in (ROOT / "tests/integration/targets").iterdir() if not p.name.startswith("setup_"))
    venv, state = bootstrap.ensure(core), BUILD / "emulator"
    ctl = ["python", "-m", f"ansible_collections.{FQCN}.tests.emulator.ctl"]
    shutil.rmtree(state, ignore_errors=True)
    run(session, *ctl, "start", "--state-dir", state)  # on 127.0.0.1; stopped by its PID
    # ansible-test's cloud/aws plugin refuses to run on a machine with ~/.aws ("Rename ~/.aws"): the user's own
    # credentials must not reach the tests. So it runs with a HOME of its own, made for this run and removed after
    # it; the user's ~/.aws and ~/.ansible are neither read nor touched.
    BUILD.mkdir(exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="home-integration-", dir=BUILD))
    try:  # without this file ansible-test skips cloud/aws targets; with it, they get its keys and no environment
        (LAYOUT / "tests" / "integration" / "cloud-config-aws.ini").write_text(
            "[default]\naws_access_key: testing\naws_secret_key: testing-secret\nsecurity_token:\naws_region: "
            f"us-east-1\naws_endpoint_url: {(state / 'endpoint').read_text().strip()}\naws_cleanup: true\n"
        )
        python = next(venv.glob("lib/python3.*")).name.removeprefix("python")
        command = [ansible_test(venv, home), "integration", "--local", "--python", python, "--color", "no", "-v"]
        output = run(session, *command, venv=venv, HOME=str(home))
    finally:
        run(session, *ctl, "stop", "--state-dir", state)
        shutil.rmtree(home, ignore_errors=True)
    ran = sorted(set(re.findall(r"^Running (\S+) integration test role", output, re.MULTILINE)))
    if re.search(r"All targets skipped|Excluding tests marked|WARNING: Excluding", output) or ran != targets:
        session.error(f"expected targets {targets} to run, ran {ran}: a skipped target fails the suite")


@nox.session(venv_backend="none")
def changelog(session: nox.Session) -> None:
    """antsibull-changelog lint: the fragments and changelogs/changelog.yaml."""
    run(session, "antsibull-changelog", "lint")


@nox.session(venv_backend="none")
def docsite(session: nox.Session) -> None:
    """The collection's documentation site: antsibull-docs renders the plugins, Sphinx builds it with -W (offline)."""
    site, rst = BUILD / "docsite", BUILD / "docsite" / "rst"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    run(session, "antsibull-docs", "sphinx-init", "--use-current", "--dest-dir", site, FQCN)
    rst.chmod(0o755)  # antsibull-docs wants the directory writable only by itself
    command = ["antsibull-docs", "--config-file", "antsibull-docs.cfg", "collection", "--cleanup", "everything"]
    run(session, *command, "--use-current", "--dest-dir", rst, FQCN, cwd=site)
    (site / "conf.py").write_text((site / "conf.py").read_text() + "\nintersphinx_mapping = {}\n")  # offline
    shutil.copy(ROOT / "tools" / "suite" / "offline_links.rst", rst)
    run(session, "sphinx-build", "-M", "html", rst, site / "build", "-c", site, "-W", "--keep-going", "-q", cwd=site)
    pages = sorted(p.name for p in (site / "build/html/collections/cloudops/aws_lambda").glob("*_module.html"))
    if pages != sorted(f"{module}_module.html" for module in MODULES):
        session.error(f"module pages {pages}, modules {MODULES}")


@nox.session(venv_backend="none")
def build(session: nox.Session) -> None:
    """Build the tarball, check it holds exactly the allow-listed collection, install it, ansible-doc every module.
    Built as a maintainer releases it, installed as users do; system, importer and builder use both."""
    shutil.rmtree(BUILD / "dist", ignore_errors=True)
    run(session, "ansible-galaxy", "collection", "build", "--output-path", BUILD / "dist", cwd=ROOT)
    with tarfile.open(TARBALL) as archive:
        members = archive.getmembers()
    # Exactly what git would commit under the allow-listed top-level entries, and no link (make demo's link from
    # build/ to the checkout once went in as one: a loop when installed).
    listing = subprocess.run(["git", "ls-files"], cwd=layout(), capture_output=True, check=True, text=True).stdout
    committed = set(listing.splitlines())
    expected = {path for path in committed if path.split("/")[0] in TARBALL_TOP}
    files = {m.name for m in members if m.isfile()} - {"MANIFEST.json", "FILES.json"}
    problems = [f"{top}: not the collection's" for top in sorted({m.name.split("/")[0] for m in members} - TARBALL_TOP)]
    problems += [f"{m.name}: a link" for m in members if m.issym() or m.islnk()]
    problems += [f"{path}: not a file git would commit" for path in sorted(files - committed)]
    problems += [f"{path}: committed but left out (galaxy.yml build_ignore?)" for path in sorted(expected - files)]
    if problems:
        session.error(f"{TARBALL.name}: " + "; ".join(problems))
    session.log(f"{TARBALL.name}: {len(members)} entries, all of them the collection's")
    shutil.rmtree(INSTALLED, ignore_errors=True)
    run(session, "ansible-galaxy", "collection", "install", "--no-deps", "-p", INSTALLED, TARBALL, **INSTALLED_ENV)
    run(session, "ansible-doc", "-t", "module", *[f"{FQCN}.{m}" for m in MODULES], cwd=ROOT, **INSTALLED_ENV)


@nox.session(venv_backend="none", requires=["build"])
def system(session: nox.Session) -> None:
    """Black-box tests of the installed tarball: ad hoc runs, playbooks, faults, secrets, TLS, AWX-style jobs."""
    run(session, "python", "-m", "pytest", "-n", "2", "tests/system", COLLECTION_INSTALL_PATH=str(INSTALLED))


@nox.session(venv_backend="none", requires=["build"])
def eda(session: nox.Session) -> None:
    """Drift repaired as it happens, end to end: the emulator sends CloudTrail events to SQS, ansible-rulebook
    (.venv-eda, on the machine's Java 17) runs the installed tarball's rulebook, event source and playbook."""
    venv = bootstrap.ensure("eda")
    command = ["python", "-m", "pytest", "-s", "tests/eda"]
    run(session, *command, EDA_VENV=str(venv), COLLECTION_INSTALL_PATH=str(INSTALLED))


@nox.session(venv_backend="none", requires=["build"])
def importer(session: nox.Session) -> None:
    """galaxy-importer on the tarball (not its ansible-test: containers); a skipped checker or logged error fails."""
    venv, config = bootstrap.ensure("importer"), ROOT / "tools/suite/galaxy-importer.cfg"
    command = ["python", "-m", "galaxy_importer.main", TARBALL]
    output = run(session, *command, cwd=BUILD, venv=venv, GALAXY_IMPORTER_CONFIG=str(config))
    if problems := [line for line in output.splitlines() if re.search(r"not found, skipping|ERROR|Traceback", line)]:
        session.error("galaxy-importer: " + "; ".join(problems))


@nox.session(venv_backend="none", requires=["build"])
def builder(session: nox.Session) -> None:
    """`ansible-builder create` of docs/examples' execution and decision environments (create needs no container
    engine); the decision environment also installs ansible-rulebook (docs/eda.md)."""
    context = BUILD / "ee"
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(ROOT / "docs" / "examples", context)  # the definitions want the tarball beside them
    shutil.copy(TARBALL, context)
    for definition, output in (("execution-environment.yml", "context"), ("decision-environment.yml", "context-de")):
        command = ["ansible-builder", "create", "-f", definition, "-c", output]
        run(session, *command, "--output-filename", "Containerfile", cwd=context)
        installs = "ansible-galaxy collection install" in (context / output / "Containerfile").read_text()
        if not installs or not (context / output / "_build").is_dir():
            session.error(f"{definition}: the build context does not install the collection")
    if "ansible-rulebook" not in (context / "context-de" / "_build" / "requirements.txt").read_text():
        session.error("decision-environment.yml: the build context does not install ansible-rulebook")


if __name__ == "__main__":  # `make test`: nox, then one verdict, in which a skipped session fails too (nox passes it)
    report = BUILD / "nox-report.json"
    BUILD.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    nox_run = [sys.executable, "-m", "nox", "-f", __file__, "--report", report, *sys.argv[1:]]
    status = subprocess.run(nox_run, check=False).returncode
    results = json.loads(report.read_text())["sessions"] if report.exists() else []
    passed = sum(result["result"] == "success" for result in results)
    print(f"sessions: {passed} passed, {len(results) - passed} failed")
    sys.exit(1 if status or not results or passed < len(results) else 0)
