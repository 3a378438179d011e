"""The benchmark's own checks (bench/): they must flag what they claim to flag, or a green
`make bench` would prove nothing."""

import pytest
from itsdangerous import BadSignature

from bench import harness, report, rush


def rows(confirmed: int, waitlisted: int, start: int = 1) -> list[rush.Row]:
    made = []
    for n in range(confirmed + waitlisted):
        status = "confirmed" if n < confirmed else "waitlisted"
        made.append(rush.Row(start + n, f"p{n}@example.org", status))
    return made


def answers_for(made: list[rush.Row]) -> list[rush.Answer]:
    return [rush.Answer(r.email, 302, True, [r.id]) for r in made]


def test_a_clean_rush_passes():
    made = rows(10, 40)
    result = rush.check(made, answers_for(made), capacity=10)
    assert result["oversold"] == result["lost"] == result["duplicates"] == 0
    assert result["exact"] and rush.passed(result)
    assert (result["confirmed"], result["waitlisted"], result["succeeded"]) == (10, 40, 50)


def test_an_oversold_seat_is_flagged():
    made = rows(11, 39)
    result = rush.check(made, answers_for(made), capacity=10)
    assert result["oversold"] == 1
    assert not result["exact"] and not rush.passed(result)


def test_a_success_answer_without_its_row_is_lost():
    made = rows(10, 40)
    answers = answers_for(made)
    del made[-1]  # the server said "registered" but the row is not there
    result = rush.check(made, answers, capacity=10)
    assert result["lost"] == 1 and not rush.passed(result)


def test_a_success_answer_pointing_at_someone_elses_row_is_lost():
    made = rows(10, 40)
    answers = answers_for(made)
    answers[3].ids = [made[4].id]  # a registration id, but not this participant's
    result = rush.check(made, answers, capacity=10)
    assert result["lost"] == 1 and not rush.passed(result)


def test_a_duplicate_registration_is_flagged():
    made = rows(10, 40)
    answers = answers_for(made)
    made.append(rush.Row(999, made[20].email, "waitlisted"))
    result = rush.check(made, answers, capacity=10)
    assert result["duplicates"] == 1 and not rush.passed(result)


@pytest.mark.parametrize("status", [500, 502, 0])
def test_server_errors_and_unanswered_requests_are_flagged(status):
    made = rows(10, 39)
    answers = [*answers_for(made), rush.Answer("late@example.org", status, False)]
    result = rush.check(made, answers, capacity=10)
    assert result["server_errors"] == 1 and result["failed"] == 1
    assert not rush.passed(result)


def test_a_refused_submission_is_a_failure_even_without_5xx():
    made = rows(10, 39)
    answers = [*answers_for(made), rush.Answer("csrf@example.org", 400, False)]
    result = rush.check(made, answers, capacity=10)
    assert result["server_errors"] == 0 and result["failed"] == 1
    assert not rush.passed(result)


def test_session_data_reads_what_the_app_signed_and_rejects_a_forgery(app):
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = "session=" + serializer.dumps({"registration_done": {"event": 3, "ids": [7, 8]}})
    data = harness.session_data(cookie, app.secret_key)
    assert data["registration_done"]["ids"] == [7, 8]
    with pytest.raises(BadSignature):
        harness.session_data(cookie, "another-secret-key")


def test_csrf_token_is_found_in_the_real_registration_form(client, factory, app):
    event = factory.event(capacity=10)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(f"/events/{event.slug}/register").data
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(harness.csrf_token(page)) > 20
    with pytest.raises(RuntimeError):
        harness.csrf_token(b"<form></form>")


def test_percentiles():
    values = [float(n) for n in range(1, 101)]
    assert harness.percentile(values, 50) in (50.0, 51.0)
    assert harness.percentile(values, 99) == 99.0
    assert harness.percentile([5.0], 99) == 5.0


def test_markdown_table_shows_targets_pass_miss_and_runs_not_done():
    first = report.Run("sqlite", "sync 2")
    first.line("Rush", "oversold", "0", "0", True)
    first.line("Rush", "throughput", "10 req/s", "≥ 0.5 × bare insert", False)
    first.line("Reference", "GET /healthz", "900 req/s")
    second = report.Run("sqlite", "gthread 2×8")
    second.line("Rush", "oversold", "1", "0", False)
    table = report.markdown({"runs": [first.as_dict(), second.as_dict()]})
    assert "| Scenario | Figure | Target | sync 2 | gthread 2×8 |" in table
    assert "| Rush | oversold | 0 | 0 **PASS** | 1 **MISS** |" in table
    assert "| Rush | throughput | ≥ 0.5 × bare insert | 10 req/s **MISS** | not run |" in table
    assert "| Reference | GET /healthz | — | 900 req/s | not run |" in table
