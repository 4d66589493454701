"""Benchmark scripts, run as ``python bench/<name>.py`` (a package only so that type checkers map
them to ``bench.*``, apart from the ``reviews`` package that bench/reviews.py measures)."""
