from __future__ import annotations


class IdConverter:
    """`<id:name>` in URLs: an id of at most 18 digits, so none overflows a 64-bit column."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
