"""Shared fixtures of the system suite: the installed collection driven through the real `ansible` commands.

Run by `nox -s system` (after `build`); by hand, against the checkout itself:
    COLLECTION_INSTALL_PATH=<dir holding ansible_collections/cloudops/aws_lambda> \
    PYTHONPATH=<the same dir> .venv/bin/python -m pytest -n 2 tests/system
(Without COLLECTION_INSTALL_PATH the checkout is used, through a temporary symlink farm.)

Every test here runs `ansible` or `ansible-playbook` as a user would, with the collection installed where
COLLECTION_INSTALL_PATH says (`nox -s build` installs the built tarball there), against the AWS emulator running
as a separate server process on 127.0.0.1. The emulator is started once per pytest(-xdist) worker and stopped by
its PID; before each test its event invoke configs, faults and request log are cleared, so the log holds exactly
the calls the test caused.

The child processes get a clean environment: no AWS_* or ANSIBLE_* variable of the machine running the suite
leaks in (this machine sets AWS_CA_BUNDLE, for one), the AWS config files point at empty files of the session,
and credentials reach the modules only the way each test says. The suite's own boto3 clients ignore the machine's
AWS profile and files too (no_aws_settings_of_the_machine).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Optional

import pytest

NAMESPACE, NAME = "cloudops", "aws_lambda"
FQCN = f"{NAMESPACE}.{NAME}"
MODULE = f"{FQCN}.lambda_event_invoke_config"
INFO_MODULE = f"{FQCN}.lambda_event_invoke_config_info"

# The collection root (= repository root). abspath, not resolve: the checkout may be reached through a symlink farm.
REPO_ROOT = Path(os.path.abspath(__file__)).parents[2]
PLAYBOOKS = Path(os.path.abspath(__file__)).parent / "playbooks"

REGION = "us-east-1"
ACCESS_KEY = "AKIASYSTEMSUITE0001"
# Distinctive values, so a leak anywhere in the output is found by a plain substring search.
SECRET_KEY = "sysSecretKey-7f3a9c-MUST-NOT-LEAK-b41e"
SESSION_TOKEN = "sysSessionToken-25d8e0-MUST-NOT-LEAK-c9a7"

GET = "GetFunctionEventInvokeConfig"
PUT = "PutFunctionEventInvokeConfig"
UPDATE = "UpdateFunctionEventInvokeConfig"
DELETE = "DeleteFunctionEventInvokeConfig"
LIST = "ListFunctionEventInvokeConfigs"

# Eight qualifiers of the first function for the concurrency test: $LATEST, version 1 and six aliases of it.
EXTRA_ALIASES = ("blue", "green", "canary", "beta", "stable")
CONCURRENT_QUALIFIERS = ("$LATEST", "1", "live", *EXTRA_ALIASES)

READ_ATTEMPTS = 50  # a direct read fails only if 50 draws in a row are faults: 0.335**50 under the soak's rates
COMMAND_TIMEOUT = 240  # a safety net against a hung child process, not a timing assertion


# ---------------------------------------------------------------------------------------------- where things are


def _collection_in_place() -> Optional[Path]:
    """The directory holding ansible_collections/ when the repository already sits at .../cloudops/aws_lambda."""
    if (
        REPO_ROOT.name == NAME
        and REPO_ROOT.parent.name == NAMESPACE
        and REPO_ROOT.parents[1].name == "ansible_collections"
    ):
        return REPO_ROOT.parents[2]
    return None


_FARM: list[Path] = []


def _symlink_farm() -> Path:
    """A temporary ansible_collections/cloudops/aws_lambda -> the repository, removed when the process exits."""
    if not _FARM:
        farm = Path(tempfile.mkdtemp(prefix="system-collections-"))
        atexit.register(shutil.rmtree, farm, True)  # rmtree does not follow the symlink into the checkout
        link = farm / "ansible_collections" / NAMESPACE / NAME
        link.parent.mkdir(parents=True)
        link.symlink_to(REPO_ROOT, target_is_directory=True)
        _FARM.append(farm)
    return _FARM[0]


def _make_emulator_importable() -> None:
    """The noxfile puts the collections directory on PYTHONPATH; a bare `pytest tests/system` may not."""
    try:
        import ansible_collections.cloudops.aws_lambda.tests.emulator  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        sys.path.insert(0, str(_collection_in_place() or _symlink_farm()))


_make_emulator_importable()

# Imported only now that they are importable.
from ansible_collections.cloudops.aws_lambda.tests.emulator import ctl
from ansible_collections.cloudops.aws_lambda.tests.support import request_log
from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

WRITES = request_log.WRITES


def collections_path() -> str:
    """Where the collection under test is installed: COLLECTION_INSTALL_PATH, else this checkout (via a farm)."""
    return os.environ.get("COLLECTION_INSTALL_PATH") or str(_collection_in_place() or _symlink_farm())


@pytest.fixture(scope="session")
def installed_collection() -> str:
    """The collections path, checked: without this, every test would fail with "Cannot resolve ... to a module"."""
    path = collections_path()
    if not (Path(path) / "ansible_collections" / NAMESPACE / NAME / "plugins" / "modules").is_dir():
        raise RuntimeError(f"{path} holds no {FQCN} (COLLECTION_INSTALL_PATH: was the built tarball installed there?)")
    return path


def ansible_bin(name: str) -> str:
    """`ansible`/`ansible-playbook` of the Python running the tests (the venv), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found beside {sys.executable} or on PATH")
    return found


