"""The API's JSON parser: DRF's, refusing a document nested too deeply before parsing it.

Python's json module recurses once per level: a body of a thousand `[` (2 KB) ended in a
RecursionError, answered 500, and whatever walks the parsed value (serializers, the storable
check) recurses again. Nothing the API takes is nested more than a few levels.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 64

# A JSON string, escapes included (unrolled, so linear): its brackets are not structure.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (0 for a scalar), in linear time and without
    recursion. For malformed text the count is only an estimate; the parser refuses it anyway."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[b] for b in brackets), default=0)


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, answering 400 naming the problem for a document nested deeper than
    MAX_DEPTH levels (the default parser of every view, REST_FRAMEWORK in settings.py)."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - the body is not {encoding}: {error}") from None
        depth = json_depth(text)
        if depth > MAX_DEPTH:
            raise ParseError(
                f"JSON parse error - nested {depth} levels deep; at most {MAX_DEPTH} are accepted"
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
