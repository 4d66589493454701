"""The OpenAPI schema: valid, complete (every /api/v1/ URL, found by walking the URL resolver,
so endpoints added later are caught), every operation with request and response examples, and
Swagger UI served from our own static files."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from pytest_django import Settings

API_PREFIX = "api/v1/"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# `<id:course_id>` -> `{course_id}`, as drf-spectacular writes path parameters.
CONVERTER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    loaded: dict[str, Any] = yaml.safe_load(out.getvalue())
    return loaded


def api_routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(route, view callback) of every URL pattern under /api/v1/, however deeply included."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith(API_PREFIX):
            yield route, entry.callback


def openapi_path(route: str) -> str:
    return "/" + CONVERTER.sub(r"{\1}", route)


def view_methods(callback: Any) -> list[str]:
    """The HTTP methods a URL's view answers: a ViewSet's mapped actions, or an APIView's
    (also what @api_view makes) method handlers."""
    actions = getattr(callback, "actions", None)
    if actions:
        return [m for m in HTTP_METHODS if m in actions]
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return [m for m in HTTP_METHODS if view_class and hasattr(view_class, m)]


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def test_it_generates_the_schema_without_warnings(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_it_validates_against_the_openapi_meta_schema(schema: dict[str, Any]) -> None:
    validate(schema)


def test_the_validator_rejects_a_broken_schema(schema: dict[str, Any]) -> None:
    """The check above can fail: an operation without its required `responses` is refused."""
    path, method, _ = next(operations(schema))
    broken = {**schema, "paths": {path: {method: {"summary": "no responses"}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_it_finds_the_api_urls_by_walking_the_resolver() -> None:
    routes = dict(api_routes())
    assert "api/v1/courses/<id:course_id>/sessions/" in routes
    assert "api/v1/submissions/<id:submission_id>/results.json" in routes
    assert len(routes) >= 30


def test_every_api_url_and_method_is_in_the_schema(schema: dict[str, Any]) -> None:
    missing = []
    for route, callback in api_routes():
        path = openapi_path(route)
        methods = view_methods(callback)
        assert methods, f"{route}: not a DRF view"
        documented = schema["paths"].get(path, {})
        missing += [f"{m.upper()} {path}" for m in methods if m not in documented]
    assert not missing, f"not in the schema: {missing}"


def test_every_operation_has_a_summary_and_examples(schema: dict[str, Any]) -> None:
    problems = []
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        if not operation.get("summary"):
            problems.append(f"{where}: no summary")
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            if not content.get("examples"):
                problems.append(f"{where}: no request example for {media_type}")
        successes = {c: r for c, r in operation["responses"].items() if c.startswith("2")}
        assert successes, f"{where}: no success response"
        for code, response in successes.items():
            for media_type, content in response.get("content", {}).items():
                if not content.get("examples"):
                    problems.append(f"{where}: no {code} example for {media_type}")
        if not any(
            content.get("examples")
            for response in operation["responses"].values()
            for content in response.get("content", {}).values()
        ):
            problems.append(f"{where}: no response example at all")
    assert not problems, "\n".join(problems)


def test_no_body_is_a_free_form_object(schema: dict[str, Any]) -> None:
    """Every request and success body has a named schema, not `{"type": "object"}`."""
    generic = []
    for path, method, operation in operations(schema):
        bodies = [("request", operation.get("requestBody", {}))] + [
            (code, r) for code, r in operation["responses"].items() if code.startswith("2")
        ]
        for label, body in bodies:
            for content in body.get("content", {}).values():
                body_schema = content["schema"]
                body_schema = body_schema.get("items", body_schema)
                if "$ref" not in body_schema:
                    generic.append(f"{method.upper()} {path} {label}: {body_schema}")
    assert not generic, "\n".join(generic)


def example_errors(schema: dict[str, Any]) -> Iterator[str]:
    """Each example checked against the schema of its body (responses as read, requests as
    written), so that an example cannot drift from what the API sends and takes."""
    for path, method, operation in operations(schema):
        bodies = [
            ("request", content, OAS30WriteValidator)
            for content in operation.get("requestBody", {}).get("content", {}).values()
        ] + [
            (code, content, OAS30ReadValidator)
            for code, response in operation["responses"].items()
            for content in response.get("content", {}).values()
        ]
        for label, content, validator_class in bodies:
            # The body's schema refers to #/components/...: give it the components to resolve.
            validator = validator_class({**content["schema"], "components": schema["components"]})
            for name, example in content.get("examples", {}).items():
                for error in validator.iter_errors(example["value"]):
                    yield f"{method.upper()} {path} {label} {name}: {error.message}"


def test_every_example_matches_its_schema(schema: dict[str, Any]) -> None:
    errors = list(example_errors(schema))
    assert not errors, "\n".join(errors)


def test_the_example_check_can_fail(schema: dict[str, Any]) -> None:
    schema = copy.deepcopy(schema)
    path = "/api/v1/courses/{course_id}/exceptions/"
    content = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    content["examples"] = {"Wrong": {"value": {"date": 20171121, "kind": "no_class"}}}
    assert any("20171121" in error for error in example_errors(schema))


def test_every_operation_documents_anonymous_callers(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        if path.startswith("/api/v1/"):
            assert "401" in operation["responses"], f"{method.upper()} {path}"


@pytest.mark.django_db
def test_it_serves_the_schema_to_anyone(client: Client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


class _Assets(HTMLParser):
    """The `src` and `href` of scripts, stylesheets and icons of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


@pytest.mark.django_db
def test_the_docs_page_loads_only_local_static_assets(client: Client, settings: Settings) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    parser = _Assets()
    parser.feed(page)
    assert any(url.endswith("swagger-ui-bundle.js") for url in parser.urls), parser.urls
    static = "/" + settings.STATIC_URL.lstrip("/")
    docs = reverse("api-docs")
    for url in parser.urls:
        if is_the_docs_view(url, docs):
            # SpectacularSwaggerSplitView serves its init script itself (`?script=`), so that
            # the Content-Security-Policy needs no inline script: same origin, same view.
            script = client.get(url)
            assert script.status_code == 200, url
            assert "javascript" in script["Content-Type"], url
            assert "SwaggerUIBundle" in script.content.decode(), url
            continue
        assert url.startswith(static), f"{url} is neither a static file nor the docs view"
        assert finders.find(url.removeprefix(static)), f"{url} is not in any static folder"
    assert "cdn.jsdelivr.net" not in page
    assert "unpkg.com" not in page


def is_the_docs_view(url: str, docs: str) -> bool:
    """A URL of the docs view itself on this site: no scheme or host (not even `//host`), the
    docs path exactly, with a query string."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and parts.path == docs and bool(parts.query)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("/api/docs/?script=", True),
        ("https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui-bundle.js", False),
        ("//unpkg.com/api/docs/?script=", False),
        ("https://evil.example/api/docs/?script=", False),
        ("/api/docs/", False),
        ("/api/docs/../schema/?script=", False),
        ("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", False),
    ],
)
def test_only_the_docs_view_itself_counts_as_its_own_script(url: str, local: bool) -> None:
    assert is_the_docs_view(url, "/api/docs/") is local
