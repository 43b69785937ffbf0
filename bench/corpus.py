"""A synthetic corpus for measuring the site at size, and a fast loader for it.

`generate(count, seed)` writes realistic developer questions about the Procore API from the
words in bench/vocabulary.yaml: a question, 3-6 symptoms and a 150-400-word Markdown answer
(paragraphs, a list, often a code block and links), spread over the FAQ's categories. Entry
`i` depends only on the seed and `i`, so the first 1,000 entries of a 10,000-entry corpus are
the 1,000-entry corpus.

`load_corpus(size)` tops the database up to `size` published entries, keeping the real ones
that `load_faq` put there: bulk inserts in batches, with `answer_html` and `answer_text`
derived as `Entry.save()` does (bulk_create skips `save()`, and with it the history and the
per-save index signal). Build the index afterwards with `kb.search.rebuild()`.

    KB_DATA_DIR=… python -m bench.corpus load --size 10000    # after migrate and load_faq
    KB_DATA_DIR=… python -m bench.corpus facts --out facts.json
"""

import argparse
import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

VOCABULARY = yaml.safe_load((Path(__file__).with_name("vocabulary.yaml")).read_text())
RESOURCES, CLIENTS, FIELDS = VOCABULARY["resources"], VOCABULARY["clients"], VOCABULARY["fields"]
ACTIONS, EVENTS, CONTEXTS = VOCABULARY["actions"], VOCABULARY["events"], VOCABULARY["contexts"]
STATUSES, ENVIRONMENTS = VOCABULARY["statuses"], VOCABULARY["environments"]
LINKS, GENERAL_SENTENCES = VOCABULARY["links"], VOCABULARY["general_sentences"]
CATEGORY_TEXT, CATEGORY_WEIGHTS = VOCABULARY["category_text"], VOCABULARY["category_weights"]
DEFAULT_SEED = 15
MIN_WORDS, MAX_WORDS = 150, 400
SYNTHETIC_SLUG = re.compile(r"-s\d+$")  # what tells a synthetic entry from a real one
WORD = re.compile(r"\w")
PROJECT_IDS = [562949953421312 + n * 7919 for n in range(40)]  # the shape real IDs have
COMPANY_IDS = [4264807, 8089, 27812, 562949953425000, 1234567, 30141]
# The entry whose page the HTTP benchmark loads: a real one, in a category that grows.
ENTRY_SLUG = "rate-limit-429"


@dataclass(frozen=True)
class SyntheticEntry:
    question: str
    slug: str
    category: str  # a category slug of faq_content/categories.yaml
    symptoms: list[str]
    answer: str  # Markdown


def is_synthetic(slug: str) -> bool:
    return bool(SYNTHETIC_SLUG.search(slug))


def word_count(text: str) -> int:
    """Words as a reader counts them: Markdown marks and code punctuation alone are not words."""
    return sum(1 for chunk in text.split() if WORD.search(chunk))


def _slots(rng: random.Random) -> dict[str, object]:
    plural, singular, path = rng.choice(RESOURCES)
    env, host = rng.choice(ENVIRONMENTS)
    status, status_name, status_message = rng.choice(STATUSES)
    project_id, company_id = rng.choice(PROJECT_IDS), rng.choice(COMPANY_IDS)
    return {
        "plural": plural,
        "singular": singular,
        "endpoint_path": f"/rest/{path.split('?')[0]}",  # placeholders kept, as docs write it
        "endpoint_url": f"https://{host}/rest/"
        + path.format(project_id=project_id, company_id=company_id),
        "client": rng.choice(CLIENTS),
        "env": env,
        "env_host": host,
        "field": rng.choice(FIELDS),
        "action": rng.choice(ACTIONS),
        "event": rng.choice(EVENTS),
        "status": status,
        "status_name": status_name,
        "status_message": status_message,
        "minutes": rng.choice([20, 45, 60, 90, 110, 120]),
        "count": rng.choice(["2,000", "15,000", "40,000", "all the"]),
        "seconds": rng.choice([30, 60, 120, 900]),
        "per_page": rng.choice([100, 200, 300, 1000]),
        "project_id": project_id,
        "company_id": company_id,
    }


# ---------------------------------------------------------------------------------------
# Code blocks an answer may show, each filled from the entry's slots


def _curl(rng, s) -> str:
    return (
        f'```bash\ncurl -i "{s["endpoint_url"]}" \\\n'
        '  -H "Authorization: Bearer $PROCORE_ACCESS_TOKEN" \\\n'
        f'  -H "Procore-Company-Id: {s["company_id"]}"\n```'
    )


