"""The per-user limit on running the review analyzer, one count for every way in.

The API's `POST /api/v1/reviews/analyze/`, writing or editing a review (API and form), the review
form page and its live guidance panel all run the analyzer: each request counts once against the
user's `analyze` rate (settings' DEFAULT_THROTTLE_RATES, ANALYZE_RATE in the environment), in
the cache DRF's throttles use. Past it the API answers 429 through DRF, and the pages answer 429
themselves, with the same Retry-After.
"""

from __future__ import annotations

import math

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from courseportal.counters import counters


class AnalyzeThrottle(UserRateThrottle):
    """Counted in the shared cache, or in this process's own while Redis is down
    (courseportal/counters.py): the limit holds, per web process, and nothing answers 500."""

    scope = "analyze"
    cache = counters


def page_wait(request: HttpRequest) -> int:
    """Count a page request that runs the analyzer against the user's `analyze` limit.

    0 when it may run (the request is counted), else the whole seconds until it may: the
    Retry-After of a 429 (a refused request is not counted, as in DRF).
    """
    throttle = AnalyzeThrottle()
    # The page's request wrapped as the API's would be, with the same user: the same cache key.
    api_request = Request(request)
    api_request.user = request.user
    if throttle.allow_request(api_request, APIView()):
        return 0
    wait = throttle.wait()
    return max(1, math.ceil(wait)) if wait else 1


def refused_message(wait: int) -> str:
    """What a page says when it refuses to run the analyzer."""
    return (
        "Too many requests for writing guidance in a short time (the live guidance, saving and "
        f"the API count together). Try again in {wait} s."
    )
