"""The kept read responses (courseportal/readcache.py): every kind of write retires them.

These tests commit (transaction=True), as production does: inside a test's transaction the
responses are never kept, since a connection with uncommitted writes reads fresh.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from courseportal import readcache
from courses import services as course_services
from courses.models import ApiToken, CalendarException, Course, Membership
from jobs.models import Job
from presentations.services import calendar_feed_get, calendar_feed_rotate
from reviews.services import paper_create, review_create
from tests.conftest import database_url, require
from tests.factories import make_member
from tests.reviews.conftest import ReviewValues

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse as ApiTestResponse

pytestmark = pytest.mark.django_db(transaction=True)

REVIEW: ReviewValues = {
    "summary": "The paper replaces strided transposed convolutions with resize-convolutions.",
    "strengths": "Figure 3 shows clearly that the checkerboard artifacts disappear.",
    "weaknesses": "Table 2 lacks the bilinear-upsampling baseline of Section 4.",
    "questions": "How does the method behave with kernel size 4 and stride 2?",
    "rating": 4,
    "confidence": 3,
}


@pytest.fixture(autouse=True)
def _nothing_kept():
    readcache.clear()
    yield
    readcache.clear()


def sessions_url(course: Course) -> str:
    return f"/api/v1/courses/{course.pk}/sessions/"


def get(api: APIClient, url: str) -> ApiTestResponse:
    response = api.get(url)
    assert response.status_code == 200, response.content[:300]
    return response


def built(api: APIClient, url: str) -> bool:
    """Whether this read built its response (True) or was served a kept one (False): a kept
    response runs no query beyond those that check access."""
    with CaptureQueriesContext(connection) as queries:
        get(api, url)
    return any(_first_table(q["sql"]) not in ACCESS for q in queries)


FIRST_TABLE = re.compile(r'FROM\s+"?(\w+)"?', re.I)


def _first_table(sql: str) -> str:
    found = FIRST_TABLE.search(sql)
    assert found is not None, sql
    return found.group(1)


ACCESS = {"courses_membership", "courses_apitoken", "django_session", "auth_user"}


def session(api: APIClient, course: Course, day: str) -> dict:
    return {s["date"]: s for s in get(api, sessions_url(course)).json()}[day]


# --- Kept, and the same bytes ----------------------------------------------------------------


def test_a_second_read_is_served_kept_with_the_same_bytes(api, course, alice):
    api.force_authenticate(alice)
    assert built(api, sessions_url(course)) is True
    assert built(api, sessions_url(course)) is False
    kept = get(api, sessions_url(course))
    with override_settings(READ_CACHE_BYTES=0):
        fresh = get(api, sessions_url(course))
    assert kept.content == fresh.content
    assert kept["Content-Type"] == fresh["Content-Type"] == "application/json"


def test_a_kept_response_is_still_refused_to_whoever_may_not_see_it(api, course, alice, bob):
    api.force_authenticate(alice)
    get(api, sessions_url(course))
    api.force_authenticate(bob)  # a student of another course
    assert api.get(sessions_url(course)).status_code == 404
    api.force_authenticate(None)
    assert api.get(sessions_url(course)).status_code in (401, 403)
    _, key = course_services.api_token_create(user=alice, name="laptop")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(sessions_url(course)).status_code == 200
    course_services.api_token_revoke(token=alice.api_tokens.get())
    assert api.get(sessions_url(course)).status_code == 401


# --- Every kind of write retires it ----------------------------------------------------------


def test_a_write_through_the_api_shows_in_the_next_read(api, course, tara):
    api.force_authenticate(tara)
    assert session(api, course, "2017-10-10")["meets"] is True
    created = api.post(
        f"/api/v1/courses/{course.pk}/exceptions/",
        {"date": "2017-10-10", "kind": "no_class", "reason": "break"},
        format="json",
    )
    assert created.status_code == 201
    assert session(api, course, "2017-10-10")["meets"] is False


def test_queryset_update_bulk_create_and_delete_show_in_the_next_read(api, course, alice):
    api.force_authenticate(alice)
    assert session(api, course, "2017-08-22")["starts_at"] == "2017-08-22T16:30:00-04:00"
    Course.objects.filter(pk=course.pk).update(meeting_start=dt.time(9), meeting_end=dt.time(10))
    assert session(api, course, "2017-08-22")["starts_at"] == "2017-08-22T09:00:00-04:00"
    CalendarException.objects.bulk_create(
        [CalendarException(course=course, date=dt.date(2017, 10, 10), kind="no_class")]
    )
    assert session(api, course, "2017-10-10")["meets"] is False
    CalendarException.objects.filter(course=course).delete()
    assert session(api, course, "2017-10-10")["meets"] is True


def test_a_users_new_name_shows_in_the_reviews_list(api, course, alice, ines):
    paper = paper_create(
        course=course,
        session_date=dt.date(2017, 10, 17),
        title="Fully Convolutional Networks",
        review_deadline=timezone.now() - dt.timedelta(days=1),
    )
    review_create(paper=paper, author=alice, now=paper.review_deadline, **REVIEW)
    url = f"/api/v1/courses/{course.pk}/papers/{paper.pk}/reviews/"
    api.force_authenticate(ines)
    before = get(api, url).content
    assert built(api, url) is False
    alice.first_name, alice.last_name = "Alicia", "Zhang"
    alice.save()
    after = get(api, url).content
    assert after != before
    assert b"Alicia" in after


def test_a_change_made_in_another_process_retires_what_this_one_kept(api, course, alice):
    """The version lives in the shared cache (Redis): a worker's or shell's write counts."""
    require(bool(os.environ.get("REDIS_URL")), "the shared cache needs Redis (REDIS_URL)")
    redis_url = os.environ["REDIS_URL"]
    shared = {"default": {"BACKEND": "courseportal.cache.SharedClientRedisCache"}}
    shared["default"]["LOCATION"] = redis_url
    with override_settings(CACHES=shared):
        api.force_authenticate(alice)
        assert session(api, course, "2017-10-10")["meets"] is True
        assert built(api, sessions_url(course)) is False
        code = (
            "import datetime as dt; from courses.models import CalendarException; "
            f"CalendarException.objects.create(course_id={course.pk}, "
            "date=dt.date(2017, 10, 10), kind='no_class')"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "courseportal.settings",
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
        }
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code], env=env, check=True, timeout=120
        )
        assert session(api, course, "2017-10-10")["meets"] is False


def test_a_connection_reads_its_own_uncommitted_writes_and_a_rollback_changes_nothing(
    api, course, alice
):
    api.force_authenticate(alice)
    assert session(api, course, "2017-10-10")["meets"] is True
    with transaction.atomic():
        CalendarException.objects.create(course=course, date=dt.date(2017, 10, 10), kind="no_class")
        assert session(api, course, "2017-10-10")["meets"] is False  # its own write
        transaction.set_rollback(True)
    assert session(api, course, "2017-10-10")["meets"] is True
    assert built(api, sessions_url(course)) is False  # nothing committed: still the kept one


def test_writes_to_the_ignored_tables_and_columns_leave_the_kept_responses_alone(
    api, course, alice
):
    api.force_authenticate(alice)
    get(api, sessions_url(course))
    token, _ = course_services.api_token_create(user=alice, name="laptop")
    get(api, sessions_url(course))
    course_services.api_token_touch(token=token)  # a token's last use
    update_last_login(type(alice), alice)  # a login (as the user_logged_in signal calls it)
    Job.objects.create(course=course, kind="roster_import", created_by=alice)  # a job
    assert built(api, sessions_url(course)) is False
    Membership.objects.filter(pk=alice.memberships.get().pk).update(section="B")
    assert built(api, sessions_url(course)) is True  # ...and a content table does


def test_who_may_read_is_looked_up_again_after_each_change(api, client, course, alice):
    """Tokens, memberships and feed keys are kept under the same version as the responses."""
    token, key = course_services.api_token_create(user=alice, name="laptop")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    get(api, sessions_url(course))
    with CaptureQueriesContext(connection) as queries:
        get(api, sessions_url(course))
    assert len(queries) == 0  # token, membership and response all kept
    Membership.objects.filter(user=alice).update(is_active=False)
    assert api.get(sessions_url(course)).status_code == 404
    Membership.objects.filter(user=alice).update(is_active=True)
    get(api, sessions_url(course))
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    assert api.get(sessions_url(course)).status_code == 401
    get_user_model().objects.filter(pk=alice.pk).update(is_active=True)
    get(api, sessions_url(course))
    ApiToken.objects.filter(pk=token.pk).delete()
    assert api.get(sessions_url(course)).status_code == 401

    feed = calendar_feed_get(user=alice)
    url = f"/feeds/{feed.key}/courses/{course.pk}.ics"
    assert client.get(url).status_code == 200
    calendar_feed_rotate(user=alice)
    assert client.get(url).status_code == 404


def test_the_reviews_of_a_paper_are_released_at_its_deadline_even_when_kept(
    api, course, alice, monkeypatch
):
    carol = make_member(course, "carol", "student")
    deadline = timezone.now() + dt.timedelta(hours=1)
    paper = paper_create(
        course=course, session_date=dt.date(2017, 10, 12), title="Odena", review_deadline=deadline
    )
    review_create(paper=paper, author=carol, now=timezone.now(), **REVIEW)
    url = f"/api/v1/courses/{course.pk}/papers/{paper.pk}/reviews/"
    api.force_authenticate(alice)
    assert get(api, url).json() == []  # before the deadline: only her own, none
    assert built(api, url) is False
    later = deadline + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert [r["author"]["username"] for r in get(api, url).json()] == ["carol"]


def test_the_calendar_feed_is_kept_and_follows_the_calendar(client, course, alice):
    feed = calendar_feed_get(user=alice)
    url = f"/feeds/{feed.key}/courses/{course.pk}.ics"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/calendar")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert len(queries) == 0  # the feed key's membership and the feed: both kept
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    CalendarException.objects.create(
        course=course, date=dt.date(2017, 10, 10), kind="no_class", reason="break"
    )
    changed = client.get(url)
    assert changed["ETag"] != first["ETag"]
    assert changed.content != first.content


def test_with_redis_unreachable_reads_are_served_fresh(api, course, alice):
    dead = {
        "default": {
            "BACKEND": "courseportal.cache.SharedClientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    api.force_authenticate(alice)
    with override_settings(CACHES=dead):
        assert readcache.current_version() is None
        assert built(api, sessions_url(course)) is True
        assert built(api, sessions_url(course)) is True


# --- What a kept response may read -----------------------------------------------------------

TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.I)


def test_kept_responses_read_no_table_whose_writes_are_ignored(api, client, course, alice, ines):
    """A kept response built from an ignored table would not follow its changes."""
    paper = paper_create(
        course=course,
        session_date=dt.date(2017, 10, 17),
        title="FCN",
        review_deadline=timezone.now() - dt.timedelta(days=1),
    )
    review_create(paper=paper, author=alice, now=paper.review_deadline, **REVIEW)
    feed = calendar_feed_get(user=alice)
    api.force_authenticate(alice)
    client.force_login(alice)
    reads = {
        "sessions": lambda: api.get(sessions_url(course)),
        "reviews": lambda: api.get(f"/api/v1/courses/{course.pk}/papers/{paper.pk}/reviews/"),
        "feed": lambda: client.get(f"/feeds/{feed.key}/courses/{course.pk}.ics"),
        "mine": lambda: client.get(f"/feeds/{feed.key}/mine.ics"),
        "course ics": lambda: client.get(f"/courses/{course.pk}/calendar.ics"),
    }
    ignored = readcache.ignored_tables()
    assert {"convlab_submission", "jobs_job"} <= ignored
    for name, read in reads.items():
        readcache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert read().status_code == 200, name
        tables = {t for q in queries for t in TABLE.findall(q["sql"])}
        assert tables, name
        touched = tables & ignored - {"django_session"}  # the session's check
        assert not touched, f"{name} reads {touched}"


# --- The pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "write"),
    [
        ('SELECT "courses_course"."id" FROM "courses_course"', False),
        ("  select 1", False),
        ('SAVEPOINT "s1"', False),
        ('INSERT INTO "convlab_submission" ("id") VALUES (%s)', False),
        ('UPDATE "courses_apitoken" SET "last_used_at" = %s WHERE "id" = %s', False),
        ('UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s', False),
        ('UPDATE "auth_user" SET "last_login" = %s, "is_active" = %s WHERE "id" = %s', True),
        ('UPDATE "courses_apitoken" SET "revoked_at" = %s WHERE "id" = %s', True),
        ('UPDATE "auth_user" SET "last_login" = %s', True),  # not understood: a write
        ('INSERT INTO "reviews_review" ("id") VALUES (%s)', True),
        ('UPDATE "courses_course" SET "meeting_start" = %s', True),
        ('DELETE FROM "presentations_calendarexception" WHERE 1', True),
        ('TRUNCATE "auth_user", "convlab_submission";', True),
        ('ALTER TABLE "courses_course" ADD COLUMN "x" int', True),
    ],
)
def test_which_statements_change_the_version(sql, write):
    assert readcache.is_content_write(sql) is write


def test_the_store_stays_under_its_size():
    store = readcache._Store()
    for n in range(40):
        store.put((n,), "v1", readcache.Kept(b"x" * 100, "text/plain"), limit=1000)
    assert store.size <= 1000
    assert len(store.entries) == 10
    assert store.get((39,), "v1") is not None
    assert store.get((0,), "v1") is None  # the oldest went first
    assert store.get((39,), "v2") is None  # another version: retired
    store.put(("big",), "v1", readcache.Kept(b"x" * 600, "text/plain"), limit=1000)
    assert store.get(("big",), "v1") is None  # over a quarter of the limit: not kept
