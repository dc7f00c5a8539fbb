"""Schemathesis over /api/openapi.json as every role: no generated request makes the server fail.

Each operation gets a bounded number of generated requests per role, valid ones
(as the document describes them) and invalid ones, with a fixed seed, against
the real app and database (loopback, in-process WSGI). Every answer must be
below 500: bad input is refused with a 4xx that names what is wrong.
"""
from __future__ import annotations

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app import create_app
from tests.conftest import ROLE_USERS, create_actors, new_runtime, settings_for
from tests.helpers import Api

ROLES = [*ROLE_USERS, "anonymous"]
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}
#: Moves the process-wide clock: it is fuzzed like the rest, then the clock is put back.
pytestmark = pytest.mark.xdist_group("api-fuzz")


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory, pg_url):
    """One app and database for the whole run, with a case and its first task to aim at."""
    runtime = new_runtime(settings_for(tmp_path_factory.mktemp("fuzz"), pg_url))
    actors = create_actors(runtime)
    app = create_app(runtime.settings, runtime=runtime)
    Api(app.test_client(), actors).as_("applicant").submit()
    yield app, actors
    runtime.close()


def _generated(operation, mode: GenerationMode) -> list:
    """A fixed set of generated requests for ``operation`` (the same for every role)."""
    cases: list = []

    @settings(max_examples=EXAMPLES[mode], derandomize=True, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def collect(case):
        cases.append(case)

    with contextlib.suppress(Unsatisfiable):  # nothing of that kind exists for this operation (e.g. no invalid form)
        collect()
    return cases


@pytest.fixture(scope="module")
def generated(fuzz_target) -> list:
    app, _ = fuzz_target
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [case for result in schema.get_all_operations() for mode in EXAMPLES
            for case in _generated(result.ok(), mode)]


@pytest.mark.parametrize("role", ROLES)
def test_no_generated_request_makes_the_server_fail(fuzz_target, generated, role):
    _, actors = fuzz_target
    headers = actors.headers(role) if role != "anonymous" else {}
    failures = []
    for case in generated:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.query or ''} -> {response.status_code}: "
                            f"{case.body!r}"[:400])
    assert failures == [], "\n".join(sorted(set(failures)))