# ---------------------------------------------------------------------------------------------- the emulator


def settings_of(item: dict[str, Any]) -> dict[str, Any]:
    """A config as AWS returns it (boto3 shape), reduced to the four settings a task can name."""
    destinations = item.get("DestinationConfig") or {}
    return {
        "maximum_retry_attempts": item.get("MaximumRetryAttempts"),
        "maximum_event_age_in_seconds": item.get("MaximumEventAgeInSeconds"),
        "on_success": (destinations.get("OnSuccess") or {}).get("Destination"),
        "on_failure": (destinations.get("OnFailure") or {}).get("Destination"),
    }


class EmulatorServer:
    """One emulator server process, its fixtures (the "world"), its control endpoints and direct reads."""

    def __init__(self, state_dir: Path, tls: bool = False) -> None:
        self.state_dir = state_dir
        running = ctl.start(state_dir, tls=tls)
        self.endpoint = running.endpoint
        self.pid = running.pid
        self.ca_bundle = running.ca_bundle
        self._context = ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None
        self._client: Any = None
        self.world: dict[str, Any] = {}

    def stop(self) -> None:
        ctl.stop(self.state_dir)  # by the PID recorded in state_dir, and only if it is the emulator

    # --- fixtures ---

    def create_world(self, functions: int) -> dict[str, Any]:
        """Role, functions (version 1 and alias live each), queue, topic, bus, bucket; extra aliases on the first."""
        with pytest.MonkeyPatch.context() as patch:
            # boto3 takes the CA from the environment; this machine's AWS_CA_BUNDLE does not know our test CA.
            if self.ca_bundle:
                patch.setenv("AWS_CA_BUNDLE", self.ca_bundle)
            else:
                patch.delenv("AWS_CA_BUNDLE", raising=False)
            clients = fixtures.Clients(self.endpoint, REGION)
            self.world = fixtures.create("sys", self.endpoint, REGION, functions=functions, clients=clients)
            first = self.world["functions"][0]["name"]
            for alias in EXTRA_ALIASES:
                clients.awslambda.create_alias(FunctionName=first, Name=alias, FunctionVersion="1")
        self.reset()
        return self.world

    def function(self, index: int = 0) -> dict[str, str]:
        return self.world["functions"][index]

    def arn(self, resource: str) -> str:
        """The ARN of the world's queue, topic, event_bus or bucket."""
        return self.world[resource]["arn"]

    # --- control endpoints (never faulted, never logged) ---

    def _control(self, method: str, path: str, body: Optional[dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.endpoint}/_emulator/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30, context=self._context) as response:
            return json.loads(response.read() or b"{}")

    def reset(self) -> None:
        """Forget configs, faults and the request log; keep the world."""
        self._control("POST", "reset", {"keep_moto": True})

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        return self._control("POST", "faults", faults)

    def clear_requests(self) -> None:
        self._control("DELETE", "requests")

    def requests(self) -> list[dict[str, Any]]:
        """Every request the emulator served since the last clear (all services), in order."""
        return self._control("GET", "requests")["requests"]

    def lambda_calls(self) -> list[str]:
        return request_log.lambda_calls(self.requests())

    def writes(self) -> list[str]:
        return request_log.writes(self.requests())

    # --- direct reads: not through the modules under test ---

    @property
    def client(self) -> Any:
        """A boto3 Lambda client without retries of its own; see `_unfaulted`."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "lambda",
                region_name=REGION,
                endpoint_url=self.endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                verify=self.ca_bundle or None,
                config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
            )
        return self._client

    @staticmethod
    def _unfaulted(call: Any, **params: Any) -> Any:
        """Call until the emulator answers without an injected 429 or 5xx, at most READ_ATTEMPTS times.

        Injected faults are independent random draws, so an immediate retry is as likely to get through as a
        late one; botocore's backoff (up to 20 s a retry) would only slow the tests down.
        """
        from botocore.exceptions import ClientError

        attempt = 1
        while True:
            try:
                return call(**params)
            except ClientError as error:
                status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if attempt >= READ_ATTEMPTS or not (status == 429 or status >= 500):
                    raise
            attempt += 1

    def read_configs(self, function_name: str) -> dict[str, dict[str, Any]]:
        """{qualifier: settings} of every config of a function.

        Direct reads use ListFunctionEventInvokeConfigs, which the module never calls: in the request log, every
        Get, Put and Delete is the module's own.
        """
        configs: dict[str, dict[str, Any]] = {}
        params = {"FunctionName": function_name}
        while True:
            page = self._unfaulted(self.client.list_function_event_invoke_configs, **params)
            for item in page["FunctionEventInvokeConfigs"]:
                configs[item["FunctionArn"].rsplit(":", 1)[1]] = settings_of(item)
            if not page.get("NextMarker"):
                return configs
            params["Marker"] = page["NextMarker"]

    def read_config(self, function_name: str, qualifier: str = "$LATEST") -> Optional[dict[str, Any]]:
        """The settings of one config, or None when there is none."""
        return self.read_configs(function_name).get(qualifier)

    def put_config(self, function_name: str, qualifier: str = "$LATEST", **settings: Any) -> None:
        """Arrange a starting state without the module (boto3 parameter names)."""
        self._unfaulted(
            self.client.put_function_event_invoke_config, FunctionName=function_name, Qualifier=qualifier, **settings
        )


@pytest.fixture(scope="session", autouse=True)
def no_aws_settings_of_the_machine(tmp_path_factory: pytest.TempPathFactory):
    """This process's own boto3 clients (the world's fixtures, direct reads) ignore the machine's AWS settings, as the
    child processes do (Ansible.environment): an AWS_PROFILE whose credential_process or SSO login is not at hand
    here would fail the setup, and a profile's credentials or region would reach the emulator. AWS_CA_BUNDLE stays:
    EmulatorServer.create_world sets it as each emulator needs."""
    empty = tmp_path_factory.mktemp("no-aws-settings")
    (empty / "config").write_text("")
    (empty / "credentials").write_text("")
    with pytest.MonkeyPatch.context() as patch:
        for key in [key for key in os.environ if key.startswith(("AWS_", "BOTO")) and key != "AWS_CA_BUNDLE"]:
            patch.delenv(key)
        patch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory):
    """The plain-HTTP emulator of this worker, with a world of four functions."""
    server = EmulatorServer(tmp_path_factory.mktemp("emulator"))
    try:
        server.create_world(functions=4)
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    """The emulator with no configs, no faults and an empty request log."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture(scope="session")
def tls_emulator_server(tmp_path_factory: pytest.TempPathFactory):
    """A second emulator serving HTTPS with a certificate from its own throwaway CA (ca_bundle)."""
    server = EmulatorServer(tmp_path_factory.mktemp("emulator-tls"), tls=True)
    try:
        server.create_world(functions=1)
        yield server
    finally:
        server.stop()


