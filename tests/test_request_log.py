"""The log: one line per request with its latency and a request id, tracebacks only for errors."""

import logging
import re

import pytest
from django.test import Client

LINE = re.compile(r'^\S+ "(GET|POST|HEAD) (\S+)" (\d{3}) (\d+|-) (\d+\.\d)ms$')


def request_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "kb.requests"]


def test_every_request_leaves_one_line_with_status_size_and_latency(client, faq, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/faq/rate-limit-429/")
    (line,) = request_lines(caplog)
    match = LINE.match(line)
    assert match, line
    assert match.group(2) == "/faq/rate-limit-429/"
    assert match.group(3) == "200"


def test_each_request_gets_an_id_in_its_answer_and_on_its_log_records(client, faq, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert Client().get("/")["X-Request-ID"] != request_id
    record = next(r for r in caplog.records if r.name == "kb.requests")
    assert record.request_id == request_id


def test_a_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client, faq):
    assert client.get("/", headers={"X-Request-ID": "lb-1234abcd"})["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/", headers={"X-Request-ID": "<script>\nx"})["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


def test_a_404_logs_its_line_and_no_traceback(client, faq, caplog):
    with caplog.at_level(logging.INFO):
        assert client.get("/faq/no-such-entry/").status_code == 404
    assert [LINE.match(line).group(3) for line in request_lines(caplog)] == ["404"]
    assert all(record.exc_info is None for record in caplog.records)


def test_a_403_logs_no_traceback(client, staff_user, caplog, django_user_model):
    user = django_user_model.objects.create_user(
        username="no-rights", password="a-long-test-password", is_staff=True
    )
    client.force_login(user)
    with caplog.at_level(logging.INFO):
        assert client.post("/admin/kb/entry/preview/", {"answer": "x"}).status_code == 403
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.urls("tests.urls_with_a_failing_view")
def test_an_error_is_logged_with_its_traceback_and_the_request_id(db, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/fail/")
    assert response.status_code == 500
    error = next(r for r in caplog.records if r.levelno >= logging.ERROR)
    assert error.exc_info is not None
    assert "a bug in a view" in str(error.exc_info[1])
    assert error.request_id == response["X-Request-ID"]
    assert [LINE.match(line).group(3) for line in request_lines(caplog)] == ["500"]
