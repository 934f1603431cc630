# -*- coding: utf-8 -*-
# Copyright: contributors to cloudops.aws_lambda
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One API call: "missing" becomes None, every other botocore failure one AwsError that says what happened.

`paginate` does the same for every page of an operation botocore has a paginator for.
"""

from __future__ import annotations

import time
from typing import Any
from typing import Callable
from typing import Collection
from typing import Iterator
from typing import Optional
from typing import TypeVar

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import NoCredentialsError
    from botocore.exceptions import SSLError
except ImportError:
    pass  # the modules report it through missing_required_lib("botocore") before any call

from ansible_collections.cloudops.aws_lambda.plugins.module_utils.connection import CONNECT_ERRORS
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import AwsError
from ansible_collections.cloudops.aws_lambda.plugins.module_utils.errors import client_error

T = TypeVar("T")


def operation_name(method: Callable[..., Any]) -> str:
    """The API's name of a client method (get_function -> GetFunction), from the client's own mapping."""
    client = getattr(method, "__self__", None)
    mapping = client.meta.method_to_api_mapping if client is not None else {}
    return str(mapping.get(method.__name__, method.__name__))


def call(method: Callable[..., T], *, missing: Collection[str] = (), **params: Any) -> Optional[T]:
    """Make one API call: None when AWS answers with one of the `missing` error codes, the response otherwise;
    every other botocore failure becomes an AwsError that says what happened."""
    return _reported(operation_name(method), missing, lambda: method(**params))


def pages(
    client: Any, method_name: str, *, missing: Collection[str] = (), **params: Any
) -> Iterator[Optional[dict[str, Any]]]:
    """Every page of an operation, from botocore's paginator (PaginationConfig={"PageSize": N} sets the page size),
    each fetched as `call` makes a call. A page that is None means AWS answered one of the `missing` codes; it is
    the last one. A generator, so the first pages can be worked on while the next ones are read."""
    operation = operation_name(getattr(client, method_name))
    iterator = iter(client.get_paginator(method_name).paginate(**params))
    done = object()
    while True:
        page = _reported(operation, missing, lambda: next(iterator, done))
        if page is done:
            return
        yield page  # type: ignore[misc]
        if page is None:
            return


def _reported(operation: str, missing: Collection[str], make: Callable[[], T]) -> Optional[T]:
    start = time.monotonic()
    try:
        return make()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in missing:
            return None
        raise client_error(operation, error, time.monotonic() - start) from None
    except SSLError as error:
        raise AwsError(
            f"{operation}: TLS certificate verification failed ({error}). Set aws_ca_bundle to the CA bundle that "
            "signed the endpoint's certificate, or validate_certs: false to skip the check (not for production)."
        ) from None
    except CONNECT_ERRORS as error:
        attempts = getattr(error, "attempts", 1)
        raise AwsError(
            f"{operation}: no answer from the endpoint after {attempts} attempt{'s' if attempts != 1 else ''} over "
            f"{time.monotonic() - start:.1f} s ({error}). Check endpoint_url (or AWS_URL, AWS_ENDPOINT_URL), the "
            "region, and the network or proxy between here and AWS."
        ) from None
    except NoCredentialsError:
        raise AwsError(
            f"{operation}: no AWS credentials found. Set access_key and secret_key, or profile, or the "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables."
        ) from None
    except BotoCoreError as error:
        raise AwsError(f"{operation} failed: {error}") from None
