"""The tools' forms: one validating form per tool backs its page, its JSON API and the MCP
server's tool (kb/mcp)."""

from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from kb.tools import error_lookup, instants, tokens
from kb.tools.models import ErrorCode, KnownErrorMessage

# Pastes can be long (a JWT access token, a response with all its headers), but not 50 KB.
# A validator rather than max_length: the browser would silently cut a longer paste instead
# of letting us say what is wrong.
MAX_TOKEN_RESPONSE = 10_000
MAX_LOOKUP = 20_000


def _max_length(limit: int, what: str) -> MaxLengthValidator:
    return MaxLengthValidator(
        limit,
        message=f"That is %(show_value)s characters; {what} is at most %(limit_value)s.",
    )


class TimezoneField(forms.CharField):
    """An IANA timezone name, returned in its canonical spelling; empty means UTC."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", "UTC")
        kwargs.setdefault("label", "Your timezone")
        kwargs.setdefault("help_text", "An IANA name such as Europe/London. Times are shown in it.")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "list": "timezone-names",
                    "autocomplete": "off",
                    "spellcheck": "false",
                    # static/js/tools.js puts the browser's own zone here.
                    "data-browser-timezone": "",
                }
            ),
        )
        super().__init__(validators=[_max_length(64, "a timezone name")], **kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        if not value:
            return "UTC"
        try:
            return instants.canonical_timezone(value)
        except instants.ToolInputError as exc:
            raise forms.ValidationError(str(exc), code="unknown_timezone") from None


class TimezoneForm(forms.Form):
    tz = TimezoneField()


class TokenExpiryForm(forms.Form):
    issued_at = forms.CharField(
        required=False,
        label="When the token was issued",
        help_text="A date-time with an offset (2025-03-04T10:00:00Z), or Unix seconds "
        "(milliseconds are recognised).",
        validators=[_max_length(100, "a date-time")],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    token_response = forms.CharField(
        required=False,
        label="Or paste the token response",
        help_text="The JSON from /oauth/token. Its created_at and expires_in are used; nothing "
        "you paste is stored. You may blank out the tokens themselves first.",
        validators=[_max_length(MAX_TOKEN_RESPONSE, "a token response")],
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
    )
    expires_in = forms.IntegerField(
        required=False,
        label="Lifetime in seconds (expires_in)",
        help_text="Leave empty for the usual lifetime; a pasted response's expires_in wins.",
        min_value=1,
        max_value=tokens.MAX_LIFETIME,
        error_messages={
            "invalid": "Enter a whole number of seconds, like 7200.",
            "min_value": "The lifetime must be at least 1 second.",
            "max_value": "More than a week (%(limit_value)s seconds) is not an access token's "
            "lifetime: they last hours (7200 seconds is 2 hours).",
        },
    )
    tz = TimezoneField()

    # The fields that say something about the token: without any of them there is no question.
    INPUT_FIELDS = ("issued_at", "token_response", "expires_in")

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Read per form, not at import, so a changed setting shows.
        self.fields["expires_in"].widget.attrs["placeholder"] = settings.KB_ACCESS_TOKEN_LIFETIME
        # The instant an issue time is checked against: a token cannot come from the future.
        self.now = now or timezone.now()

    def clean(self):
        data = super().clean()
        # Each problem is reported, not only the first, so a reader fixes them all at once.
        notes: list[str] = []
        token = None
        if data.get("token_response"):
            try:
                token = tokens.parse_token_response(data["token_response"])
            except instants.ToolInputError as exc:
                self.add_error("token_response", str(exc))

        issued = token.created_at if token and token.created_at else None
        if issued is not None:
            if data.get("issued_at"):
                notes.append("The response's created_at was used, not the time typed above.")
        elif data.get("issued_at"):
            try:
                issued = instants.parse_issued_at(data["issued_at"], data.get("tz") or "UTC")
            except instants.ToolInputError as exc:
                self.add_error("issued_at", str(exc))
        elif token is not None:
            self.add_error(
                "issued_at",
                "The pasted response has no created_at: enter when the token was issued here.",
            )
        elif "token_response" not in self.errors and "issued_at" not in self.errors:
            self.add_error(
                "issued_at", "Enter when the token was issued, or paste the token response."
            )
        if self.errors:
            return data
        from_response = token is not None and issued is token.created_at
        try:
            tokens.check_issued_in_past(
                issued.instant,
                self.now,
                "The response's created_at" if from_response else "That time",
            )
        except instants.ToolInputError as exc:
            self.add_error("token_response" if from_response else "issued_at", str(exc))
            return data
        if issued.note:
            notes.append(issued.note)

        if token and token.expires_in:
            data["lifetime_source"] = "the pasted response's expires_in"
            if data["expires_in"] and data["expires_in"] != token.expires_in:
                notes.append("The response's expires_in was used, not the lifetime typed above.")
            data["lifetime"] = token.expires_in
        elif data["expires_in"]:
            data["lifetime_source"] = "the lifetime you entered"
            data["lifetime"] = data["expires_in"]
        else:
            data["lifetime_source"] = "the usual lifetime"
            data["lifetime"] = settings.KB_ACCESS_TOKEN_LIFETIME
        data["issued"] = issued.instant
        data["notes"] = notes
        return data

    def expiry(self, now: datetime) -> tokens.TokenExpiry:
        """The answer for a valid form, at `now`."""
        return tokens.token_expiry(self.cleaned_data["issued"], self.cleaned_data["lifetime"], now)


@dataclass
class ErrorLookup:
    """What the error-code lookup found for one input: documented codes (with their published
    entries), known messages, a code the API does not document, and a pasted response's
    rate-limit headers read at `now`."""

    query: error_lookup.LookupQuery
    codes: list[ErrorCode]
    messages: list[KnownErrorMessage]
    unknown_code: int | None = None
    nearest: list[ErrorCode] = field(default_factory=list)
    rate_limit: error_lookup.RateLimitInfo | None = None

    @property
    def found_anything(self) -> bool:
        return bool(self.codes or self.messages or self.unknown_code)

    @property
    def unknown_is_success(self) -> bool:
        return self.unknown_code is not None and 200 <= self.unknown_code < 300

    @property
    def shows_retry_time(self) -> bool:
        # Rate-limit headers ride on every response; when to retry matters for these two.
        response = self.query.response
        return response is not None and response.status in (429, 503)


class ErrorLookupForm(forms.Form):
    q = forms.CharField(
        label="Status code, error message or raw response",
        help_text="Type a code like 429, paste the message the API sent, or paste the "
        "response's status line and headers.",
        validators=[_max_length(MAX_LOOKUP, "the lookup")],
        error_messages={
            "required": "Enter a status code, an error message or a raw response.",
        },
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    tz = TimezoneField()

    def clean_q(self) -> error_lookup.LookupQuery:
        try:
            return error_lookup.parse_lookup_query(self.cleaned_data["q"])
        except instants.ToolInputError as exc:
            raise forms.ValidationError(str(exc), code="unreadable") from None

    def lookup(self, now: datetime) -> ErrorLookup:
        """The answer for a valid form, at `now`."""
        query: error_lookup.LookupQuery = self.cleaned_data["q"]
        messages = KnownErrorMessage.objects.found_in(query.text)
        wanted = [] if query.code is None else [query.code]
        for message in messages:
            if message.error_code and message.error_code.code not in wanted:
                wanted.append(message.error_code.code)
        codes = ErrorCode.objects.with_published_entries().filter(code__in=wanted)
        found = {c.code: c for c in codes}
        lookup = ErrorLookup(query, [found[code] for code in wanted if code in found], messages)
        if query.code is not None and query.code not in found:
            lookup.unknown_code = query.code
            lookup.nearest = ErrorCode.objects.nearest(query.code)
        if query.response is not None:
            lookup.rate_limit = error_lookup.read_rate_limit(query.response, now)
        return lookup
