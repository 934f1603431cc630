"""Benchmarks that print numbers (never timed assertions): API calls per task, ad hoc wall time, region scan.

    .venv/bin/python benchmarks/run.py               # everything (make benchmark)
    .venv/bin/python benchmarks/run.py calls adhoc   # some sections
    .venv/bin/python benchmarks/run.py region --functions 300 --latency-ms 20
    .venv/bin/python benchmarks/run.py configs --functions 300 --latency-ms 20 100
    .venv/bin/python benchmarks/run.py audit --functions 300 --latency-ms 20 100
    .venv/bin/python benchmarks/run.py regions --regions 1 2 4 --per-region 30 60 90 --svg docs/performance-regions.svg
    .venv/bin/python benchmarks/run.py repair        # drift repair by the EDA rulebook (builds .venv-eda)

Every section starts its own emulator server on 127.0.0.1 (stopped by PID) and runs the modules through the
`ansible` command, as users do. Calls are counted from the emulator's request log.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
FIXTURES = ROOT / "tests" / "support" / "world.py"
CTL = "ansible_collections.cloudops.aws_lambda.tests.emulator.ctl"
MODULE = "cloudops.aws_lambda.lambda_event_invoke_config"
INFO = "cloudops.aws_lambda.lambda_event_invoke_config_info"
CONFIGS = "cloudops.aws_lambda.lambda_event_invoke_configs"
REGION = "us-east-1"
QUOTA = 15.0  # Lambda control-plane requests per second per account and region


def collections_dir() -> Path:
    """A directory holding ansible_collections/cloudops/aws_lambda -> this checkout."""
    # one directory per checkout: two checkouts (worktrees) benchmarking side by side must not run each other's code
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    base = Path(tempfile.gettempdir()) / f"cloudops-aws-lambda-bench-{digest}"
    link = base / "ansible_collections" / "cloudops" / "aws_lambda"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(ROOT, target_is_directory=True)
    return base


sys.path.insert(0, str(collections_dir()))
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.pacing import IAM_RATE_LIMIT
from ansible_collections.cloudops.aws_lambda.tests.support import request_log  # importable only after the line above

ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
    "PYTHONPATH": str(collections_dir()),
    "ANSIBLE_COLLECTIONS_PATH": str(collections_dir()),
    "ANSIBLE_LIBRARY": str(ROOT / "benchmarks" / "modules"),
    "ANSIBLE_LOCALHOST_WARNING": "false",
    "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
    "ANSIBLE_PYTHON_INTERPRETER": str(VENV_BIN / "python"),
}


class Emulator:
    def __init__(self, **faults: object) -> None:
        self.state = Path(tempfile.mkdtemp(prefix="bench-emulator-"))
        self.faults = [f"--{key.replace('_', '-')}={value}" for key, value in faults.items()]

    def __enter__(self) -> Emulator:
        command = [VENV_BIN / "python", "-m", CTL, "start", "--state-dir", self.state, *self.faults]
        subprocess.run(command, env=ENV, check=True, capture_output=True)
        self.endpoint = (self.state / "endpoint").read_text().strip()
        return self

    def __exit__(self, *exc_info: object) -> None:
        command = [VENV_BIN / "python", "-m", CTL, "stop", "--state-dir", self.state]
        subprocess.run(command, env=ENV, check=False, capture_output=True)

    def control(self, path: str, method: str = "GET", body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.endpoint}/_emulator/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def calls(self) -> list[dict]:
        return [r for r in self.control("requests")["requests"] if r["service"] == "lambda"]

    def clear(self) -> None:
        self.control("requests", "DELETE")

    def fixtures(self, prefix: str, functions: int = 1) -> dict:
        command = [VENV_BIN / "python", FIXTURES, "create", "--prefix", prefix, "--endpoint-url", self.endpoint]
        output = subprocess.run([*command, "--functions", str(functions)], env=ENV, check=True, capture_output=True)
        return json.loads(output.stdout)


def adhoc(module: str, args: str, *flags: str) -> tuple[float, dict]:
    """Run `ansible localhost -m module -a args` and return (seconds, result)."""
    start = time.monotonic()
    completed = subprocess.run(
        ["ansible", "localhost", "-o", "-m", module, "-a", args, *flags],
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - start
    # one-line output: "localhost | SUCCESS => {...}" (the json callback is not in ansible-core)
    status, _arrow, payload = completed.stdout.partition(" => ")
    result = json.loads(payload)
    result.setdefault("failed", "FAILED" in status)
    return elapsed, result


# ---------------------------------------------------------------------------------------------- sections


def section_calls(_args: argparse.Namespace) -> None:
    """API calls per task, next to the minimum any tool needs (a read to know, a write to change), and what the
    destination preflight costs on top in check mode (reads of other services, listed apart)."""
    with Emulator() as emulator:
        world = emulator.fixtures("calls")
        function = world["functions"][0]["name"]
        queue, topic, bucket = world["queue"]["arn"], world["topic"]["arn"], world["bucket"]["arn"]
        rows = []
        for qualifier in ("$LATEST", "live"):
            base = f"function_name={function} qualifier={qualifier} endpoint_url={emulator.endpoint}"
            steps = [
                ("create, check mode", f"{base} maximum_retry_attempts=1 on_failure={queue}", ["--check"], "reads"),
                ("create", f"{base} maximum_retry_attempts=1 on_failure={queue}", [], 2),
                ("no change", f"{base} maximum_retry_attempts=1 on_failure={queue}", [], 1),
                ("update, check mode", f"{base} maximum_event_age_in_seconds=600", ["--check"], "reads"),
                ("update one field", f"{base} maximum_event_age_in_seconds=600", [], 2),
                ("new destinations, check", f"{base} on_success={topic} on_failure={bucket}", ["--check"], "reads"),
                ("missing queue, check", f"{base} on_failure={queue}-typo", ["--check"], "reads"),
                ("missing queue, real", f"{base} on_failure={queue}-typo", [], "2, fails"),
                ("remove a destination", f"{base} on_failure=''", [], 2),
                ("delete, check mode", f"{base} state=absent", ["--check"], "reads"),
                ("delete", f"{base} state=absent", [], 2),
                ("delete, already gone", f"{base} state=absent", [], 1),
            ]
            for label, args, flags, minimum in steps:
                emulator.clear()
                seconds, result = adhoc(MODULE, args, *flags)
                log = emulator.control("requests")["requests"]
                operations = [op.replace("FunctionEventInvokeConfig", "") for op in request_log.lambda_calls(log)]
                writes = request_log.writes(log)
                elsewhere = request_log.calls_elsewhere(log)
                outcome = "failed" if result.get("failed") else result.get("changed")
                row = (qualifier, label, outcome, len(operations), minimum, writes, operations, elsewhere, seconds)
                rows.append(row)
    print("\nAPI calls per task (module run through `ansible localhost -m`; seconds include starting ansible)")
    print(f"{'qualifier':9} {'task':24} {'changed':7} {'calls':5} {'minimum':9} {'seconds':7} Lambda calls | other")
    for qualifier, label, changed, count, minimum, _writes, operations, elsewhere, seconds in rows:
        other = f" | {', '.join(elsewhere)}" if elsewhere else ""
        calls = ", ".join(operations)
        print(f"{qualifier:9} {label:24} {changed!s:7} {count:<5} {minimum!s:9} {seconds:<7.2f} {calls}{other}")
    check_rows = [row for row in rows if "check" in row[1]]
    print(f"check mode writes: {sum(len(row[5]) for row in check_rows)} (must be 0)")


def section_adhoc(args: argparse.Namespace) -> None:
    """Wall time of an ad hoc no-change run of the module vs a bare boto3 Get module, interleaved, medians."""
    with Emulator() as emulator:
        world = emulator.fixtures("adhoc")
        function = world["functions"][0]["name"]
        base = f"function_name={function} endpoint_url={emulator.endpoint}"
        adhoc(MODULE, f"{base} maximum_retry_attempts=1")  # create, and warm the caches
        ours, bare = [], []
        for _run in range(args.runs):
            ours.append(adhoc(MODULE, f"{base} maximum_retry_attempts=1")[0])
            bare.append(adhoc("boto3_get_event_invoke_config", base)[0])
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"\nAd hoc wall time, median of {args.runs} interleaved runs each (`ansible localhost -m ...`)")
    print(f"  {MODULE} (no change, 1 Get): {statistics.median(ours):.3f} s  (runs: {fmt(ours)})")
    print(f"  bare boto3 Get module:        {statistics.median(bare):.3f} s  (runs: {fmt(bare)})")
    print(f"  ratio: {ratio:.3f} (target <= 1.15)")


def fmt(values: list[float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def section_region(args: argparse.Namespace) -> None:
    """Region-wide listing under Lambda's quota: the info module vs a sequential boto3 loop, same emulator."""
    with Emulator() as emulator:
        print(f"\nRegion-wide listing: creating {args.functions} functions (half with configs)...", flush=True)
        world = emulator.fixtures("scan", functions=args.functions)
        client = boto3_client(emulator.endpoint)
        for function in world["functions"][::2]:
            client.put_function_event_invoke_config(FunctionName=function["name"], MaximumRetryAttempts=0)
        print(f"  {args.functions} functions, quota {QUOTA:.0f} requests/s (HTTP 429 above it)")
        print(
            f"  {'latency':>7}  {'approach':38} {'calls':>5} {'429s':>5} {'failed':>6} {'configs':>7} {'seconds':>8} "
            f"{'floor':>6} ratio"
        )
        for latency in args.latency_ms:
            emulator.control("faults", "POST", {"throttle_rps": QUOTA, "latency_ms": latency})
            for label, calls, throttled, failed, configs, seconds in (
                run_info(emulator),
                run_sequential(emulator, client),
            ):
                floor = calls / QUOTA
                print(
                    f"  {latency:>5}ms  {label:38} {calls:>5} {throttled:>5} {failed!s:>6} {configs:>7} "
                    f"{seconds:>8.1f} {floor:>6.1f} {seconds / floor:.2f}"
                )
            emulator.control("faults", "POST", {"throttle_rps": 0, "latency_ms": 0})
    print("  floor = calls / 15 s, the fastest any client can go under the quota; target ratio <= 1.25, no failure;")
    print("  the info module's time includes starting ansible (about 1 s)")


