from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import call_command


def test_it_generates_a_valid_openapi_schema_without_warnings() -> None:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert "/api/v1/courses/{course_id}/sessions/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_it_serves_the_schema_to_anyone(client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content
