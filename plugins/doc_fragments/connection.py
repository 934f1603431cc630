# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the connection options every module of this collection takes.

The names, aliases and environment variables are amazon.aws's, so one
C(module_defaults: group/cloudops.aws_lambda.aws) block serves both collections.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - AWS access key ID.
      - If not set, the E(AWS_ACCESS_KEY_ID) or E(AWS_ACCESS_KEY) environment variable is used, then
        botocore's own chain (shared credentials file, instance or container role).
      - Cannot be combined with O(profile).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key. Never shown in results, warnings or errors.
      - If not set, the E(AWS_SECRET_ACCESS_KEY) or E(AWS_SECRET_KEY) environment variable is used.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS session token, for temporary credentials. Never shown in results, warnings or errors.
      - If not set, the E(AWS_SESSION_TOKEN) environment variable is used, and as a last resort
        E(AWS_SECURITY_TOKEN), the only name some older AWX credential types inject.
    type: str
    aliases: [aws_session_token]
  profile:
    description:
      - A named profile from the AWS shared configuration files.
      - If not set, the E(AWS_PROFILE) or E(AWS_DEFAULT_PROFILE) environment variable is used.
      - Cannot be combined with O(access_key), O(secret_key) or O(session_token).
    type: str
    aliases: [aws_profile]
  region:
    description:
      - The AWS region, for example V(eu-west-1).
      - If not set, the E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variable is used, then the profile's
        configured region. The module fails with a clear message when none of these gives one.
    type: str
    aliases: [aws_region]
  endpoint_url:
    description:
      - Use this URL instead of AWS's endpoints, for example a local emulator. It applies to every AWS API the module
        calls (Lambda, and the services a destination preflight reads).
      - If not set, the E(AWS_URL) environment variable is used, then botocore's own E(AWS_ENDPOINT_URL) and
        per-service variables such as E(AWS_ENDPOINT_URL_LAMBDA) (use those to point only Lambda elsewhere).
    type: str
    aliases: [aws_endpoint_url]
  validate_certs:
    description:
      - When V(false), TLS certificates are not verified and the module warns that they were not.
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - A CA bundle file to verify the endpoint's TLS certificate with.
      - If not set, the E(AWS_CA_BUNDLE) environment variable is used.
    type: path
  aws_config:
    description:
      - Extra parameters for botocore's C(Config) object, for example C(connect_timeout) or C(proxies).
      - See U(https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html).
    type: dict
  max_attempts:
    description:
      - How many times one API call is attempted when AWS throttles it (HTTP 429 C(TooManyRequestsException))
        or fails with a server error (HTTP 5xx), counting the first attempt.
      - botocore's retry mode does the retrying, with exponential backoff and jitter capped at 20 seconds.
    type: int
    default: 10
  retry_timeout:
    description:
      - How many seconds a write keeps retrying errors botocore does not retry but which pass on their own.
      - Those are C(ResourceConflictException) (another write to a config of the same function was in progress)
        and the errors Lambda returns right after a destination or the execution role's policy was created
        (C(The destination ARN ... is invalid.), C(... does not have permissions ...)). Modules with a destination
        preflight retry those two only when the destination exists and the role is allowed; otherwise they fail
        at once, naming the cause.
      - An endpoint that refuses connections or does not answer is tried 3 times (10 seconds to connect each),
        then the module fails saying so.
      - V(0) turns this retry off.
    type: int
    default: 60
requirements:
  - python >= 3.9
  - botocore >= 1.34.0
notes:
  - Credentials come only from the options above, their environment variables and botocore's own chain;
    nothing secret is logged or returned.
  - Lambda allows 15 control-plane requests per second per account and region, shared by every tool.
"""

    ATTRIBUTES = r"""
attributes:
  action_group:
    description: Use C(group/cloudops.aws_lambda.aws) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudops.aws_lambda.aws
"""
