"""Each index segment's posting lists as arrays, kept on disk beside the segment's own files.

Whoosh reads a posting list block by block in Python (a pickle and a delta decoding per block
of 128, then one call per posting to score it): at 10,000 entries, walking the postings of a
query's common terms was most of a search, and the budget that skipped them lost right
answers. Here each (field, term) of a segment is two arrays, the documents that have it and how
often, so BM25F over every posting of every term is a few vectorised operations
(kb.search.ranking scores candidates with it). The positions of each posting are kept too, for
the phrases of the few candidates ranked: read through Whoosh's matchers, a pickle and a
decoding per block, they were a third of a search of a long paste at 10,000 entries.

One file per segment, `<segment id>.kb_postings` (a name of Whoosh's pattern, so its own
cleanup removes it with the segment): the generation's rebuild writes it for the segment it
builds, and the first process that opens a segment without one (a save or a merge made it, or
an index from before) writes it, to a dot-file then renamed, so that a reader never sees half
of one and every process and restart of the node finds it. The posting lists are
memory-mapped: a worker reads the pages of the terms it is asked for, not the whole file (and
tells the kernel its reads are random, so that it maps no more pages around them). Positions
are read with pread instead, a term's for the candidates asked about: phrases read them for a
few candidates all over the file, and mapped, with the pages the kernel maps around each read,
they were most of a worker's memory at 50,000 entries (264 MB).

Deletions are not in the file (Whoosh records them in its table of contents, not in the
segment's files); nor are the statistics a score needs (document frequencies, average field
lengths), which change with every save: both come from the searcher at query time, so scores
are those Whoosh itself gives (tests/test_search_candidates.py).
"""

import json
import logging
import mmap
import os
import threading
from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher, _lenfield
from whoosh.util.numeric import byte_to_length

logger = logging.getLogger(__name__)

EXTENSION = ".kb_postings"
FORMAT = 3  # 2: with positions; 3: documents and frequencies in two bytes where they fit
KEY_SEPARATOR = b"\x1f"  # between field and term: in neither
SMALL_SEGMENT_KEYS = 20_000
READ_APART = ("position_starts", "positions")  # read with pread, not mapped (above)
# Field length bytes as Whoosh decodes them (its length column keeps one byte a document).
BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class SegmentPostings:
    """One segment's posting lists, as read from its file."""

    def __init__(self, path: Path):
        with open(path, "rb") as handle:
            header = json.loads(handle.readline())
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if header.get("format") != FORMAT:
            raise ValueError(f"{path} is not of format {FORMAT}")
        self._map.madvise(mmap.MADV_RANDOM)
        self.doc_count = header["doc_count"]
        self._arrays = {
            name: np.frombuffer(self._map, dtype=dtype, count=count, offset=offset)
            for name, (dtype, offset, count) in header["arrays"].items()
            if name not in READ_APART
        }
        self._apart = {name: header["arrays"][name] for name in READ_APART}
        # Its own descriptor for pread (no shared file position), closed with the object.
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115
        self._keys = self._arrays["keys"]  # the sorted keys, one blob
        self._key_starts = self._arrays["key_starts"]
        self._starts = self._arrays["starts"]
        self._count = len(self._key_starts) - 1
        # A save's segment is small, and a binary search in Python costs as much in a small
        # segment as in a large one: small ones are looked up in a dictionary instead.
        self._numbers = None
        if self._count <= SMALL_SEGMENT_KEYS:
            self._numbers = {self._key(n): n for n in range(self._count)}

    def _key(self, number: int) -> bytes:
        return self._keys[self._key_starts[number] : self._key_starts[number + 1]].tobytes()

    def _number(self, field: str, term: str) -> int | None:
        """The key's number in the sorted keys, or None when the segment lacks it."""
        wanted = field.encode() + KEY_SEPARATOR + term.encode()
        if self._numbers is not None:
            return self._numbers.get(wanted)
        low, high = 0, self._count
        while low < high:  # a binary search over the sorted keys
            middle = (low + high) // 2
            if self._key(middle) < wanted:
                low = middle + 1
            else:
                high = middle
        if low == self._count or self._key(low) != wanted:
            return None
        return low

    def lookup(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, term frequencies) of the term in the field, or None."""
        number = self._number(field, term)
        if number is None:
            return None
        start, end = self._starts[number], self._starts[number + 1]
        return self._arrays["docs"][start:end], self._arrays["freqs"][start:end]

    def positions(self, field: str, term: str, indexes: np.ndarray) -> list[np.ndarray]:
        """The positions of the term in the field for each of these postings of its list (by
        their index in it, ascending): posting i's are positions[position_starts[i]:[i + 1]]."""
        number = self._number(field, term)
        if number is None or not len(indexes):
            return [np.zeros(0, np.uint32) for _ in indexes]
        lowest = int(indexes[0])
        # The starts of the postings from the first asked for to the last, in one read.
        starts = self._read(
            "position_starts", int(self._starts[number]) + lowest, int(indexes[-1]) - lowest + 2
        ).tolist()
        found = []
        for index in indexes:
            at = int(index) - lowest
            found.append(self._read("positions", starts[at], starts[at + 1] - starts[at]))
        return found

    def _read(self, name: str, start: int, count: int) -> np.ndarray:
        """Items start to start + count of an array kept apart, read from the file."""
        dtype, offset, _ = self._apart[name]
        size = np.dtype(dtype).itemsize
        data = os.pread(self._file.fileno(), count * size, offset + start * size)
        return np.frombuffer(data, dtype=dtype)


