"""schemathesis against the generated OpenAPI document (/api/v1/openapi.json): every operation
with generated parameters and bodies, valid and not, on a real event and registration, sent
with a token of each scope in turn: never a 5xx, and every documented answer matches its
schema."""

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from eventapp.services.api import tokens
from tests.api.conftest import make_token

EXAMPLES = 8


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_5xx_and_answers_match_their_schema(app, factory, mode):
    org = factory.organisation()
    owner = factory.user(org, "owner")
    event = factory.event(organisers=[org], capacity=5)
    person = factory.registration(event)
    secrets = itertools.cycle(
        [make_token(owner, org)]
        + [make_token(owner, org, scopes=[scope]) for scope in sorted(tokens.SCOPES)]
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ran, calls = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        ids = {
            name: value
            for name, value in (("event_id", event.id), ("registration_id", person.id))
            if f"{{{name}}}" in operation.path
        }
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=ids or None)

        @given(strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            calls.append(case.operation.label)
            case.call_and_validate(
                headers={"Authorization": f"Bearer {next(secrets)}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

        try:
            run()
        except Unsatisfiable:
            # Nothing of this operation can be made invalid (its only inputs are the ids
            # fixed above): nothing to send in this mode.
            assert mode == GenerationMode.NEGATIVE, operation.label
            continue
        ran += 1
    assert ran >= 10 and len(calls) > 5 * ran
