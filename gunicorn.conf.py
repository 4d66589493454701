"""gunicorn settings read from the working directory (the Dockerfile's /app, the repository root).

Command-line options (bind, workers, threads) are given where gunicorn is started; this file only
tunes the garbage collector of each worker process. A portal worker holds a large, long-lived heap
(Django, DRF, the analyzer's lexicons and caches, the kept calendar serializations) while every
request allocates and frees tens of thousands of small objects; with CPython's default thresholds
(700, 10, 10) full collections walk that whole heap many times a second. Freezing what exists at
fork moves it out of the collector's sight, and a larger first threshold makes collections rarer;
reference counting still frees almost everything at once. Measured with bench/load.py (see
docs/benchmarks.md): the analyzer endpoint after the review-list run went from 234 to 472 req/s.
"""

import gc


def post_fork(server: object, worker: object) -> None:
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
