"""Measuring instruments, kept out of the site: nothing in kb/ imports them.

run             `make bench`: every figure below at each corpus size, in one table
corpus          the synthetic corpus (words in vocabulary.yaml) and its fast loader
queries         the 66 timed queries: the dev queries and pastes of 5 and 20 KB
measure         timing passes within a budget, percentiles, hit@1, peak memory, JSON out
our_search      our index rebuild, and our searches, each in a process of its own
fts5            the reference: SQLite FTS5 over the same entries and queries
http_load       wrk throughput, latency, page weight and workers' memory of a served site
report          the table, the goals marked met or not met, its section in docs/benchmark.md
throwaway_site  a site built and served as `make run` does, in a temporary folder
django_env      Django set up in a benchmark process
search_bench    per-kind search timings on the real FAQ (part of `make bench`)
page_weight     `make weight`: what a browser downloads for a page
screenshots     `make screenshots`: the pictures in docs/screenshots/
"""