def _posting_arrays(terms_reader, terminfo, format_) -> tuple:
    """A term's document numbers, frequencies and each posting's positions (a list each; none
    where the field keeps no positions), read a block at a time."""
    positioned = format_.supports("positions")

    def positions_of(values) -> list:
        return [format_.decode_positions(value) if positioned else [] for value in values]

    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        return list(ids), list(weights), positions_of(values)
    matcher = terms_reader._codec.postings_reader(terms_reader._postfile, terminfo, format_)
    ids, weights, positions = array("i"), array("f"), []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if positioned:
                matcher._read_values()
                positions += positions_of(matcher._values[: len(matcher._ids)])
            else:
                positions += [[]] * len(matcher._ids)
            matcher._next_block()
    else:  # another codec's matcher: one posting at a time
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            positions.append(matcher.value_as("positions") if positioned else [])
            matcher.next()
    return ids, weights, positions


def write(segment_reader, folder: Path, fields) -> Path:
    """Write the segment's file from its posting lists in these fields; its path."""
    segment = segment_reader.segment()
    path = folder / segment.make_filename(EXTENSION)
    terms_reader = segment_reader._terms
    schema = segment_reader.schema
    wanted = set(fields)
    found = []
    for (field, term), terminfo in terms_reader.items():
        if field in wanted:
            found.append((field.encode() + KEY_SEPARATOR + term, field, terminfo))
    found.sort(key=lambda item: item[0])
    keys, key_starts, starts = bytearray(), array("q", [0]), array("q", [0])
    docs, freqs = array("i"), array("f")
    position_starts, flat_positions = array("q", [0]), array("I")
    for key, field, terminfo in found:
        ids, weights, positions = _posting_arrays(terms_reader, terminfo, schema[field].format)
        docs.extend(ids)
        freqs.extend(weights)
        for posting_positions in positions:
            flat_positions.extend(posting_positions)
            position_starts.append(len(flat_positions))
        keys += key
        key_starts.append(len(keys))
        starts.append(len(docs))
    arrays = {
        "keys": np.frombuffer(bytes(keys), dtype=np.uint8),
        "key_starts": np.frombuffer(key_starts, dtype=np.int64),
        "starts": np.frombuffer(starts, dtype=np.int64),
        "docs": _smallest(np.frombuffer(docs, dtype=np.int32), np.uint16, np.int32),
        "freqs": _smallest(np.frombuffer(freqs, dtype=np.float32), np.uint16, np.float32),
        "position_starts": np.frombuffer(position_starts, dtype=np.int64),
        "positions": np.frombuffer(flat_positions, dtype=np.uint32),
    }
    _write_file(path, segment_reader.doc_count_all(), arrays)
    return path


