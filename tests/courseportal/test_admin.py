"""The Django admin: every model of the project's apps is registered (found by walking the app
registry, so apps added later are caught), its pages work with real rows, search finds rows,
history is read-only, and staff without permissions get nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Model
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from convlab import services as lab_services
from convlab.models import CourseSuite, GradingRun, PeriodicLease, Submission
from courses.models import ApiToken
from courses.services import course_update
from demo.seed import seed_demo
from gradebook import services as gradebook_services
from jobs import services as job_services
from jobs.models import Job
from presentations.models import PresenterGroup, ScheduleChange
from presentations.services.calendar_feeds import calendar_feed_get
from presentations.services.groups import group_create
from presentations.services.invitations import invitation_create
from presentations.services.schedule_issues import extra_seats_add, issues_sync
from presentations.services.schedules import schedule_generate, schedule_publish
from presentations.services.swaps import swap_request
from reviews import services as review_services
from reviews.models import ReviewVersion
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db

# Models whose rows are a record of what happened: shown, never changed or added by hand.
HISTORY = [ReviewVersion, ScheduleChange, GradingRun, Job, PeriodicLease]
EDT = dt.timezone(dt.timedelta(hours=-4))


def project_models() -> list[type[Model]]:
    """Every model of an app that lives in this repository (not Django's, not a library's)."""
    root = Path(settings.BASE_DIR).resolve()
    found: list[type[Model]] = []
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if path.is_relative_to(root) and "site-packages" not in path.parts:
            found.extend(app_config.get_models())
    return found


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows() -> None:
    """The seed course with a few rows of every model, made through the services."""
    demo = seed_demo()
    course = demo.course
    users = {u.username: u for u in get_user_model().objects.all()}
    paper = review_services.paper_create(
        course=course,
        session_date=dt.date(2017, 10, 12),
        title="Visualizing and Understanding Convolutional Networks",
        authors="Matthew D. Zeiler, Rob Fergus",
    )
    review = review_services.review_create(
        paper=paper,
        author=users["student1"],
        now=dt.datetime(2017, 10, 10, 21, 0, tzinfo=EDT),
        summary="A deconvnet projects feature activations back to pixel space.",
        strengths="The visualizations guide an architecture change that improves accuracy.",
        weaknesses="The occlusion study covers only three images.",
        rating=4,
        confidence=3,
    )
    review_services.review_rate(
        review=review,
        rater=users["student2"],
        helpful=True,
        tags=[],
        now=dt.datetime(2017, 10, 13, 9, 0, tzinfo=EDT),
    )
    # An invitation into a group that is not yet scheduled.
    inviter = make_member(course, "erin", "student")
    invitee = make_member(course, "frank", "student")
    transformers = group_create(course=course, name="Transformers", members=[inviter])
    invitation_create(group=transformers, actor=inviter, user_id=invitee.pk)
    schedule = schedule_generate(course=course, actor=users["instructor"])
    schedule_publish(schedule=schedule, actor=users["instructor"])
    groups = {g.name: g for g in PresenterGroup.objects.filter(course=course)}
    swap_request(
        from_group=groups["Visualizations"], to_group=groups["Grad-CAM"], actor=users["student1"]
    )
    calendar_feed_get(user=users["student1"])
    submission = lab_services.submission_create(
        assignment=course.assignments.get(),
        student=users["student1"],
        submitted_by=users["autograder"],
        content=b"def conv1d(x, w):\n    return x\n",
        idempotency_key="gs-8841",
    ).submission
    # Queued as the worker would find it, then claimed and finished (not gradable: no sandbox
    # run here) so that the submission has a grading run, and a webhook event in the outbox.
    Submission.objects.filter(pk=submission.pk).update(status="queued")
    course.assignments.update(webhook_url="https://hooks.example.edu/courseportal")
    lab_services.submission_claim(submission_id=submission.pk, task_id="t-1", worker="w@host")
    lab_services.submission_finish(
        submission_id=submission.pk, task_id="t-1", result=None, error="test: no grading"
    )
    # The gradebook's policy and a presentation score, and a job a worker ran to the end.
    gradebook_services.grade_policy_update(course=course, presentation_points=20)
    gradebook_services.presentation_grade_set(
        course=course, group_id=groups["Grad-CAM"].pk, score=17.5, actor=users["instructor"]
    )
    job = job_services.job_create(
        course=course, kind="bulk_regrade", created_by=users["instructor"], input={}
    )
    job_services.job_claim(job_id=job.pk, task_id="t-2")
    job_services.job_finish(job_id=job.pk, result={"regraded": 0}, message="Nothing to regrade.")
    # Issue #20 (branch h20hosts): the sweeper's lease for the current period.
    lab_services.periodic_lease_take(name="convlab.requeue_stuck", seconds=30, holder="beat@a")
    # Issue #17: a check suite an instructor uploaded (kept as it was uploaded).
    CourseSuite.objects.create(
        course=course,
        slug="relu",
        title="ReLU warm-up",
        filename="relu.py",
        source="ASSIGNMENT = None\n",
        sha256="0" * 64,
        uploaded_by=users["instructor"],
    )
    # Issue #18 (branch h18core): a seat added on one date; fewer seats leave the published
    # schedule breaking a rule, an issue for staff.
    extra_seats_add(course=course, date=dt.date(2017, 11, 30), seats=1)
    course_update(course=course, presenters_per_class=2)
    issues_sync(course=course)


@pytest.fixture
def superuser(client):
    user = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_it_registers_every_model_of_the_project() -> None:
    models = project_models()
    assert {m._meta.app_label for m in models} >= {"courses", "reviews", "presentations", "convlab"}
    missing = [m._meta.label for m in models if not admin.site.is_registered(m)]
    assert not missing, f"not in the admin: {missing}"
    assert admin.site.is_registered(get_user_model())


def test_every_admin_is_curated() -> None:
    for model in project_models():
        model_admin = admin.site._registry[model]
        label = model._meta.label
        assert model_admin.list_display != ("__str__",), f"{label}: no list columns"
        assert model_admin.search_fields, f"{label}: no search"
        assert model_admin.list_filter or len(model_admin.list_display) <= 3, f"{label}: no filter"
        related = [
            name
            for name in model_admin.list_display
            if isinstance(name, str)
            and any(f.name == name and f.is_relation for f in model._meta.fields)
        ]
        if related:
            assert model_admin.list_select_related, f"{label}: lists {related} without a join"


def test_the_fixture_has_rows_of_every_model_it_knows(rows: None) -> None:
    """New apps' models get the changelist and add checks; these four apps get row checks."""
    empty = [
        m._meta.label
        for m in project_models()
        if m._meta.app_label in {"courses", "reviews", "presentations", "convlab"}
        and not m._default_manager.exists()
    ]
    assert not empty, f"no rows of {empty}"