@pytest.fixture
def tls_emulator(tls_emulator_server: EmulatorServer) -> EmulatorServer:
    tls_emulator_server.reset()
    return tls_emulator_server


class LoopbackServer:
    """A socketserver on 127.0.0.1 served from a daemon thread while the `with` block runs (test helpers only)."""

    def __init__(self, server: Any, name: str) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


# ---------------------------------------------------------------------------------------------- running ansible

_ADHOC_RESULT = re.compile(r"^localhost \| (?P<status>[A-Z]+)!? => ", re.MULTILINE)
_RECAP = re.compile(
    r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.MULTILINE,
)


@dataclass
class Outcome:
    """What one `ansible`/`ansible-playbook` run printed, and helpers to read it."""

    command: list[str]
    rc: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def transcript(self) -> str:
        """The command and everything it printed, for assertion messages."""
        return f"$ {' '.join(self.command)}\nrc={self.rc}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"

    @property
    def status(self) -> str:
        """The ad hoc status of localhost: CHANGED, SUCCESS or FAILED."""
        return self._adhoc()[0]

    @property
    def result(self) -> dict[str, Any]:
        """The ad hoc result of localhost (the JSON after `localhost | STATUS =>`)."""
        return self._adhoc()[1]

    def _adhoc(self) -> tuple[str, dict[str, Any]]:
        for text in (self.stdout, self.stderr):
            found = list(_ADHOC_RESULT.finditer(text))
            if found:
                result, _end = json.JSONDecoder().raw_decode(text, found[-1].end())
                return found[-1].group("status"), result
        raise AssertionError(f"no ad hoc result for localhost in the output:\n{self.transcript}")

    def recap(self) -> dict[str, dict[str, int]]:
        """PLAY RECAP counts per host."""
        return {
            match.group("host"): {key: int(value) for key, value in match.groupdict().items() if key != "host"}
            for match in _RECAP.finditer(self.stdout)
        }