def _http_response(rng, s) -> str:
    reset = 1_795_000_000 + rng.randrange(0, 3600)
    remaining = 0 if s["status"] == 429 else rng.randrange(1, 3600)
    return (
        f"```http\nHTTP/1.1 {s['status']} {s['status_name']}\n"
        "Content-Type: application/json; charset=utf-8\nX-Rate-Limit-Limit: 3600\n"
        f"X-Rate-Limit-Remaining: {remaining}\nX-Rate-Limit-Reset: {reset}\n\n"
        f'{{"errors": "{s["status_message"]}"}}\n```'
    )


def _python(rng, s) -> str:
    name = s["singular"].replace(" ", "_").lower()
    return (
        "```python\nimport time\n\nimport requests\n\n"
        f'response = session.get(url, params={{"page": 1, "per_page": {s["per_page"]}}}, '
        "timeout=30)\nif response.status_code == 429:\n"
        '    reset = int(response.headers["X-Rate-Limit-Reset"])\n'
        "    time.sleep(max(0, reset - time.time()))\nresponse.raise_for_status()\n"
        f"{name}s = response.json()\n```"
    )


def _javascript(rng, s) -> str:
    return (
        f'```javascript\nconst response = await fetch("{s["endpoint_url"]}", {{\n'
        "  headers: {\n    Authorization: `Bearer ${accessToken}`,\n"
        f'    "Procore-Company-Id": "{s["company_id"]}",\n  }},\n}});\n'
        "if (!response.ok) throw new Error(`Procore answered ${response.status}`);\n```"
    )


def _token_response(rng, s) -> str:
    created = 1_795_000_000 + rng.randrange(0, 86400)
    return (
        '```json\n{\n  "access_token": "eyJhbGciOiJSUzI1NiJ9.example",\n'
        '  "token_type": "Bearer",\n  "expires_in": 5400,\n'
        f'  "refresh_token": "r3fr35h-{rng.randrange(10**6):06d}",\n'
        f'  "created_at": {created}\n}}\n```'
    )


def _resource_json(rng, s) -> str:
    return (
        f'```json\n{{\n  "id": {rng.randrange(10**5, 10**7)},\n  "{s["field"]}": null,\n'
        f'  "project_id": {s["project_id"]},\n  "updated_at": "2025-0{rng.randint(1, 9)}-1'
        f'{rng.randint(0, 9)}T14:03:11Z"\n}}\n```'
    )


def _webhook_payload(rng, s) -> str:
    resource = s["singular"].title().replace(" ", "")
    return (
        f'```json\n{{\n  "id": {rng.randrange(10**6, 10**8)},\n'
        f'  "resource_name": "{resource}s",\n  "resource_id": {rng.randrange(10**5, 10**7)},\n'
        f'  "event_type": "{s["event"]}",\n  "company_id": {s["company_id"]},\n'
        f'  "project_id": {s["project_id"]}\n}}\n```'
    )


GENERIC_CODE = [_curl, _http_response, _python, _javascript, _resource_json]
CATEGORY_CODE = {
    "oauth": [_token_response, _curl],
    "webhooks": [_webhook_payload, _resource_json],
    "rate-limit": [_http_response, _python],
    "cors": [_javascript],
}


# ---------------------------------------------------------------------------------------
# One entry


def _fill(rng: random.Random, templates: list[str], slots: dict, k: int) -> list[str]:
    return [t.format(**slots) for t in rng.sample(templates, min(k, len(templates)))]


def _answer(rng: random.Random, category: str, slots: dict) -> str:
    text = CATEGORY_TEXT[category]
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    causes = _fill(rng, text["causes"], slots, len(text["causes"]))
    blocks = [" ".join(causes[:2])]
    steps = _fill(rng, text["steps"], slots, rng.randint(3, 4))
    bullet = "1." if rng.random() < 0.5 else "-"
    heading = ["### What to do\n\n"] if rng.random() < 0.35 else []
    blocks.append("".join(heading) + "\n".join(f"{bullet} {step}" for step in steps))
    if rng.random() < 0.65:
        blocks.append(rng.choice(CATEGORY_CODE.get(category, GENERIC_CODE))(rng, slots))
    links = rng.sample(LINKS, 2)
    ending = (
        f"See [{links[0][0]}]({links[0][1]}) and [{links[1][0]}]({links[1][1]}) for more, or "
        "write to [apisupport@procore.com](mailto:apisupport@procore.com)."
    )
    pool = causes[2:] + _fill(rng, GENERAL_SENTENCES, slots, len(GENERAL_SENTENCES))
    words = word_count("\n\n".join(blocks)) + word_count(ending)
    paragraph: list[str] = []
    for sentence in pool:
        if words >= target:
            break
        if words + word_count(sentence) > MAX_WORDS:
            continue
        paragraph.append(sentence)
        words += word_count(sentence)
        if len(paragraph) == 3:
            blocks.insert(rng.randint(1, len(blocks)), " ".join(paragraph))
            paragraph = []
    if paragraph:
        blocks.insert(rng.randint(1, len(blocks)), " ".join(paragraph))
    return "\n\n".join([*blocks, ending])


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:90].rstrip("-")


