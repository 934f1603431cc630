"""A faithful local AWS emulator for the Lambda event-invoke-config APIs, on top of moto.

moto serves every AWS API (IAM, Lambda functions/versions/aliases, SQS, SNS, S3, EventBridge); the five
event-invoke-config operations are answered by ``event_invoke.py``, which follows
``docs/aws-behaviour.md`` instead of moto's implementation. Put/Update also check that the
execution role may use a destination, ``iam:SimulatePrincipalPolicy`` is answered from the same policy evaluator and
ListFunctions is paged like AWS. Where moto differs from AWS around them, the emulator corrects it: KMS keys and key
policies (AWS managed keys for SQS and SNS), SQS encryption attributes, Lambda function policies and dead-letter
queues; the Lambda quota is kept per account and region. Faults (throttling, conflicts, server errors, latency,
destination and permission propagation, AccessDenied for chosen IAM actions) can be injected, and every request is
logged.

- ``Emulator`` (server.py): in-process, for unit tests; see also ``pytest_plugin.py``.
- ``python -m ansible_collections.cloudops.aws_lambda.tests.emulator``: the server process (``__main__.py``).
- ``python -m ansible_collections.cloudops.aws_lambda.tests.emulator.ctl start|stop``: background, by PID.
- ``../support/world.py``: standalone boto3 script creating
  test resources (emulator or real AWS); the setup role of the integration targets runs it as a file.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Lazy, so that ``python -m ...emulator.ctl`` and fixtures.py users do not pay for importing moto.
    if name == "Emulator":
        from .server import Emulator

        return Emulator
    if name == "FaultSettings":
        from .faults import FaultSettings

        return FaultSettings
    raise AttributeError(name)
