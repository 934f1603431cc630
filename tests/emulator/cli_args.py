"""Command-line fault flags, shared by the server (``__main__``) and the launcher (``ctl``).

Kept free of moto/werkzeug imports so ``ctl`` starts and stops quickly.
"""

from __future__ import annotations

import argparse

from .faults import FaultSettings

FAULT_FLAGS = (
    "throttle_rps",
    "throttle_rate",
    "conflict_rate",
    "error_rate",
    "latency_ms",
    "propagation_failures",
    "permission_propagation_failures",
)


def add_fault_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fault injection (all off by default)")
    group.add_argument("--throttle-rps", type=float, default=0.0, help="token-bucket quota for Lambda calls (AWS: 15)")
    group.add_argument("--throttle-rate", type=float, default=0.0, help="share of Lambda calls answered 429 (0-1)")
    group.add_argument("--conflict-rate", type=float, default=0.0, help="share of config writes answered 409 (0-1)")
    group.add_argument("--error-rate", type=float, default=0.0, help="share of Lambda calls answered 500 (0-1)")
    group.add_argument("--latency-ms", type=float, default=0.0, help="latency added to every Lambda call")
    group.add_argument(
        "--propagation-failures", type=int, default=0, help="next N Put/Update naming a destination fail"
    )
    group.add_argument(
        "--permission-propagation-failures",
        type=int,
        default=0,
        help="next N Put/Update naming a destination fail 'does not have permissions'",
    )
    group.add_argument(
        "--denied-actions",
        type=_action_list,
        default=[],
        metavar="A,B",
        help="IAM actions answered AccessDenied, comma-separated, wildcards allowed (sqs:GetQueueUrl,sns:*)",
    )
    group.add_argument("--seed", type=int, default=None, help="seed for the fault RNG (reproducible runs)")
    events = parser.add_argument_group("events (cloudtrail_events.py)")
    events.add_argument(
        "--cloudtrail-queue", metavar="NAME", help="send config writes' CloudTrail events to this queue"
    )


def _action_list(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def fault_settings(args: argparse.Namespace) -> FaultSettings:
    return FaultSettings(**{flag: getattr(args, flag) for flag in (*FAULT_FLAGS, "denied_actions", "seed")})


def fault_argv(args: argparse.Namespace) -> list[str]:
    """The flags again, as a command line (only those that are set)."""
    argv = []
    for flag in FAULT_FLAGS:
        value = getattr(args, flag)
        if value:
            argv += [f"--{flag.replace('_', '-')}", str(value)]
    if args.denied_actions:
        argv += ["--denied-actions", ",".join(args.denied_actions)]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.cloudtrail_queue:
        argv += ["--cloudtrail-queue", args.cloudtrail_queue]
    return argv