def _categories() -> tuple[list[str], list[int]]:
    return list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())


def make_entry(index: int, seed: int = DEFAULT_SEED) -> SyntheticEntry:
    """Entry `index` of the corpus for `seed`: the same whatever the corpus size."""
    rng = random.Random(f"{seed}:{index}")
    names, weights = _categories()
    category = rng.choices(names, weights)[0]
    slots = _slots(rng)
    question = rng.choice(CATEGORY_TEXT[category]["questions"]).format(**slots)
    context = rng.choice(CONTEXTS).format(**slots)
    if context and question.endswith("?"):
        question = question[:-1] + context + "?"
    symptoms = _fill(rng, CATEGORY_TEXT[category]["symptoms"], slots, rng.randint(3, 6))
    return SyntheticEntry(
        question=question,
        slug=f"{_slugify(question)}-s{index}",
        category=category,
        symptoms=symptoms,
        answer=_answer(rng, category, slots),
    )


def generate(count: int, seed: int = DEFAULT_SEED) -> Iterator[SyntheticEntry]:
    for index in range(count):
        yield make_entry(index, seed)


# ---------------------------------------------------------------------------------------
# Into the database (Django imported here only: the generator works without it)


def load_corpus(size: int, seed: int = DEFAULT_SEED, batch_size: int = 500) -> int:
    """Add synthetic published entries until the database holds `size`; returns how many."""
    from django.db import transaction

    from kb.content.markdown import markdown_to_text, render_markdown
    from kb.content.models import Category, Entry

    categories = {category.slug: category for category in Category.objects.all()}
    missing = sorted(set(CATEGORY_WEIGHTS) - set(categories))
    if missing:
        raise SystemExit(f"categories {missing} are not in the database: run load_faq first")
    wanted = max(0, size - Entry.objects.count())
    batch: list[Entry] = []
    with transaction.atomic():
        for index, item in enumerate(generate(wanted, seed)):
            batch.append(
                Entry(
                    category=categories[item.category],
                    question=item.question,
                    slug=item.slug,
                    answer=item.answer,
                    answer_html=render_markdown(item.answer),
                    answer_text=markdown_to_text(item.answer),
                    symptoms="\n".join(item.symptoms),
                    status=Entry.Status.PUBLISHED,
                    order=100 + index,
                )
            )
            if len(batch) == batch_size:
                Entry.objects.bulk_create(batch)
                batch = []
        Entry.objects.bulk_create(batch)
    return wanted


def site_facts() -> dict:
    """What the HTTP benchmark needs to know about the loaded site: sizes and URLs."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from kb.content.models import Category, Entry

    published = Q(entries__status=Entry.Status.PUBLISHED)
    largest = Category.objects.annotate(n=Count("entries", filter=published)).order_by("-n").first()
    entry = Entry.objects.published().filter(slug=ENTRY_SLUG).first()
    entry = entry or Entry.objects.published().first()
    return {
        "entries": Entry.objects.published().count(),
        "largest_category": {"name": largest.name, "entries": largest.n},
        "urls": {
            "home": reverse("home"),
            "entry": entry.get_absolute_url(),
            "category": largest.get_absolute_url(),
            "api_search": reverse("api_search"),
            "healthz": reverse("healthz"),
        },
    }


def main() -> None:
    from bench.django_env import setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="top the database up to --size entries")
    load.add_argument("--size", type=int, required=True)
    load.add_argument("--seed", type=int, default=DEFAULT_SEED)
    facts = commands.add_parser("facts", help="write the site's sizes and URLs as JSON")
    facts.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    setup_django()
    if args.command == "load":
        started = time.perf_counter()
        added = load_corpus(args.size, args.seed)
        print(f"{added} synthetic entries loaded in {time.perf_counter() - started:.1f} s")
    else:
        args.out.write_text(json.dumps(site_facts()))


if __name__ == "__main__":
    main()
