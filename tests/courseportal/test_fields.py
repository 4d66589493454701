"""LongTextField: DRF's surrogate check, by one regular expression."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from courseportal.fields import FastProhibitSurrogateCharactersValidator, LongTextField


def _outcome(validator: Callable[[str], object], value: str) -> str | None:
    try:
        validator(value)
    except ValidationError as error:
        detail = error.detail
    else:
        return None
    assert isinstance(detail, list)  # a validator raises a list of messages
    return str(detail[0])


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_it_answers_like_drfs_validator(text: str) -> None:
    assert _outcome(FastProhibitSurrogateCharactersValidator(), text) == _outcome(
        ProhibitSurrogateCharactersValidator(), text
    )


@pytest.mark.parametrize("text", ["ok \ud83d", "\udfff", "a\ud800b\udc00"])
def test_it_refuses_surrogates_naming_the_first(text: str) -> None:
    class Input(serializers.Serializer):
        text = LongTextField()

    form = Input(data={"text": text})
    assert not form.is_valid()
    first = next(c for c in text if 0xD800 <= ord(c) <= 0xDFFF)
    assert form.errors["text"] == [f"Surrogate characters are not allowed: U+{ord(first):X}."]


def test_it_keeps_the_other_validators() -> None:
    field = LongTextField(max_length=3)
    assert not any(type(v) is ProhibitSurrogateCharactersValidator for v in field.validators)
    with pytest.raises(ValidationError):
        field.run_validation("four")
