"""The kept reads (courseportal/caching.py): every kind of write retires them.

These tests commit (transaction=True), as production does: inside a transaction nothing is
kept or served, so a test in the usual rolled-back transaction never sees a kept read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courseportal import caching
from courses import services as course_services
from courses.models import ApiToken, CalendarException, Course
from jobs.models import Job
from presentations.services.calendar_feeds import calendar_feed_get, calendar_feed_rotate
from presentations.services.groups import group_create
from presentations.services.schedules import schedule_generate, schedule_publish
from reviews.services import paper_create, review_create
from roster.services import roster_apply
from tests.conftest import database_url, require
from tests.factories import make_member, make_user
from tests.reviews.conftest import ReviewValues

pytestmark = pytest.mark.django_db(transaction=True)

REVIEW: ReviewValues = {
    "summary": "The paper replaces strided transposed convolutions with resize-convolutions.",
    "strengths": "Figure 3 shows clearly that the checkerboard artifacts disappear.",
    "weaknesses": "Table 2 lacks the bilinear-upsampling baseline of Section 4.",
    "questions": "How does the method behave with kernel size 4 and stride 2?",
    "rating": 4,
    "confidence": 3,
}
LOCAL_ONLY = {  # the test settings' local cache, beside a shared one a test names
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "courseportal-local",
}


def sessions_url(course: Course) -> str:
    return f"/api/v1/courses/{course.pk}/sessions/"


def get(api: Any, url: str) -> Any:
    response = api.get(url)
    assert response.status_code == 200, response.content[:300]
    return response


FIRST_TABLE = re.compile(r'(?:FROM|UPDATE|INTO)\s+"?(\w+)"?', re.I)
ACCESS = {"courses_membership", "courses_apitoken", "django_session", "auth_user"}


def built(api: Any, url: str) -> bool:
    """Whether this read built its response (True) or was served a kept one (False): a kept
    response runs no query beyond those that check access."""
    with CaptureQueriesContext(connection) as queries:
        get(api, url)
    return any(_first_table(q["sql"]) not in ACCESS for q in queries)


def _first_table(sql: str) -> str:
    found = FIRST_TABLE.search(sql)
    assert found is not None, sql
    return found.group(1)


def session(api: Any, course: Course, day: str) -> dict[str, Any]:
    return {s["date"]: s for s in get(api, sessions_url(course)).json()}[day]


def released_paper(course: Course, author: Any) -> Any:
    paper = paper_create(
        course=course,
        session_date=dt.date(2017, 10, 17),
        title="Fully Convolutional Networks",
        review_deadline=timezone.now() - dt.timedelta(days=1),
    )
    review_create(paper=paper, author=author, now=paper.review_deadline, **REVIEW)
    return paper


# --- Kept, and the same bytes ----------------------------------------------------------------


def test_it_serves_a_second_read_kept_with_the_same_bytes(api, course, alice, ines):
    paper = released_paper(course, alice)
    for url in (sessions_url(course), f"/api/v1/courses/{course.pk}/papers/{paper.pk}/reviews/"):
        api.force_authenticate(alice)
        first = api.get(url)
        assert built(api, url) is False
        kept = get(api, url)
        with override_settings(READ_CACHE_ENTRIES=0):
            assert built(api, url) is True
            fresh = get(api, url)
        assert kept.content == fresh.content == first.content
        assert kept["Content-Type"] == fresh["Content-Type"] == "application/json"
        assert kept.headers == fresh.headers


def test_it_checks_access_before_serving_a_kept_response(api, course, alice, bob):
    api.force_authenticate(alice)
    get(api, sessions_url(course))
    api.force_authenticate(bob)  # a student of another course
    assert api.get(sessions_url(course)).status_code == 404
    api.force_authenticate(None)
    assert api.get(sessions_url(course)).status_code == 401
    _, key = course_services.api_token_create(user=alice, name="laptop")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert built(api, sessions_url(course)) is False
    course_services.api_token_revoke(token=alice.api_tokens.get())
    assert api.get(sessions_url(course)).status_code == 401  # at once, though kept
    api.credentials()
    api.force_authenticate(alice)
    course_services.membership_set(course=course, user=alice, role="student", is_active=False)
    assert api.get(sessions_url(course)).status_code == 404


def test_a_kept_read_asks_the_shared_cache_once_per_scope(api, course, alice, monkeypatch):
    _, key = course_services.api_token_create(user=alice, name="laptop")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    get(api, sessions_url(course))
    shared = caches["default"]
    asked: list[list[str]] = []
    read = shared.get_many

    def recording_read(keys: Any) -> Any:
        asked.append(list(keys))
        return read(keys)

    monkeypatch.setattr(shared, "get_many", recording_read)
    with CaptureQueriesContext(connection) as queries:
        get(api, sessions_url(course))
    assert len(queries) == 0  # token, membership and response all kept
    assert asked == [["content-version:accounts"], [f"content-version:course:{course.pk}"]]


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


def test_a_change_and_a_bulk_delete_in_the_admin_show_in_the_next_read(api, client, course, alice):
    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    api.force_authenticate(alice)
    assert session(api, course, "2017-10-10")["meets"] is True
    added = client.post(
        "/admin/courses/calendarexception/add/",
        {"course": course.pk, "date": "2017-10-10", "kind": "no_class", "reason": "break"},
    )
    assert added.status_code == 302, added.content[:500]
    assert session(api, course, "2017-10-10")["meets"] is False
    deleted = client.post(  # "Delete selected": one QuerySet.delete()
        "/admin/courses/calendarexception/",
        {
            "action": "delete_selected",
            "_selected_action": [CalendarException.objects.get().pk],
            "post": "yes",
        },
    )
    assert deleted.status_code == 302
    assert not CalendarException.objects.exists()
    assert session(api, course, "2017-10-10")["meets"] is True


def test_a_model_save_and_a_queryset_delete_show_in_the_next_read(api, course, alice):
    api.force_authenticate(alice)
    assert session(api, course, "2017-08-22")["starts_at"] == "2017-08-22T16:30:00-04:00"
    course.meeting_start, course.meeting_end = dt.time(9), dt.time(10)
    course.save()
    assert session(api, course, "2017-08-22")["starts_at"] == "2017-08-22T09:00:00-04:00"
    CalendarException.objects.create(course=course, date=dt.date(2017, 10, 10), kind="no_class")
    assert session(api, course, "2017-10-10")["meets"] is False
    CalendarException.objects.filter(course=course).delete()
    assert session(api, course, "2017-10-10")["meets"] is True


def test_the_bulk_writes_of_a_roster_import_change_access_at_once(api, course, alice):
    """Bulk writes send no signal; the roster service retires the course by hand."""
    carol = make_member(course, "carol", "student")
    url = f"/api/v1/courses/{course.pk}/exceptions/"
    day = {"date": "2017-10-10", "kind": "no_class", "reason": "break"}
    api.force_authenticate(carol)
    get(api, sessions_url(course))  # carol's membership, kept
    api.force_authenticate(alice)
    get(api, sessions_url(course))  # alice's membership, kept: a student
    assert api.post(url, day, format="json").status_code == 403

    # alice becomes a TA (bulk_update), bob joins (bulk_create), carol leaves (update()).
    roster = b"Email,Role\nalice@example.edu,TA\nbob@example.edu,Student\n"
    roster_apply(course=course, content=roster, importer_role="instructor", base_url="http://t")
    assert api.post(url, day, format="json").status_code == 201
    api.force_authenticate(carol)
    assert api.get(sessions_url(course)).status_code == 404


def test_a_users_new_name_shows_in_the_reviews_list(api, course, alice, ines):
    paper = released_paper(course, alice)
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
    """The versions live in the shared cache (Redis): a worker's or shell's write counts."""
    require(bool(os.environ.get("REDIS_URL")), "the shared cache needs Redis (REDIS_URL)")
    redis_url = os.environ["REDIS_URL"]
    redis = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url}
    shared = {"default": redis, "local": LOCAL_ONLY}
    with override_settings(CACHES=shared):
        try:
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
                [sys.executable, "manage.py", "shell", "-c", code],
                env=env,
                check=True,
                timeout=120,
            )
            assert session(api, course, "2017-10-10")["meets"] is False
        finally:
            caches["default"].clear()


def test_a_transaction_reads_its_own_uncommitted_writes_and_a_rollback_changes_nothing(
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


def test_a_login_a_tokens_use_and_a_job_retire_nothing(api, course, alice, ines):
    api.force_authenticate(alice)
    get(api, sessions_url(course))
    token, _ = course_services.api_token_create(user=alice, name="laptop")
    get(api, sessions_url(course))
    course_services.api_token_touch(token=token)  # a token's last use
    update_last_login(type(alice), alice)  # a login
    Job.objects.create(course=course, kind="roster_import", created_by=alice)  # a job
    assert built(api, sessions_url(course)) is False
    course_services.membership_set(course=course, user=ines, role="ta")
    assert built(api, sessions_url(course)) is True  # ...and a membership does


def test_who_may_read_is_looked_up_again_after_each_change(api, client, course, alice):
    """Tokens, memberships and feed keys are kept under the same versions as the responses."""
    token, key = course_services.api_token_create(user=alice, name="laptop")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    get(api, sessions_url(course))
    course_services.membership_set(course=course, user=alice, role="student", is_active=False)
    assert api.get(sessions_url(course)).status_code == 404
    course_services.membership_set(course=course, user=alice, role="student")
    get(api, sessions_url(course))
    alice.is_active = False
    alice.save()
    assert api.get(sessions_url(course)).status_code == 401
    alice.is_active = True
    alice.save()
    get(api, sessions_url(course))
    ApiToken.objects.filter(pk=token.pk).delete()
    assert api.get(sessions_url(course)).status_code == 401

    feed = calendar_feed_get(user=alice)
    url = f"/feeds/{feed.key}/courses/{course.pk}.ics"
    assert client.get(url).status_code == 200
    calendar_feed_rotate(user=alice)
    assert client.get(url).status_code == 404


def test_the_reviews_of_a_paper_are_released_at_its_deadline(api, course, alice, monkeypatch):
    carol = make_member(course, "carol", "student")
    deadline = timezone.now() + dt.timedelta(hours=1)
    paper = paper_create(
        course=course, session_date=dt.date(2017, 10, 12), title="Odena", review_deadline=deadline
    )
    review_create(paper=paper, author=carol, now=timezone.now(), **REVIEW)
    url = f"/api/v1/courses/{course.pk}/papers/{paper.pk}/reviews/"
    api.force_authenticate(alice)
    assert get(api, url).json() == []  # before the deadline: only her own, none
    assert built(api, url) is True  # a list that changes by itself is never kept
    later = deadline + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert [r["author"]["id"] for r in get(api, url).json()] == [carol.pk]
    assert built(api, url) is False  # released: kept from now on


def test_the_calendar_feed_is_kept_and_follows_the_calendar_and_the_groups(
    api, client, course, alice, ines
):
    feed = calendar_feed_get(user=alice)
    url = f"/feeds/{feed.key}/courses/{course.pk}.ics"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert len(queries) == 0  # the feed key's membership and the feed: both kept
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    course_services.calendar_exception_create(
        course=course, actor=ines, date=dt.date(2017, 10, 10), kind="no_class", reason="break"
    )
    changed = client.get(url)
    assert changed["ETag"] != first["ETag"]
    assert changed.content != first.content

    # A group, its members (bulk_create) and a published schedule (bulk_create, update()).
    group_create(course=course, name="Upsamplers", members=[alice])
    schedule = schedule_generate(course=course, actor=ines)
    before = client.get(url).content
    schedule_publish(schedule=schedule, actor=ines)
    published = client.get(url).content
    assert b"you present (Upsamplers)" in published
    assert b"you present" not in before


# --- A check that can fail -------------------------------------------------------------------


def test_without_the_version_change_a_stale_response_is_served(api, course, alice, monkeypatch):
    """What the tests above rely on: were a write not to change the versions, the kept
    response would be served after it. (And the next write that does, retires it.)"""
    api.force_authenticate(alice)
    assert session(api, course, "2017-10-10")["meets"] is True
    with monkeypatch.context() as patched:
        patched.setattr(caching, "changed", lambda *scopes: None)
        CalendarException.objects.create(course=course, date=dt.date(2017, 10, 10), kind="no_class")
        assert session(api, course, "2017-10-10")["meets"] is True  # stale
    course.save()
    assert session(api, course, "2017-10-10")["meets"] is False


# --- When nothing is kept --------------------------------------------------------------------


def test_with_redis_unreachable_reads_are_built_fresh(api, course, alice):
    dead = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
        "local": LOCAL_ONLY,
    }
    api.force_authenticate(alice)
    with override_settings(CACHES=dead):
        assert built(api, sessions_url(course)) is True
        assert built(api, sessions_url(course)) is True


def test_a_response_too_large_is_built_every_time(api, course, alice, monkeypatch):
    monkeypatch.setattr(caching, "LARGEST_KEPT", 100)
    api.force_authenticate(alice)
    assert built(api, sessions_url(course)) is True
    assert built(api, sessions_url(course)) is True


# --- What a kept read may read ---------------------------------------------------------------

TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.I)


def test_kept_reads_read_only_tables_whose_changes_retire_them(api, client, course, alice):
    """A kept read built from a table no signal watches would not follow its changes."""
    paper = released_paper(course, alice)
    feed = calendar_feed_get(user=alice)
    _, key = course_services.api_token_create(user=alice, name="laptop")
    token = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.force_login(alice)
    reads = {
        "sessions": lambda: api.get(sessions_url(course), **token),
        "reviews": lambda: api.get(
            f"/api/v1/courses/{course.pk}/papers/{paper.pk}/reviews/", **token
        ),
        "feed": lambda: client.get(f"/feeds/{feed.key}/courses/{course.pk}.ics"),
        "mine": lambda: client.get(f"/feeds/{feed.key}/mine.ics"),
        "course ics": lambda: client.get(f"/courses/{course.pk}/calendar.ics"),
    }
    watched = {model._meta.db_table for model in caching.watched_models()}
    assert {"courses_membership", "reviews_review", "presentations_slot", "auth_user"} <= watched
    for name, read in reads.items():
        caches[caching.LOCAL].clear()
        with CaptureQueriesContext(connection) as queries:
            assert read().status_code == 200, name
        tables = {t for q in queries for t in TABLE.findall(q["sql"])}
        assert tables, name
        unwatched = tables - watched - {"django_session"}  # the login session, never kept
        assert not unwatched, f"{name} reads {unwatched}"
