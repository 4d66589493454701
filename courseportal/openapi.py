"""OpenAPI for the whole REST API: the error answers every operation shares, and short
constructors of the request and response examples each app's `schema.py` defines.

The error answers are added here, once, instead of on every `@extend_schema`: they follow from
how the API is built (README.md, "REST API": anonymous 401, another course's objects 404, a
missing role 403, bad input 400 naming the field), so documenting them per view would repeat
the same four lines sixty times and drift.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema_field
from rest_framework import serializers

# Paths whose writes need no course role: the caller's own tokens, the stateless analyzer.
NO_ROLE_CHECK = ("/api/v1/tokens/", "/api/v1/reviews/analyze/")
DOCUMENTED_BODIES = ("application/json", "multipart/form-data")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorOutput(serializers.Serializer):
    """DRF's error body: one sentence that says what went wrong."""

    detail = serializers.CharField()


MESSAGES: dict[str, Any] = {"type": "array", "items": {"type": "string"}}

# A list field's errors keyed by the bad item's index ("0"), a nested object's by its field;
# DRF nests them as deep as the input is, so the inner levels are left open.
NESTED_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": "A list field's errors by item index, or a nested object's by field.",
    "additionalProperties": {"anyOf": [MESSAGES, {"type": "object"}]},
}

# 400: each field that failed, with its messages (`non_field_errors` for the whole body), or
# DRF's `detail` sentence when the body could not even be parsed (malformed JSON or multipart).
VALIDATION_ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "string",
            "description": "Why the body could not be parsed; then no field is named.",
        }
    },
    "additionalProperties": {"oneOf": [MESSAGES, NESTED_ERRORS]},
    "description": "Each invalid field with its messages.",
}


def json_output(schema: Any) -> serializers.JSONField:
    """A read-only field for a model's JSONField, documented with the shape the app stores there
    (a serializer class or a JSON schema dict) instead of "any value"."""
    documented = extend_schema_field(schema)(type("JSONOutput", (serializers.JSONField,), {}))
    field: serializers.JSONField = documented(read_only=True)
    return field


def request_example(
    summary: str, value: Any, *, name: str | None = None, media_type: str | None = None
) -> OpenApiExample:
    """An example request body (JSON unless `media_type` says otherwise)."""
    return OpenApiExample(
        name or summary,
        summary=summary,
        value=value,
        request_only=True,
        media_type=media_type or "application/json",
    )


def response_example(
    summary: str, value: Any, *, status: int = 200, name: str | None = None
) -> OpenApiExample:
    """An example response body for one status code.

    A list endpoint's example is one item: drf-spectacular wraps it in the list itself.
    """
    return OpenApiExample(
        name or summary,
        summary=summary,
        value=value,
        response_only=True,
        status_codes=[str(status)],
    )


class CsvFile(serializers.Serializer):
    """Base of the named CSV bodies: a subclass's docstring says what its file holds.

    A download is a string, but an inline `{"type": "string"}` would be the one body of the API
    without a named schema; a subclass becomes a component (`CanvasGradesCsv`) that clients and
    the docs page can name.
    """


class CsvFileSchema(OpenApiSerializerExtension):
    """Documents every CsvFile subclass as a named string schema (text, not an object)."""

    target_class = CsvFile
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "description": (type(self.target).__doc__ or "").strip()}


def csv_file_response(
    body: type[CsvFile], description: str, *, summary: str, example: str
) -> dict[tuple[int, str], OpenApiResponse]:
    """`responses=` of a CSV download: 200 as text/csv only, with an example file."""
    return {
        (200, "text/csv"): OpenApiResponse(
            body,
            description=description,
            examples=[OpenApiExample(summary, value=example, media_type="text/csv")],
        )
    }


def error_response(description: str, detail: str, *, summary: str | None = None) -> OpenApiResponse:
    """A `{"detail": ...}` answer with its example, for an `@extend_schema(responses=...)`."""
    return OpenApiResponse(
        ErrorOutput,
        description=description,
        examples=[OpenApiExample(summary or description, value={"detail": detail})],
    )


