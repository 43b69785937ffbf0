"""What a search returns: ranked hits with snippets, and a did-you-mean."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString


@dataclass
class Hit:
    slug: str
    question: str
    category: str
    category_slug: str
    url: str
    score: float
    snippet: SafeString

    @classmethod
    def for_entry(cls, entry, score: float, snippet: SafeString) -> "Hit":
        return cls(
            slug=entry.slug,
            question=entry.question,
            category=entry.category.name,
            category_slug=entry.category.slug,
            url=entry.get_absolute_url(),
            score=round(float(score), 3),
            snippet=snippet,
        )


@dataclass
class SearchResults:
    query: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    corrected: bool = False  # the hits are for the suggestion, not the words as typed
    unknown_words: list[str] = field(default_factory=list)  # typed, but in no answer
    # Whether the first hit is believed to answer the query (kb.search.answered); the hits
    # are then only loosely related.
    answered: bool = False
