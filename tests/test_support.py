""" "Still stuck? Contact API support": the path on every page, the context it carries to the
form or e-mail, and the escalation it records."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client

from kb.models import Entry, Escalation, Feedback
from kb.support.contact import RATE_LIMIT
from tests.factories import make_entry, reader_client
from tests.html import parse


def support_link(html: bytes) -> str:
    footer = parse(html).find("footer")
    link = footer.find("a", cls="support-link")
    assert footer.words.startswith("Still stuck? Contact API support")
    return link.attrs["href"]


def sent_message(client, **data):
    form = {"email": "dev@example.com", "message": "My calls fail.", **data}
    return client.post("/support/", form)


@pytest.mark.parametrize(
    "url", ["/", "/c/rate-limit/", "/search/?q=429", "/tools/", "/tools/error-codes/", "/nope/"]
)
def test_every_page_has_the_path_to_support(client, faq, url):
    assert support_link(client.get(url).content) == "/support/"


def test_an_entry_page_names_itself_in_the_link_the_same_for_every_reader(faq):
    first = support_link(Client().get("/faq/rate-limit-429/").content)
    reader = reader_client()
    reader.get("/search/", {"q": "429"})
    second = support_link(reader.get("/faq/rate-limit-429/").content)
    assert first == second == "/support/?entry=rate-limit-429"


def test_the_form_shows_what_the_reader_tried(indexed_faq):
    reader = reader_client()
    reader.get("/search/", {"q": "429 too many"})
    reader.get("/faq/rate-limit-429/")
    reader.post("/faq/rate-limit-429/feedback/", {"helpful": "no"})

    page = parse(reader.get("/support/").content)  # from the footer of another page
    context = page.find("ul", cls="support-context").words
    assert "Your last search: 429 too many (" in context
    assert "The answer you read: I am receiving a 429 status code error" in context
    assert "which you found not helpful" in context
    assert page.find("input", id="id_entry").attrs["value"] == "rate-limit-429"


def test_a_browser_with_no_history_here_is_told_so(client, faq):
    page = parse(client.get("/support/").content)
    assert "this browser has not searched or read an answer here" in page.find("main").words


def test_a_request_is_mailed_with_its_context_and_counted(indexed_faq):
    reader = reader_client()
    reader.get("/search/", {"q": "429 too many"})
    reader.get("/faq/rate-limit-429/")
    reader.post("/faq/rate-limit-429/feedback/", {"helpful": "no", "reason": "No word on bursts"})

    response = sent_message(reader, entry="rate-limit-429", message="Bursts get 429s. Why?")

    assert response.status_code == 302 and response["Location"] == "/support/sent/"
    [message] = mail.outbox
    assert message.to == ["apisupport@procore.com"]
    assert message.reply_to == ["dev@example.com"]
    assert message.subject.startswith("API support request from the knowledge base: I am")
    assert "Bursts get 429s. Why?" in message.body
    assert "Last search: “429 too many”" in message.body
    assert "http://127.0.0.1:8000/faq/rate-limit-429/" in message.body
    assert "Their vote on it: not helpful: “No word on bursts”" in message.body
    escalation = Escalation.objects.get()
    assert (escalation.channel, escalation.entry.slug, escalation.search.query) == (
        "form",
        "rate-limit-429",
        "429 too many",
    )
    assert escalation.vote == "unhelpful"
    sent = parse(reader.get(response["Location"]).content)
    assert sent.find("h1").words == "Your request is on its way"


def test_an_escalation_keeps_no_personal_data(db):
    fields = {field.name for field in Escalation._meta.get_fields()}
    assert fields == {"id", "created", "channel", "entry", "search", "vote"}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": ""}, "email", "Give the e-mail address support should answer."),
        ({"email": "not-an-address"}, "email", "That does not look like an e-mail address."),
        ({"message": ""}, "message", "Tell support what you are trying to do."),
        ({"message": "x" * 5001}, "message", "Please keep the message to 5000 characters"),
    ],
)
def test_a_bad_request_is_refused_with_a_message_next_to_its_field(faq, data, field, message):
    response = sent_message(reader_client(), **data)
    assert response.status_code == 400
    error = parse(response.content).find(id=f"id_{field}_error")
    assert error.words.startswith(message)
    assert mail.outbox == [] and not Escalation.objects.exists()


def test_an_unknown_entry_in_the_link_is_ignored(faq):
    page = parse(reader_client().get("/support/", {"entry": "../../etc/passwd"}).content)
    assert page.find("input", id="id_entry").attrs.get("value", "") == ""
    response = sent_message(reader_client(), entry="no-such-entry")
    assert response.status_code == 302
    assert Escalation.objects.get().entry is None


def test_a_draft_is_never_named_as_context(faq):
    make_entry(slug="secret-draft", question="Secret?", status=Entry.Status.DRAFT)
    page = reader_client().get("/support/", {"entry": "secret-draft"}).content.decode()
    assert "Secret?" not in page


def test_the_reader_may_write_from_their_own_mail_program(indexed_faq):
    reader = reader_client()
    reader.get("/search/", {"q": "429 too many"})
    reader.get("/faq/rate-limit-429/")
    form = parse(reader.get("/support/").content).find("form", cls="support-email")

    response = reader.post(form.attrs["action"], {"entry": "rate-limit-429"})

    assert response.status_code == 303
    target = urlsplit(response["Location"])
    assert (target.scheme, target.path) == ("mailto", "apisupport@procore.com")
    body = parse_qs(target.query)["body"][0]
    assert "Last search: “429 too many”" in body
    assert "/faq/rate-limit-429/" in body
    assert Escalation.objects.get().channel == "email"
    assert mail.outbox == []


def test_requests_are_throttled_per_client(faq):
    reader = reader_client()
    for _ in range(RATE_LIMIT):
        assert sent_message(reader).status_code == 302
    response = sent_message(reader)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many support requests" in parse(response.content).find(cls="form-error").words
    assert len(mail.outbox) == RATE_LIMIT == Escalation.objects.count()


def test_a_message_that_cannot_be_sent_is_not_counted(faq, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = sent_message(reader_client())
    assert response.status_code == 503
    assert "could not be sent just now" in parse(response.content).find(cls="form-error").words
    assert not Escalation.objects.exists()


def test_staff_trying_the_form_are_not_counted(staff_client, faq):
    assert sent_message(staff_client).status_code == 302
    assert len(mail.outbox) == 1 and not Escalation.objects.exists()


def test_the_support_page_is_never_cached(client, faq):
    response = client.get("/support/")
    assert "no-store" in response["Cache-Control"]


def test_a_vote_is_taken_from_the_readers_own_cookie_only(faq):
    voter = reader_client()
    voter.get("/faq/rate-limit-429/")
    voter.post("/faq/rate-limit-429/feedback/", {"helpful": "no"})
    assert Feedback.objects.count() == 1
    other = parse(reader_client().get("/support/", {"entry": "rate-limit-429"}).content)
    assert "which you found" not in other.find("ul", cls="support-context").words


# Escalations in the admin


def test_engineers_read_escalations_with_their_context_and_cannot_change_them(staff_client, faq):
    from tests.factories import limited_client, make_search

    entry = Entry.objects.get(slug="rate-limit-429")
    search = make_search("429 burst")
    escalation = Escalation.objects.create(
        channel="form", entry=entry, search=search, vote="unhelpful"
    )
    listing = parse(staff_client.get("/admin/kb/escalation/").content)
    row = listing.find("table", id="result_list").find("tbody").find("tr")
    assert "429 burst" in row.words and "Not helpful" in row.words
    assert staff_client.get("/admin/kb/escalation/add/").status_code == 403
    staff_client.post(f"/admin/kb/escalation/{escalation.pk}/delete/", {"post": "yes"})
    assert Escalation.objects.filter(pk=escalation.pk).exists()
    outsider = limited_client("outsider", "view_entry")
    assert outsider.get("/admin/kb/escalation/").status_code == 403