def staff_only_response() -> OpenApiResponse:
    """The 403 of a read only TAs and instructors may make (the generic 403 covers writes)."""
    return error_response(
        "Signed in as a member of the course, but not one of its TAs or instructors.",
        "Only the course's TAs and instructors may do this.",
        summary="Not staff",
    )


def refused_response(description: str, field: str, message: str) -> OpenApiResponse:
    """The 400 of an action the object's state refuses (a DELETE has no generic 400), with the
    field that says why, as a service's ValidationError answers it."""
    return OpenApiResponse(
        VALIDATION_ERROR,
        description=description,
        examples=[OpenApiExample("Refused", value={field: [message]})],
    )


def throttled_response(scope: str) -> OpenApiResponse:
    return error_response(
        f"Too many requests: the per-user `{scope}` rate limit (see the `Retry-After` header).",
        "Request was throttled. Expected available in 12 seconds.",
        summary="Rate limited",
    )


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers an operation can give.

    A view that declares a status itself (a 409, its own 400 example) keeps its declaration.
    """

    def get_request_serializer(self) -> Any:
        """A view may name its body at schema time (`request_serializer(method)`), when what it
        takes is registered by other apps (jobs/apis.py: the startable kinds' inputs)."""
        named = getattr(self.view, "request_serializer", None)
        found = named(self.method) if named is not None else None
        return found if found is not None else super().get_request_serializer()

    def map_parsers(self) -> list[Any]:
        """JSON bodies everywhere; multipart too where a view takes uploads (it names its
        parsers). DRF's form encodings work as well but are left out: they serve the browsable
        API, and an example per encoding would only repeat the JSON one."""
        if "parser_classes" not in vars(type(self.view)):
            return ["application/json"]
        return [media for media in super().map_parsers() if media in DOCUMENTED_BODIES]

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response" or not self.path.startswith("/api/v1/"):
            return responses
        for code, answer in self._error_answers().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(answer, code, direction=direction)
        return responses

    def _error_answers(self) -> dict[str, OpenApiResponse]:
        answers: dict[str, OpenApiResponse] = {}
        query = self._query_parameters()
        if self.method in UNSAFE - {"DELETE"} or query:
            example = {query[0]: ["Enter a valid value."]} if query else self._validation_example()
            answers["400"] = OpenApiResponse(
                VALIDATION_ERROR,
                description="Bad input: each invalid field is named with its messages.",
                examples=[OpenApiExample("Invalid field", value=example)],
            )
        answers["401"] = error_response(
            "No credentials, or a revoked or unknown token.",
            "Authentication credentials were not provided.",
            summary="Anonymous",
        )
        if self.method in UNSAFE and not self.path.startswith(NO_ROLE_CHECK):
            answers["403"] = error_response(
                "Signed in, but without the role this action needs.",
                "You do not have permission to perform this action.",
                summary="Missing role",
            )
        if self.method in UNSAFE - {"DELETE"}:
            answers["413"] = error_response(
                "The body is larger than this endpoint takes (a file over its limit, or more "
                "than 2.5 MiB of JSON): refused before it is read, nothing saved. An upload's "
                "answer also names the field, as a 400 would.",
                "Request body too large: the request body is larger than 2.5 MiB.",
                summary="Too large",
            )
        if "{" in self.path:
            answers["404"] = error_response(
                "No such object, or it belongs to a course you are not a member of.",
                "Not found.",
                summary="Not found",
            )
        return answers

    def _query_parameters(self) -> list[str]:
        """The query parameters the view declares: a read that takes one validates it (a filter
        by date answers 400 for a bad date), so it has a 400 as well as the writes."""
        declared = self._process_override_parameters()
        return [name for (name, location), p in declared.items() if location == "query" and p]

    def _validation_example(self) -> dict[str, list[str]]:
        """A 400 body naming a real field of this operation's input."""
        serializer = self.get_request_serializer()
        if isinstance(serializer, dict):  # {media type: serializer}
            serializer = next(iter(serializer.values()))
        fields = getattr(force_instance(serializer), "fields", None)
        if not fields:
            return {"non_field_errors": ["This action is not possible in the current state."]}
        required = [name for name, field in fields.items() if field.required]
        return {(required or list(fields))[0]: ["This field is required."]}
