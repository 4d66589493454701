"""gunicorn settings read from the working directory (the Dockerfile's /app, the repository root).

Command-line options (bind, workers, threads) are given where gunicorn is started; this file
says why the workers are sync ones, caps the connections of threaded ones, and tunes the garbage
collector of each. A portal worker holds a large, long-lived heap (Django, DRF, the analyzer's
lexicons and caches, the kept responses) while every request allocates and frees tens of
thousands of small objects; with CPython's default thresholds (700, 10, 10) full collections
walk that whole heap many times a second. Freezing what exists at fork moves it out of the
collector's sight, and a larger first threshold makes collections rarer; reference counting
still frees almost everything at once. Measured with bench/load.py (see docs/benchmarks.md): the
analyzer endpoint after the review-list run went from 234 to 472 req/s.
"""

import gc

# Sync workers (`--threads 1`, the Dockerfile's): one request at a time per process, the others
# waiting in the listen queue for whichever process is free. With the busiest reads served from
# memory there is little I/O to overlap, and threads contending for each process's interpreter
# lock doubled the 99th percentile of the reads (bench/load.py alternated in one session: 29-48
# ms with sync workers against 54-109 ms with 2 threads, at about the same throughput; with 4
# threads worse; docs/benchmarks.md). Run behind a buffering proxy (docs/deploy.md), as gunicorn
# advises for sync workers.
#
# With `--threads N` (gthread workers) a process accepts every connection it can until it holds
# worker_connections (default 1,000): a few busy keep-alive clients (wrk, or a proxy's upstream
# pool) then sit mostly on one process while the other idles (604 against 1,840 req/s for the
# same endpoint, run to run). At most 16 per process leaves the rest in the listen queue for
# whichever process has room, and past 16 less the threads kept alive a response closes its
# connection so that the client's next one can go elsewhere. (Sync workers do not use it.)
worker_connections = 16


def post_fork(server: object, worker: object) -> None:
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