def boto3_client(endpoint: str):
    import boto3  # only this section needs it

    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"],
    )


def run_info(emulator: Emulator) -> tuple:
    emulator.clear()
    seconds, result = adhoc(INFO, f"endpoint_url={emulator.endpoint}")
    calls = emulator.calls()
    throttled = request_log.throttled(calls)
    configs = len(result.get("event_invoke_configs", []))
    return (INFO.rsplit(".", maxsplit=1)[-1], len(calls), throttled, bool(result.get("failed")), configs, seconds)


def run_sequential(emulator: Emulator, client) -> tuple:
    """The naive loop: ListFunctions, then one list per function, one after another, boto3 defaults."""
    emulator.clear()
    start, configs, failed = time.monotonic(), 0, False
    try:
        for page in client.get_paginator("list_functions").paginate():
            for function in page["Functions"]:
                listed = client.list_function_event_invoke_configs(FunctionName=function["FunctionName"])
                configs += len(listed["FunctionEventInvokeConfigs"])
    except Exception:  # a throttled call that ran out of boto3's default 3 attempts
        failed = True
    seconds = time.monotonic() - start
    calls = emulator.calls()
    return (
        "sequential boto3 loop (default retries)",
        len(calls),
        request_log.throttled(calls),
        failed,
        configs,
        seconds,
    )