def _smallest(values: np.ndarray, small, large) -> np.ndarray:
    """The values as the small type when it holds every one exactly, else as the large one:
    document numbers of a segment under 65,536 documents and whole term frequencies take two
    bytes instead of four. A worker maps the pages of every common term's list, so this is
    most of its memory at 50,000 entries."""
    narrowed = values.astype(small)
    return narrowed if np.array_equal(narrowed, values) else values.astype(large)


def _write_file(path: Path, doc_count: int, arrays: dict[str, np.ndarray]) -> None:
    layout, offset = {}, 0
    for name, values in arrays.items():
        offset = -(-offset // 8) * 8  # each array aligned for its type
        layout[name] = (values.dtype.str, offset, len(values))
        offset += values.nbytes
    header = json.dumps({"format": FORMAT, "doc_count": doc_count, "arrays": layout})
    # The offsets above count from the end of the header line; shift them by its length,
    # padded so that the arrays stay aligned.
    prefix_length = -(-(len(header) + 64) // 8) * 8
    layout = {name: (d, o + prefix_length, n) for name, (d, o, n) in layout.items()}
    header = json.dumps({"format": FORMAT, "doc_count": doc_count, "arrays": layout})
    prefix = header.encode().ljust(prefix_length - 1) + b"\n"
    temporary = path.parent / f".{path.name}-{os.getpid()}-{threading.get_ident()}"
    with open(temporary, "wb") as handle:
        handle.write(prefix)
        for name, values in arrays.items():
            handle.seek(layout[name][1])
            handle.write(values.tobytes())
    os.replace(temporary, path)


def open_or_write(segment_reader, folder: Path, fields) -> SegmentPostings:
    """The segment's posting arrays, writing its file first if nobody has yet."""
    path = folder / segment_reader.segment().make_filename(EXTENSION)
    try:
        return SegmentPostings(path)
    except (OSError, ValueError):
        pass
    write(segment_reader, folder, fields)
    return SegmentPostings(path)


def write_generation(folder: Path, ix, fields) -> None:
    """Write the file of every segment of a generation that has none (after a rebuild)."""
    with ix.reader() as reader:
        for segment_reader, _ in _leaves(reader):
            open_or_write(segment_reader, folder, fields)


def _leaves(reader):
    return reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]


class Leaf:
    """What scoring needs of one segment of an open searcher: its posting arrays, which of its
    documents are deleted, and its field lengths."""

    def __init__(self, searcher, offset: int, postings: SegmentPostings, fields):
        reader = searcher.reader()
        self.searcher = searcher
        self.offset = offset
        self.postings = postings
        self.doc_count = reader.doc_count_all()
        self.deleted = np.fromiter(reader.segment().deleted_docs(), dtype=np.int64)
        self.lengths = {field: _lengths(reader, field, self.doc_count) for field in fields}


def _lengths(reader, field: str, doc_count: int) -> np.ndarray:
    """Each document's length in the field, as Whoosh scores it."""
    column = getattr(reader, "_perdoc", None)
    column = getattr(column, "_readers", {}).get(_lenfield(field))  # kept whole by kb.search.index
    data = getattr(column, "data", None)
    if isinstance(data, bytes) and len(data) >= doc_count:
        return BYTE_LENGTHS[np.frombuffer(data, dtype=np.uint8, count=doc_count)]
    return np.array(
        [reader.doc_field_length(n, field, 0) or 0 for n in range(doc_count)], dtype=np.float32
    )


class Leaves(list):
    """The scoring leaves of one searcher, and the posting lists of the terms asked for so
    far: a term is looked up once per searcher, in each segment, whatever asks for it (its
    frequencies, its rarity, its scores)."""

    MEMORY = 50_000  # (field, term) pairs kept; then forgotten and looked up again

    def __init__(self, leaves):
        super().__init__(leaves)
        self._lists = {}

    def lists(self, field: str, term: str) -> list[tuple[Leaf, np.ndarray, np.ndarray]]:
        """(leaf, documents, frequencies) for each segment that has the term in the field."""
        if isinstance(term, bytes):  # as Whoosh passes a term to its weighting
            term = term.decode()
        key = (field, term)
        found = self._lists.get(key)
        if found is None:
            found = []
            for leaf in self:
                postings_ = leaf.postings.lookup(field, term)
                if postings_ is not None:
                    found.append((leaf, *postings_))
            if len(self._lists) >= self.MEMORY:
                self._lists.clear()
            self._lists[key] = found
        return found

    def doc_frequency(self, field: str, term: str) -> int:
        """How many documents have the term in the field, deleted ones included (as Whoosh
        counts them)."""
        return sum(len(docs) for _, docs, _ in self.lists(field, term))


_lock = threading.Lock()
ATTRIBUTE = "_kb_leaves"  # kept on the searcher itself: they live and go with it


def leaves(searcher, folder: Path, fields) -> Leaves:
    """The scoring leaves of a searcher over the generation in `folder`, made once."""
    with _lock:
        found = getattr(searcher, ATTRIBUTE, None)
        if found is None:
            found = Leaves(
                Leaf(sub, offset, open_or_write(sub.reader(), folder, fields), fields)
                for sub, offset in searcher.leaf_searchers()
            )
            setattr(searcher, ATTRIBUTE, found)
        return found


def made_for(searcher) -> Leaves | None:
    """The leaves made for this searcher, if any yet."""
    return getattr(searcher, ATTRIBUTE, None)


def bm25f(searcher, weighting, field: str, term: str, freqs, lengths) -> np.ndarray:
    """Whoosh's BM25F of these postings (kb.search.index.WEIGHTING), vectorised."""
    b = weighting._field_B.get(field, weighting.B)
    k1 = weighting.K1
    idf = searcher.idf(field, term)
    average = searcher.avg_field_length(field) or 1
    return idf * ((freqs * (k1 + 1)) / (freqs + k1 * ((1 - b) + b * lengths / average)))


def scores(searcher, leaves_: Leaves, lookups, weighting) -> np.ndarray:
    """Each document's summed score over these (field, term, boost) lookups: every posting of
    every lookup counts, however long its list. Deleted documents score nothing."""
    total = np.zeros(searcher.doc_count_all(), dtype=np.float64)
    for field, term, boost in lookups:
        for leaf, docs, freqs in leaves_.lists(field, term):
            lengths = leaf.lengths[field][docs]
            # A term's postings are distinct documents: a plain indexed add is exact. (Widened
            # first: two-byte document numbers plus the segment's offset would wrap.)
            total[docs.astype(np.int64) + leaf.offset] += boost * bm25f(
                searcher, weighting, field, term, freqs, lengths
            )
    for leaf in leaves_:
        if len(leaf.deleted):
            total[leaf.deleted + leaf.offset] = 0.0
    return total


def best(total: np.ndarray, limit: int) -> list[tuple[float, int]]:
    """The `limit` best-scoring documents (score, number), best first, ties to the earlier."""
    matching = np.flatnonzero(total > 0)
    if len(matching) > limit:
        # The limit-th best score; everything above it, and the earliest of those tied with it.
        cut = np.partition(total[matching], len(matching) - limit)[len(matching) - limit]
        matching = matching[total[matching] >= cut]
    order = np.lexsort((matching, -total[matching]))[:limit]
    return [(float(total[matching[i]]), int(matching[i])) for i in order]


def frequencies(leaves_: Leaves, leaf: Leaf, field: str, term: str, docs) -> np.ndarray:
    """How often the term is in the field of each of these documents of the leaf (sorted):
    0 where it is not."""
    found = [(d, f) for one, d, f in leaves_.lists(field, term) if one is leaf]
    if not found or not len(docs):
        return np.zeros(len(docs), dtype=np.float32)
    [(posting_docs, freqs)] = found
    at = np.minimum(np.searchsorted(posting_docs, docs), len(posting_docs) - 1)
    return np.where(posting_docs[at] == docs, freqs[at], 0).astype(np.float32)


def positions(leaves_: Leaves, leaf: Leaf, field: str, term: str, docs) -> dict[int, list]:
    """Where the term is in the field of each of these documents of the leaf (ascending, each
    having it): only phrases of the few candidates need them."""
    [posting_docs] = [d for one, d, _ in leaves_.lists(field, term) if one is leaf]
    indexes = np.searchsorted(posting_docs, docs)
    found = leaf.postings.positions(field, term, indexes)
    return {doc: at.tolist() for doc, at in zip(docs, found, strict=True)}
