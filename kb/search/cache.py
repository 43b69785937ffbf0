"""What this process keeps between searches, for as long as the index does not change.

Live search asks the same question again and again as a developer types and pauses, and
several people paste the same error. Every answer depends only on the index (which entries,
as of which change of the log) and on the synonyms, which reach a node through the same
change log; so answers and the analysed synonym groups are kept under the index's
generation: its folder, its Whoosh commit and the last change of the log it applied. Any
write, rebuild or applied change makes a new generation key, and everything kept for the old
one is dropped at the next search.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

RESULTS_KEPT = 256  # answers per process; a few hundred small objects


class GenerationCache:
    def __init__(self, size: int = RESULTS_KEPT):
        self.size = size
        self._lock = threading.Lock()
        self._generation: Hashable = None
        self._answers: OrderedDict = OrderedDict()
        self._values: dict[str, Any] = {}

    def _follow(self, generation: Hashable) -> None:
        """Forget what belongs to another generation. The caller holds the lock."""
        if generation != self._generation:
            self._generation = generation
            self._answers.clear()
            self._values.clear()

    def answer(self, generation: Hashable, question: Hashable) -> Any | None:
        with self._lock:
            self._follow(generation)
            found = self._answers.get(question)
            if found is not None:
                self._answers.move_to_end(question)
            return found

    def keep(self, generation: Hashable, question: Hashable, answer: Any) -> None:
        with self._lock:
            self._follow(generation)
            self._answers[question] = answer
            self._answers.move_to_end(question)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def value(self, generation: Hashable, name: str, compute: Callable[[], Any]) -> Any:
        """A value derived once per generation (the analysed synonym groups)."""
        with self._lock:
            self._follow(generation)
            if name in self._values:
                return self._values[name]
        value = compute()  # outside the lock: it may read the database
        with self._lock:
            if generation == self._generation:
                self._values[name] = value
        return value

    def forget_answers(self) -> None:
        """Drop the answers, keep the derived values (for timing searches as if each were new
        to a worker that has served others: bench/our_search.py)."""
        with self._lock:
            self._answers.clear()

    def clear(self) -> None:
        with self._lock:
            self._generation = None
            self._answers.clear()
            self._values.clear()


searches = GenerationCache()
