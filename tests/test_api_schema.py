"""schemathesis against the API's own OpenAPI schema, in process: whatever it sends, no
answer is a 500 and every answer matches the schema — NUL characters included (schemathesis
may put U+0000 in any generated string, `generation.allow_x00`, on by default; the second
test puts one in every string parameter), which PostgreSQL cannot store."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from dangjian.accounts.tokens import token_create
from dangjian.wsgi import application
from tests.actors import build_world

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_connection():
    """Called through WSGI, the app would close the database connection at the end of each
    request (Django's close_old_connections) — the test's transaction with it. Django's own
    test client does the same as this fixture."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, areas, keep_connection):
    world = build_world(areas)
    _record, value = token_create(user=world.users["furong"])
    return value


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_never_fails_and_keeps_its_schema(case, token):
    # A date the schema allows but the system does not (before 1990 or after 2100) is
    # refused with 422: that is bad input, not a failure, so that one check is left out.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_a_nul_in_any_parameter_is_refused_never_a_500(case, token):
    touched = False
    for params in (case.path_parameters, case.query):
        for name, value in (params or {}).items():
            if isinstance(value, str):
                params[name] = value[:3] + "\x00" + value[3:]
                touched = True
    if not touched:
        case.query = {**(case.query or {}), "q": "\x00"}
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    # In the path: no such object (404); in a parameter: bad input (422), in Chinese.
    assert response.status_code in (404, 422), (case.path, case.query, response.status_code)
    body = response.json()
    assert body == {"detail": "不存在"} or body["detail"][0]["type"] == "nul_character", body
    case.validate_response(
        response,
        headers={"Authorization": f"Bearer {token}"},
        # A method the operation does not have (TRACE …) with a NUL: the NUL is refused first.
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.unsupported_method,
        ],
    )