class Ansible:
    """Runs the ansible CLIs against one emulator with a clean environment.

    By default the modules get their connection only from environment variables (AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_URL), as issue 3's ad hoc example does. `env` overrides take a value
    to set or None to remove a variable.
    """

    def __init__(self, server: EmulatorServer, home: Path, collections: str) -> None:
        self.server = server
        self.home = home
        self.collections = collections

    def environment(self, overrides: Optional[dict[str, Optional[str]]] = None) -> dict[str, str]:
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "ANSIBLE_", "BOTO"))
            and key.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "pythonpath")
        }
        env = {
            **inherited,
            "ANSIBLE_COLLECTIONS_PATH": self.collections,
            # Only the installed copy: never a collection found on sys.path (the source tree is on PYTHONPATH).
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_HOME": str(self.home / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(self.home / "ansible-tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            # Without these, every run warns about the implicit localhost; tests look for the module's warnings.
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "NO_PROXY": "127.0.0.1,localhost",
            # Empty AWS configuration: no profile or region of the machine can make a test pass or fail.
            "AWS_CONFIG_FILE": str(self.home / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.home / "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
            "AWS_URL": self.server.endpoint,
        }
        for key, value in (overrides or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def run(self, command: list[str], env: Optional[dict[str, Optional[str]]] = None) -> Outcome:
        completed = subprocess.run(
            command,
            env=self.environment(env),
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        return Outcome(command, completed.returncode, completed.stdout, completed.stderr)

    def adhoc(
        self,
        args: str,
        *flags: str,
        module: str = MODULE,
        env: Optional[dict[str, Optional[str]]] = None,
    ) -> Outcome:
        """`ansible localhost -m MODULE -a ARGS [FLAGS]`."""
        return self.run([ansible_bin("ansible"), "localhost", "-m", module, "-a", args, *flags], env)

    def playbook(self, playbook: str, *flags: str, env: Optional[dict[str, Optional[str]]] = None) -> Outcome:
        """`ansible-playbook PLAYBOOKS/playbook [FLAGS]`."""
        return self.run([ansible_bin("ansible-playbook"), str(PLAYBOOKS / playbook), *flags], env)


@pytest.fixture(scope="session")
def ansible_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("ansible")
    (home / "aws-config").write_text("")
    (home / "aws-credentials").write_text("")
    return home


@pytest.fixture
def ansible(emulator: EmulatorServer, ansible_home: Path, installed_collection: str) -> Ansible:
    """The ansible CLIs against this worker's (freshly reset) emulator."""
    return Ansible(emulator, ansible_home, installed_collection)


@pytest.fixture
def tls_ansible(tls_emulator: EmulatorServer, ansible_home: Path, installed_collection: str) -> Ansible:
    """The ansible CLIs against the HTTPS emulator."""
    return Ansible(tls_emulator, ansible_home, installed_collection)


# ---------------------------------------------------------------------------------------------- scheduling


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a long test, started first so that it overlaps the short ones")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first: with -n 2, one worker runs them while the other works through the short tests."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what tests recorded for the reader of the log (the fault soak's counts), which -n 2 would hide."""
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            for name, value in getattr(report, "user_properties", ()):
                terminalreporter.write_line(f"{name} ({outcome}): {value}")
