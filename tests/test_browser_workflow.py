import pytest
from playwright.sync_api import expect

from kb.models import Entry, Feedback
from tests.factories import sign_in

pytestmark = pytest.mark.browser


def test_the_answer_preview_updates_as_the_engineer_types(page, engineer):
    entry = Entry.objects.get(slug="rate-limit-429")
    sign_in(page, engineer)
    page.goto(f"{engineer}/admin/kb/entry/{entry.pk}/change/")
    preview = page.locator("#answer-preview")
    expect(preview).to_contain_text("exceeded")  # the saved answer, before any typing

    # A marker on the window survives only if the page is never reloaded.
    page.evaluate("window.stillTheSamePage = true")
    answer = page.get_by_role("textbox", name="Answer")
    answer.fill("")
    answer.press_sequentially("Back off until **X-Rate-Limit-Reset** <script>bad()</script>")

    expect(preview.locator("strong")).to_have_text("X-Rate-Limit-Reset")
    expect(preview.locator("script")).to_have_count(0)
    expect(preview).not_to_contain_text("exceeded")
    assert page.evaluate("window.stillTheSamePage") is True
    assert Entry.objects.get(pk=entry.pk).answer == entry.answer  # previewing saves nothing


def test_a_reader_says_an_entry_did_not_help_and_why_without_a_page_load(page, live_faq):
    page.goto(live_faq + "/faq/rate-limit-429/")
    page.evaluate("window.stillTheSamePage = true")
    feedback = page.locator("#feedback")
    feedback.get_by_role("button", name="No").click()
    expect(feedback).to_contain_text("Thanks for telling us.")

    feedback.get_by_label("What were you looking for?").fill("How long to wait after a 429?")
    feedback.get_by_role("button", name="Send").click()
    expect(feedback).to_contain_text("Your note goes to the support engineers")
    assert page.evaluate("window.stillTheSamePage") is True

    vote = Feedback.objects.get()
    assert (vote.entry.slug, vote.helpful, vote.reason) == (
        "rate-limit-429",
        False,
        "How long to wait after a 429?",
    )


@pytest.mark.expected_console_error(r"status of 429 \(Too Many Requests\)")
def test_a_throttled_vote_shows_the_message_in_place(page, live_faq, settings):
    settings.KB_FEEDBACK_RATE_LIMIT = 0  # the live server runs in this process, with these
    page.goto(live_faq + "/faq/rate-limit-429/")
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#feedback").get_by_role("button", name="Yes").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many votes from your network")
    assert page.evaluate("window.stillTheSamePage") is True
    assert not Feedback.objects.exists()


def test_voting_works_without_javascript(make_page, live_faq):
    page = make_page(java_script_enabled=False)
    page.goto(live_faq + "/faq/rate-limit-429/")
    page.locator("#feedback").get_by_role("button", name="Yes").click()
    # The page after a vote says thanks from its address: it is the same for everybody.
    expect(page).to_have_url(live_faq + "/faq/rate-limit-429/?voted=yes#feedback")
    expect(page.locator("#feedback")).to_contain_text("Thanks for your feedback!")
    assert Feedback.objects.get().helpful is True