def test_every_changelist_and_change_page_works_for_a_superuser(
    client: Client,
    superuser: User,
    rows: None,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for model in project_models():
        label = model._meta.label
        # A bounded number of queries: list_select_related keeps the list from one per row.
        with django_assert_max_num_queries(20):
            response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, label
        obj = model._default_manager.first()
        if obj is not None:
            response = client.get(admin_url(model, "change", obj.pk))
            assert response.status_code == 200, label
            assert str(obj).encode()[:40] in response.content or model in HISTORY, label


def test_search_finds_rows(client: Client, superuser: User, rows: None) -> None:
    cases = [
        ("courses", "membership", "student12", 1),
        ("courses", "course", "7643", 1),
        ("courses", "apitoken", "demo autograder", 1),
        ("reviews", "paper", "Zeiler", 1),
        ("reviews", "reviewversion", "student1", 1),
        ("presentations", "presentergroup", "student9", 1),
        ("presentations", "schedulechange", "published", 1),
        ("presentations", "groupinvitation", "frank", 1),
        ("convlab", "submission", "student1", 1),
        ("convlab", "gradingrun", "w@host", 1),
        ("convlab", "submission", "nobody-by-this-name", 0),
        ("gradebook", "gradepolicy", "7643", 1),
        ("gradebook", "presentationgrade", "Grad-CAM", 1),
        ("jobs", "job", "bulk_regrade", 1),
        ("jobs", "job", "t-2", 1),
    ]
    for app_label, model_name, query, count in cases:
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        assert response.context["cl"].result_count == count, (model_name, query)


def test_search_works_on_every_admin(client: Client, superuser: User, rows: None) -> None:
    for model in project_models():
        response = client.get(admin_url(model, "changelist"), {"q": "Lovelace 2017"})
        assert response.status_code == 200, model._meta.label


def test_history_cannot_be_changed_or_added(client: Client, superuser: User, rows: None) -> None:
    for model in HISTORY:
        obj = model._default_manager.first()
        assert obj is not None, model._meta.label
        assert client.get(admin_url(model, "add")).status_code == 403
        before = {f.name: getattr(obj, f.attname) for f in model._meta.fields}
        response = client.post(admin_url(model, "change", obj.pk), {"number": 99})
        assert response.status_code == 403, model._meta.label
        obj.refresh_from_db()
        assert {f.name: getattr(obj, f.attname) for f in model._meta.fields} == before


def test_a_submission_keeps_what_was_submitted_and_when(
    client: Client, superuser: User, rows: None
) -> None:
    model_admin = admin.site._registry[Submission]
    readonly = set(model_admin.get_readonly_fields(HttpRequest()))
    assert {"file", "sha256", "received_at", "queued_at", "started_at", "finished_at"} <= readonly
    assert {"score", "raw_score", "results", "student", "attempt"} <= readonly


def test_tokens_show_no_secret_and_are_not_made_in_the_admin(
    client: Client, superuser: User, rows: None
) -> None:
    token = ApiToken.objects.first()
    assert token is not None
    model_admin = admin.site._registry[ApiToken]
    assert {"key_hash", "prefix", "user"} <= set(model_admin.get_readonly_fields(HttpRequest()))
    assert client.get(admin_url(ApiToken, "add")).status_code == 403
    client.post(
        admin_url(ApiToken, "change", token.pk),
        {"key_hash": "0" * 64, "revoked_at_0": "", "revoked_at_1": ""},
    )
    token.refresh_from_db()
    assert token.key_hash != "0" * 64


def test_staff_without_permissions_see_nothing(client: Client, rows: None) -> None:
    client.force_login(make_user("clerk", is_staff=True))
    for model in project_models():
        assert client.get(admin_url(model, "changelist")).status_code == 403, model._meta.label
        obj = model._default_manager.first()
        if obj is not None:
            response = client.get(admin_url(model, "change", obj.pk))
            assert response.status_code == 403, model._meta.label


def test_people_who_are_not_staff_are_sent_to_the_login(client: Client, rows: None) -> None:
    student = get_user_model().objects.get(username="student1")
    client.force_login(student)
    for model in project_models():
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302, model._meta.label
        assert response["Location"].startswith(reverse("admin:login"))
    client.logout()
    response = client.get(admin_url(Submission, "changelist"))
    assert response.status_code == 302