def playbook(directory: Path, name: str, tasks: list[dict], variables: dict) -> Path:
    """A one-play playbook on localhost with the emulator's endpoint in module_defaults (JSON is valid YAML)."""
    path = directory / f"{name}.yml"
    play = {
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": variables,
        "module_defaults": {"group/cloudops.aws_lambda.aws": {"endpoint_url": "{{ endpoint }}"}},
        "tasks": tasks,
    }
    path.write_text(json.dumps([play]))
    return path


def run_playbook(path: Path) -> tuple[float, bool]:
    start = time.monotonic()
    completed = subprocess.run(["ansible-playbook", str(path)], env=ENV, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    if completed.returncode != 0:
        print(completed.stdout[-3000:], completed.stderr[-3000:])
    return seconds, completed.returncode == 0


def section_configs(args: argparse.Namespace) -> None:
    """A region's configs as one desired state (lambda_event_invoke_configs) under the quota, each step beside its
    floor (calls / 15), and the single module in a loop over the same configs."""
    work = Path(tempfile.mkdtemp(prefix="bench-configs-"))
    with Emulator() as emulator:
        print(f"\nDesired state of a region: creating {args.functions} functions...", flush=True)
        world = emulator.fixtures("cfg", functions=args.functions)
        names = [function["name"] for function in world["functions"]]
        queue = world["queue"]["arn"]
        wanted = [{"function_name": n, "maximum_retry_attempts": 1, "on_failure": queue} for n in names]
        base = {"endpoint": emulator.endpoint, "wanted": wanted, "scope": [f"{names[0].rsplit('-', 1)[0]}-*"]}
        configs = {"name": "Apply", CONFIGS: {"config": "{{ wanted }}", "state": "{{ state }}", "scope": "{{ scope }}"}}
        single = {
            "name": "Apply one",
            MODULE: {
                "function_name": "{{ item.function_name }}",
                "maximum_retry_attempts": "{{ item.maximum_retry_attempts }}",
                "on_failure": "{{ item.on_failure }}",
            },
            "loop": "{{ wanted }}",
        }
        gather = {"name": "Gather", CONFIGS: {"state": "gathered", "scope": "{{ scope }}"}}
        unchecked = {**configs, CONFIGS: {**configs[CONFIGS], "preflight": "never"}}
        books = {
            "merged": playbook(work, "merged", [configs], {**base, "state": "merged"}),
            "unchecked": playbook(work, "unchecked", [unchecked], {**base, "state": "merged"}),
            "overridden": playbook(work, "overridden", [configs], {**base, "state": "overridden"}),
            "gathered": playbook(work, "gathered", [gather], base),
            "loop": playbook(work, "loop", [single], base),
        }
        client = boto3_client(emulator.endpoint)
        print(f"  {args.functions} functions, quota {QUOTA:.0f} requests/s (HTTP 429 above it); floor = calls / 15 s")
        print(f"  {'latency':>7}  {'step':44} {'calls':>5} {'429s':>5} {'ok':>3} {'seconds':>8} {'floor':>6} ratio")
        for latency in args.latency_ms:
            steps = [
                ("merged, changing all (creates)", "merged"),
                ("merged, no change (reads only)", "merged"),
                ("gathered (scope: every function)", "gathered"),
                ("overridden, deleting 50 unlisted", "overridden"),
            ]
            timings: dict[str, float] = {}
            emulator.control("reset", "POST", {"keep_moto": True})
            for label, book in steps:
                if book == "overridden":  # 50 configs no entry names: alias live of every sixth function
                    for name in names[::6][:50]:
                        client.put_function_event_invoke_config(
                            FunctionName=name, Qualifier="live", MaximumRetryAttempts=0
                        )
                timings[label] = measured_step(emulator, latency, label, books[book])
            # The default real run reads each new queue or topic once for its KMS key (C19); preflight=never does not
            # (1.1.0's default real run). Side by side on the same creates: the key check's cost.
            emulator.control("reset", "POST", {"keep_moto": True})
            unchecked_create = measured_step(emulator, latency, "merged, creates, preflight: never", books["unchecked"])
            cost = timings["merged, changing all (creates)"] / unchecked_create - 1
            print(f"  {latency:>5}ms  the key check of new destinations costs {cost * 100:+.1f}% on the creates")
            emulator.control("reset", "POST", {"keep_moto": True})
            loop_create = measured_step(emulator, latency, "single module in a loop, creates", books["loop"])
            loop_again = measured_step(emulator, latency, "single module in a loop, no change", books["loop"])
            no_change = loop_again / timings["merged, no change (reads only)"]
            changing = loop_create / timings["merged, changing all (creates)"]
            print(f"  {latency:>5}ms  vs the loop: no-change run {no_change:.1f}x faster; changing all {changing:.1f}x")
    print(
        "  targets: every step <= 1.25x its floor with 0 throttled calls at 20 ms; no-change run >= 5x the loop; the "
        "key check <= 5% on the creates"
    )


def section_refusals(args: argparse.Namespace) -> None:
    """One mistyped queue named by a glob over every function: what the mistake costs under the quota (refused
    writes, seconds, the failure message's size), in check mode and in a real run."""
    with Emulator() as emulator:
        print(f"\nOne missing destination over {args.functions} functions: creating them...", flush=True)
        world = emulator.fixtures("ref", functions=args.functions)
        pattern = f"{world['functions'][0]['name'].rsplit('-', 1)[0]}-*"
        typo = {"function_name": pattern, "maximum_retry_attempts": 1, "on_failure": world["queue"]["arn"] + "-typo"}
        # issue 22: a glob with a qualifier the functions lack; creates on it read GetFunction (own quota) first
        alias = {"function_name": pattern, "qualifier": "nosuchalias", "maximum_retry_attempts": 1}
        print(f"  quota {QUOTA:.0f} requests/s; floor = the shared-quota calls / 15 s")
        print(
            f"  {'latency':>7}  {'run':22} {'Puts':>5} {'calls':>5} {'429s':>5} {'seconds':>8} {'floor':>6} {'msg':>9}"
        )
        cases = [
            (f"{kind}, {label}", json.dumps({"config": [entry], "endpoint_url": emulator.endpoint}), flags)
            for kind, entry in (("queue typo", typo), ("no alias", alias))
            for label, flags in (("check", ("--check",)), ("real", ()))
        ]
        for latency in args.latency_ms:
            for label, task, flags in cases:
                emulator.control("faults", "POST", {"throttle_rps": QUOTA, "latency_ms": latency})
                emulator.clear()
                seconds, result = adhoc(CONFIGS, task, *flags)
                calls = emulator.calls()
                emulator.control("faults", "POST", {"throttle_rps": 0, "latency_ms": 0})
                puts = sum(call["operation"] == "PutFunctionEventInvokeConfig" for call in calls)
                floor = sum(call["operation"] != "GetFunction" for call in calls) / QUOTA
                failed = len(result.get("failed_configs", []))
                print(
                    f"  {latency:>5}ms  {label:22} {puts:>5} {len(calls):>5} {request_log.throttled(calls):>5} "
                    f"{seconds:>8.1f} {floor:>6.1f} {len(result.get('msg', '')):>7} B  ({failed} failed configs)",
                    flush=True,
                )
    print(
        "  targets: at most 1 refused Put for the queue typo, 0 for the missing alias; msg under 2 KB; the real run "
        "fails within 5 s of its reads' floor"
    )


def measured_step(emulator: Emulator, latency: int, label: str, book: Path) -> float:
    emulator.control("faults", "POST", {"throttle_rps": QUOTA, "latency_ms": latency})
    emulator.clear()
    seconds, ok = run_playbook(book)
    calls = emulator.calls()
    emulator.control("faults", "POST", {"throttle_rps": 0, "latency_ms": 0})
    throttled = request_log.throttled(calls)
    shared = [call for call in calls if call["operation"] != "GetFunction"]  # GetFunction has its own quota
    floor = len(shared) / QUOTA
    print(
        f"  {latency:>5}ms  {label:44} {len(calls):>5} {throttled:>5} {'yes' if ok else 'NO':>3} {seconds:>8.1f} "
        f"{floor:>6.1f} {seconds / floor if floor else 0:.2f}",
        flush=True,
    )
    return seconds


def section_audit(args: argparse.Namespace) -> None:
    """The destination audit of a region (lambda_event_invoke_config_info check_destinations: true) under Lambda's
    quota, beside the floor of its List calls (GetFunction has its own quota) and the same listing without the
    audit; then the same region with one execution role per function, where IAM's pace (5 simulations/s) decides."""
    with Emulator() as emulator:
        print(f"\nDestination audit: creating {args.functions} functions (half with a config)...", flush=True)
        world = emulator.fixtures("audit", functions=args.functions)
        client = boto3_client(emulator.endpoint)
        kinds = [
            ("OnFailure", world["queue"]["arn"]),
            ("OnSuccess", world["topic"]["arn"]),
            ("OnFailure", world["bucket"]["arn"]),
            ("OnSuccess", world["event_bus"]["arn"]),
        ]
        configured = world["functions"][::2]
        for index, function in enumerate(configured):
            half, arn = kinds[index % len(kinds)]
            client.put_function_event_invoke_config(
                FunctionName=function["name"], MaximumRetryAttempts=0, DestinationConfig={half: {"Destination": arn}}
            )
        print(f"  {args.functions} functions, {len(configured)} configs over 4 destinations; quota {QUOTA:.0f}/s")
        header = (
            f"{'List':>5} {'GetFn':>5} {'other':>5} {'429s':>5} {'findings':>8} {'seconds':>8} {'floor':>6} "
            f"{'IAM fl':>6} ratio"
        )
        print(f"  {'latency':>7}  {'roles':9} {'run':26} {header}")
        for latency in args.latency_ms:
            for label, extra in (("listing only", ""), ("check_destinations: true", " check_destinations=true")):
                audit_row(emulator, latency, "one", label, extra)
        print(f"  giving each of the {len(configured)} configured functions a role of its own...", flush=True)
        own_roles(emulator, client, configured, kinds)
        for latency in args.latency_ms:
            audit_row(emulator, latency, "per fn", "check_destinations: true", " check_destinations=true")
    print("  List = shared-quota Lambda calls (floor = List / 15 s); GetFn = GetFunction (own quota); other = reads of")
    print("  other services (one per distinct destination) and IAM simulations (IAM fl = simulations / 5 s); ratio =")
    print("  seconds / the larger floor; target: <= 1.25 with 0 throttled calls; times include starting ansible (~1 s)")


def audit_row(emulator: Emulator, latency: int, roles: str, label: str, extra: str) -> None:
    emulator.control("faults", "POST", {"throttle_rps": QUOTA, "latency_ms": latency})
    emulator.clear()
    seconds, result = adhoc(INFO, f"endpoint_url={emulator.endpoint}{extra}")
    log = emulator.control("requests")["requests"]
    emulator.control("faults", "POST", {"throttle_rps": 0, "latency_ms": 0})
    calls = [entry for entry in log if entry["service"] == "lambda"]
    shared = [call for call in calls if call["operation"] != "GetFunction"]
    elsewhere = request_log.calls_elsewhere(log)
    findings = len(result["findings"]) if "findings" in result else "-"
    list_floor = len(shared) / QUOTA
    # IAM's floor: the simulations at the collection's IAM pace; the audit cannot beat the larger of the two
    iam_floor = sum(call == "iam:SimulatePrincipalPolicy" for call in elsewhere) / IAM_RATE_LIMIT
    floor = max(list_floor, iam_floor)
    failed = " FAILED" if result.get("failed") else ""
    counts = f"{len(shared):>5} {len(calls) - len(shared):>5} {len(elsewhere):>5} {request_log.throttled(calls):>5}"
    print(
        f"  {latency:>5}ms  {roles:9} {label:26} {counts} {findings!s:>8} {seconds:>8.1f} {list_floor:>6.1f} "
        f"{iam_floor:>6.1f} {seconds / floor:.2f}{failed}",
        flush=True,
    )


def own_roles(emulator: Emulator, client, functions: list[dict], kinds: list[tuple[str, str]]) -> None:
    """A role per function, allowed to deliver to that function's destination."""
    import boto3  # only this section needs it

    iam = boto3.client(
        "iam",
        endpoint_url=emulator.endpoint,
        region_name=REGION,
        aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"],
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    actions = {"sqs": ["sqs:SendMessage"], "sns": ["sns:Publish"], "events": ["events:PutEvents"]}
    for index, function in enumerate(functions):
        arn = kinds[index % len(kinds)][1]
        service = arn.split(":")[2]
        resources = [arn, f"{arn}/*"] if service == "s3" else [arn]
        allowed = actions.get(service, ["s3:PutObject", "s3:ListBucket"])
        name = f"{function['name']}-own-role"
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": allowed, "Resource": resources}]}
        iam.put_role_policy(RoleName=name, PolicyName="destination", PolicyDocument=json.dumps(policy))
        client.update_function_configuration(FunctionName=function["name"], Role=role)


# ---------------------------------------------------------------------------------------------- regions at once

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")  # the hosts of the R-region runs, in order


def section_regions(args: argparse.Namespace) -> None:
    """R regions at once: one inventory host per region, forks = R, lambda_event_invoke_configs over N functions in
    each. AWS (and now the emulator) keeps the 15 requests/s per account and region, so R regions should take what
    one takes: each step beside its floor, the busiest region's calls / 15 s."""
    counts = sorted(set(args.regions))
    sizes = sorted(set(args.per_region))
    if not counts or max(counts) > len(REGIONS) or min(counts) < 1:
        raise SystemExit(f"--regions: 1 to {len(REGIONS)}")
    latency = args.latency_ms[0]
    work = Path(tempfile.mkdtemp(prefix="bench-regions-"))
    regions = REGIONS[: max(counts)]
    rows: list[dict] = []
    with Emulator() as emulator:
        print(f"\nRegions at once: creating {max(sizes)} functions in each of {len(regions)} regions...", flush=True)
        worlds = _worlds_per_region(emulator, regions, max(sizes))
        print(
            f"  quota {QUOTA:.0f} requests/s per region (HTTP 429 above it), {latency} ms per call; floor = the "
            "busiest region's calls / 15 s"
        )
        print(
            f"  {'regions':>7} {'functions':>9}  {'step':30} {'calls':>5} {'per region':>10} {'429s':>4} {'ok':>3} "
            f"{'seconds':>7} {'floor':>5} {'ratio':>5} {'one bucket':>10}"
        )
        starts = {}
        for count in counts:  # what starting ansible-playbook and one module per host costs, without any AWS call
            hosts = {region: [] for region in regions[:count]}
            book, inventory = _regions_playbook(work, emulator.endpoint, hosts, task={"ansible.builtin.ping": {}})
            starts[count] = median_seconds(book, inventory, count)
            print(f"  {count:>7} {'-':>9}  {'start (ping, no AWS call)':30} {'':>32} {starts[count]:>7.1f}")
        for size in sizes:
            for count in counts:
                hosts = {region: worlds[region][:size] for region in regions[:count]}
                book, inventory = _regions_playbook(work, emulator.endpoint, hosts)
                emulator.control("reset", "POST", {"keep_moto": True})
                for step in ("merged, creating all", "merged, no change"):
                    row = _regions_step(emulator, latency, book, inventory, count, size, step)
                    rows.append({**row, "start": starts[count]})
    print("  one bucket = all regions' calls / 15 s: what a single quota for every region (the emulator before this")
    print("  change) would impose; start = ansible-playbook and a module per host, no call (median of 3), which")
    print("  every step pays on top of its floor")
    if args.svg:
        Path(args.svg).write_text(regions_svg(rows, latency))
        print(f"  picture: {args.svg}")


def median_seconds(book: Path, inventory: Path, forks: int, runs: int = 3) -> float:
    timings = []
    for _run in range(runs):
        start = time.monotonic()
        command = ["ansible-playbook", "-i", str(inventory), "-f", str(forks), str(book)]
        subprocess.run(command, env=ENV, capture_output=True, check=True)
        timings.append(time.monotonic() - start)
    return statistics.median(timings)


def _worlds_per_region(emulator: Emulator, regions: tuple[str, ...], functions: int) -> dict[str, list[dict]]:
    """world.py in every region at once (one process each); returns each region's functions and queue."""
    processes = {}
    for index, region in enumerate(regions, start=1):
        command = [VENV_BIN / "python", FIXTURES, "create", "--prefix", f"rg{index}", "--region", region]
        command += ["--endpoint-url", emulator.endpoint, "--functions", str(functions)]
        processes[region] = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    worlds = {}
    for region, process in processes.items():
        out, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"world.py in {region} failed: {err.decode()[-2000:]}")
        world = json.loads(out)
        queue = world["queue"]["arn"]
        worlds[region] = [
            {"function_name": f["name"], "maximum_retry_attempts": 1, "on_failure": queue} for f in world["functions"]
        ]
    return worlds


def _regions_playbook(
    work: Path, endpoint: str, hosts: dict[str, list[dict]], task: dict | None = None
) -> tuple[Path, Path]:
    """An inventory with one local host per region (its region and desired configs as host vars), and a play that
    applies them (or runs ``task``): R hosts, run with forks = R, so the regions go at once."""
    tag = f"{len(hosts)}x{len(next(iter(hosts.values())))}{'-start' if task else ''}"
    inventory = work / f"inventory-{tag}.yml"
    host_vars = {
        region: {
            "ansible_connection": "local",
            "ansible_python_interpreter": str(VENV_BIN / "python"),
            "bench_region": region,
            "wanted": wanted,
        }
        for region, wanted in hosts.items()
    }
    inventory.write_text(json.dumps({"all": {"hosts": host_vars}}))
    book = work / f"regions-{tag}.yml"
    task = task or {
        "name": "Apply",
        CONFIGS: {"config": "{{ wanted }}", "state": "merged", "region": "{{ bench_region }}"},
    }
    play = {
        "hosts": "all",
        "gather_facts": False,
        "vars": {"endpoint": endpoint},
        "module_defaults": {"group/cloudops.aws_lambda.aws": {"endpoint_url": "{{ endpoint }}"}},
        "tasks": [task],
    }
    book.write_text(json.dumps([play]))
    return book, inventory


def _regions_step(
    emulator: Emulator, latency: int, book: Path, inventory: Path, count: int, size: int, step: str
) -> dict:
    emulator.control("faults", "POST", {"throttle_rps": QUOTA, "latency_ms": latency})
    emulator.clear()
    start = time.monotonic()
    command = ["ansible-playbook", "-i", str(inventory), "-f", str(count), str(book)]
    completed = subprocess.run(command, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    calls = emulator.calls()
    emulator.control("faults", "POST", {"throttle_rps": 0, "latency_ms": 0})
    if completed.returncode != 0:
        print(completed.stdout[-3000:], completed.stderr[-3000:])
    shared = [call for call in calls if call["operation"] != "GetFunction"]  # GetFunction has its own quota
    per_region: dict[str, int] = {}
    for call in shared:
        per_region[call["region"]] = per_region.get(call["region"], 0) + 1
    floor = max(per_region.values(), default=0) / QUOTA
    one_bucket = len(shared) / QUOTA
    throttled = request_log.throttled(calls)
    ok = completed.returncode == 0
    busiest = max(per_region.values(), default=0)
    print(
        f"  {count:>7} {size:>9}  {step:30} {len(calls):>5} {busiest:>10} {throttled:>4} {'yes' if ok else 'NO':>3} "
        f"{seconds:>7.1f} {floor:>5.1f} {seconds / floor if floor else 0:>5.2f} {one_bucket:>10.1f}",
        flush=True,
    )
    return {
        "regions": count,
        "functions": size,
        "step": step,
        "calls": len(calls),
        "throttled": throttled,
        "ok": ok,
        "seconds": seconds,
        "floor": floor,
        "one_bucket": one_bucket,
    }


def regions_svg(rows: list[dict], latency: int) -> str:
    """Two panels, drawn by hand (no plotting library in the pinned environment): seconds per step against
    functions per region (one line per region count, the floor dashed), and against regions at the largest size
    (beside the floor, the floor plus starting ansible, and what one quota for every region would impose)."""
    creating = [row for row in rows if row["step"] == "merged, creating all"]
    counts = sorted({row["regions"] for row in creating})
    sizes = sorted({row["functions"] for row in creating})
    largest = sorted((row for row in creating if row["functions"] == sizes[-1]), key=lambda r: r["regions"])
    width, height, panel_width = 960, 500, 400
    top, bottom = 70, 360
    colours = {1: "#1f77b4", 2: "#ff7f0e", 3: "#9467bd", 4: "#d62728"}
    # each panel its own scale: the one-quota line of the right one would flatten the left one
    y_max = _nice_ceiling(max(max(row["seconds"], row["floor"] + row["start"]) for row in creating))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16">lambda_event_invoke_configs '
        "(state merged, creating every config) in R regions at once</text>",
        f'<text x="{width / 2}" y="44" text-anchor="middle" fill="#444">one inventory host per region, forks = R; '
        f"{latency} ms per call; Lambda quota 15 requests/s per account and region</text>",
    ]

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / y_max

    def axes(left: float, x_label: str, ticks: list[tuple[float, str]]) -> None:
        right = left + panel_width - 60
        for step in range(0, 6):
            value = y_max * step / 5
            y = y_of(value)
            parts.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#e6e6e6"/>')
            parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{value:g}</text>')
        parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>')
        parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="black"/>')
        for x, label in ticks:
            parts.append(f'<text x="{x}" y="{bottom + 18}" text-anchor="middle">{label}</text>')
        parts.append(f'<text x="{(left + right) / 2}" y="{bottom + 38}" text-anchor="middle">{x_label}</text>')
        middle = (top + bottom) / 2
        parts.append(
            f'<text x="{left - 42}" y="{middle}" text-anchor="middle" '
            f'transform="rotate(-90 {left - 42} {middle})">seconds per step</text>'
        )

    def polyline(points: list[tuple[float, float]], colour: str, dash: str = "", marks: bool = True) -> None:
        pattern = f' stroke-dasharray="{dash}"' if dash else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{pattern}/>')
        if marks:
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>' for x, y in points)

    def legend(left: float, entries: list[tuple[str, str, str]]) -> None:
        for index, (label, colour, dash) in enumerate(entries):
            y = bottom + 62 + index * 19
            pattern = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{left}" y1="{y}" x2="{left + 28}" y2="{y}" stroke="{colour}" stroke-width="2.5"{pattern}/>'
            )
            parts.append(f'<text x="{left + 36}" y="{y + 4}">{label}</text>')

    floor_dash, start_dash, bucket_dash = "7 4", "2 3", "10 3 2 3"
    # left panel: against functions per region, one line per number of regions
    left = 80
    span = panel_width - 110

    def x_size(size: int) -> float:
        return left + 25 + span * (size - sizes[0]) / max(1, sizes[-1] - sizes[0])

    axes(left, "functions per region", [(x_size(size), str(size)) for size in sizes])
    floors = {size: max(row["floor"] for row in creating if row["functions"] == size) for size in sizes}
    polyline([(x_size(size), y_of(floors[size])) for size in sizes], "#555555", floor_dash, marks=False)
    for count in counts:
        mine = sorted((row for row in creating if row["regions"] == count), key=lambda r: r["functions"])
        polyline([(x_size(row["functions"]), y_of(row["seconds"])) for row in mine], colours.get(count, "#2ca02c"))
    regions_entries = [(f"{c} region{'s' if c > 1 else ''} at once", colours.get(c, "#2ca02c"), "") for c in counts]
    legend(left, [*regions_entries, ("floor: calls / 15 s in each region", "#555555", floor_dash)])

    # right panel: against the number of regions, at the largest size
    left = 80 + panel_width + 80
    y_max = _nice_ceiling(max(max(row["seconds"], row["one_bucket"]) for row in largest))

    def x_count(count: int) -> float:
        return left + 25 + span * (count - counts[0]) / max(1, counts[-1] - counts[0])

    axes(left, f"regions at once ({sizes[-1]} functions each)", [(x_count(c), str(c)) for c in counts])
    polyline([(x_count(r["regions"]), y_of(r["one_bucket"])) for r in largest], "#b0b0b0", bucket_dash)
    polyline([(x_count(r["regions"]), y_of(r["floor"])) for r in largest], "#555555", floor_dash, marks=False)
    polyline([(x_count(r["regions"]), y_of(r["floor"] + r["start"])) for r in largest], "#555555", start_dash, False)
    polyline([(x_count(r["regions"]), y_of(r["seconds"])) for r in largest], "#2ca02c")
    legend(
        left,
        [
            ("measured", "#2ca02c", ""),
            ("floor: calls / 15 s in each region", "#555555", floor_dash),
            ("floor + starting ansible (no AWS call)", "#555555", start_dash),
            ("if one quota served every region", "#b0b0b0", bucket_dash),
        ],
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _nice_ceiling(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at least the value."""
    magnitude = 10 ** max(0, len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def section_repair(_args: argparse.Namespace) -> None:
    """Drift repair (docs/eda.md): from an out-of-band change to its repair by the shipped rulebook, median of 5.

    The emulator puts the change's CloudTrail event in the queue while it answers the change, so AWS's delivery
    (best effort, typically under 90 s) is not in the figure; the rulebook's throttle window and one run of the repair
    playbook are. Builds .venv-eda (ansible-rulebook) when needed.
    """
    sys.path.insert(0, str(ROOT / "tools"))
    import bootstrap
    import boto3

    from ansible_collections.cloudops.aws_lambda.tests.support import rulebook
    from ansible_collections.cloudops.aws_lambda.tests.support import world as fixtures

    eda_venv, queue, runs, retries = bootstrap.ensure("eda"), "lambda-config-changes", 5, "MaximumRetryAttempts"
    print(f"\nDrift repair: an out-of-band change of one config, until the rulebook has put it back ({runs} runs)")
    with Emulator(cloudtrail_queue=queue) as emulator, tempfile.TemporaryDirectory(prefix="bench-eda-") as tmp:
        clients = fixtures.Clients(emulator.endpoint, REGION)
        function = emulator.fixtures("repair")["functions"][0]["name"]
        clients.sqs.create_queue(QueueName=queue)
        repair_keys, repair_arn = rulebook.identity(clients.iam, emulator.endpoint, REGION, "eda-repair")
        console_keys, _arn = rulebook.identity(clients.iam, emulator.endpoint, REGION, "console-user")
        desired = Path(tmp) / "desired.yml"
        desired.write_text(json.dumps({"config": [{"function_name": function, "maximum_retry_attempts": 1}]}))
        clients.awslambda.put_function_event_invoke_config(FunctionName=function, MaximumRetryAttempts=1)
        console = boto3.client("lambda", region_name=REGION, endpoint_url=emulator.endpoint, **console_keys)
        variables = {
            "config_changes_queue": queue,
            "repairing_identities": [repair_arn],
            "desired_state_file": str(desired),
        }
        running = rulebook.start(
            Path(tmp), eda_venv, str(collections_dir()), emulator.endpoint, REGION, repair_keys, variables
        )
        seconds = []
        try:
            for run in range(runs):
                start = time.monotonic()
                console.put_function_event_invoke_config(FunctionName=function, MaximumRetryAttempts=run % 2 * 2)
                while clients.awslambda.get_function_event_invoke_config(FunctionName=function)[retries] != 1:
                    if time.monotonic() - start > 60:
                        raise RuntimeError(f"not repaired after 60 s:\n{running.tail()}")
                    time.sleep(0.05)
                seconds.append(time.monotonic() - start)
                time.sleep(rulebook.WINDOW + 2)  # the next change starts a window of its own
        finally:
            running.stop()
    print(f"  change to repair: median {statistics.median(seconds):.1f} s ({fmt(seconds)})")
    print(
        f"  event delivery excluded: the emulator queues the event as it answers the change (AWS: best effort, "
        f"typically under 90 s); included: the {rulebook.WINDOW} s throttle window and one repair playbook run"
    )


SECTIONS = {
    "calls": section_calls,
    "adhoc": section_adhoc,
    "region": section_region,
    "configs": section_configs,
    "refusals": section_refusals,
    "audit": section_audit,
    "regions": section_regions,
    "repair": section_repair,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sections", nargs="*", help=f"default: all of {', '.join(SECTIONS)}")
    parser.add_argument("--runs", type=int, default=7, help="ad hoc runs per side (median)")
    parser.add_argument("--functions", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[20, 100], help="per-call latencies to run")
    parser.add_argument("--regions", type=int, nargs="+", default=[1, 2, 4], help="regions: how many at once")
    parser.add_argument("--per-region", type=int, nargs="+", default=[30, 60, 90], help="regions: functions each")
    parser.add_argument("--svg", help="regions: also draw the picture into this file")
    args = parser.parse_args()
    for name in args.sections or SECTIONS:
        SECTIONS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
