"""NRPS roster sync (lti/services/nrps.py, the lti_roster_sync job) against the test platform:
every page read, new members made with their mapped roles, dropped students deactivated, staff
never demoted nor removed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from courses.models import Membership
from jobs.models import Job
from jobs.registry import JobFailed
from lti.jobs import KIND, roster_sync_run
from lti.models import Identity
from lti.services.nrps import next_page
from tests.factories import make_member
from tests.lti.conftest import link_course
from tests.lti.platform import INSTRUCTOR, LEARNER, ROLE, TEACHING_ASSISTANT

pytestmark = pytest.mark.django_db


def run(course, context, progress_log):
    job = Job.objects.create(course=course, kind=KIND, input={"context": context.pk})
    return roster_sync_run(job, lambda done, total, message: progress_log.append((done, total)))


def test_a_sync_reads_every_page_and_writes_the_roster(lti_platform, course, lab, alice, ines):
    linked = link_course(lti_platform, course, lab, alice)
    Identity.objects.create(registration=linked.registration, sub="sub-ines", user=ines)
    dave = make_member(course, "dave", "student")
    Identity.objects.create(registration=linked.registration, sub="sub-dave", user=dave)
    tara = make_member(course, "tara", "ta")  # staff the LMS does not list
    Identity.objects.create(registration=linked.registration, sub="sub-tara", user=tara)
    platform = linked.platform
    platform.nrps_page_size = 2
    platform.add_member("ctx-1", "sub-alice", [LEARNER], name="Alice A")
    platform.add_member("ctx-1", "sub-ines", [LEARNER], name="Ines")  # a demotion: ignored
    platform.add_member("ctx-1", "sub-carol", [LEARNER], name="Carol C", email="carol@u.edu",
                        given_name="Carol", family_name="C")  # fmt: skip
    platform.add_member("ctx-1", "sub-ted", [TEACHING_ASSISTANT], email="ted@u.edu")
    platform.add_member("ctx-1", "sub-mo", [ROLE + "Mentor"])
    progress: list[tuple[int, int]] = []
    result = run(course, linked.context, progress)
    assert progress[:3] == [(1, 2), (2, 3), (3, 3)]  # three pages of two
    assert len(platform.requests_to("/contexts/ctx-1/memberships")) == 3
    assert sorted(result["created"]) == ["sub-carol", "sub-ted"]
    assert result["skipped"] == ["sub-mo"]
    assert result["deactivated"] == ["dave"]
    roles = {
        m.user.username: (m.role, m.is_active) for m in Membership.objects.filter(course=course)
    }
    assert roles["alice"] == ("student", True)
    assert roles["ines"] == ("instructor", True)
    assert roles["tara"] == ("ta", True)
    assert roles["dave"] == ("student", False)
    assert roles["carol"] == ("student", True)
    assert roles["ted"] == ("ta", True)
    carol = User.objects.get(username="carol")
    assert (carol.email, carol.first_name, carol.has_usable_password()) == (
        "carol@u.edu",
        "Carol",
        False,
    )
    assert Identity.objects.get(sub="sub-carol").user == carol
    # Again: nothing new.
    again = run(course, linked.context, [])
    assert (again["created"], again["updated"], again["deactivated"]) == ([], [], [])
    assert User.objects.filter(username__startswith="carol").count() == 1


def test_an_inactive_member_loses_a_student_membership_only(lti_platform, course, lab, alice, ines):
    linked = link_course(lti_platform, course, lab, alice)
    Identity.objects.create(registration=linked.registration, sub="sub-ines", user=ines)
    linked.platform.add_member("ctx-1", "sub-alice", [LEARNER], status="Inactive")
    linked.platform.add_member("ctx-1", "sub-ines", [INSTRUCTOR], status="Inactive")
    result = run(course, linked.context, [])
    assert result["deactivated"] == ["sub-alice"]
    assert Membership.objects.get(user=alice).is_active is False
    assert Membership.objects.get(user=ines).is_active is True


def test_a_platform_that_refuses_fails_the_job_and_changes_nothing(
    lti_platform, course, lab, alice
):
    linked = link_course(lti_platform, course, lab, alice)
    linked.platform.add_member("ctx-1", "sub-new", [LEARNER])
    linked.platform.fail_next("/contexts/ctx-1/memberships", 403)
    with pytest.raises(JobFailed, match="could not be read"):
        run(course, linked.context, [])
    assert not Identity.objects.filter(sub="sub-new").exists()
    linked.context.memberships_url = ""
    linked.context.save()
    with pytest.raises(JobFailed, match="no Names and Role"):
        run(course, linked.context, [])


def test_a_context_of_another_course_is_not_synced(lti_platform, course, lab, alice, bob):
    linked = link_course(lti_platform, course, lab, alice)
    other = bob.memberships.get().course
    job = Job.objects.create(course=other, kind=KIND, input={"context": linked.context.pk})
    with pytest.raises(JobFailed, match="no longer linked"):
        roster_sync_run(job, lambda *a: None)


def test_staff_start_a_sync_from_the_jobs_api_and_students_cannot(
    api, lti_platform, course, lab, alice, tara, bob
):
    linked = link_course(lti_platform, course, lab, alice)
    url = f"/api/v1/courses/{course.pk}/jobs/"
    api.force_authenticate(tara)
    started = api.post(url, {"kind": KIND, "lms_course": "ctx-1"}, format="json")
    assert started.status_code == 202, started.content
    assert Job.objects.get().input == {"context": linked.context.pk}
    bad = api.post(url, {"kind": KIND, "lms_course": "ctx-nope"}, format="json")
    assert bad.status_code == 400
    assert "lms_course" in bad.json()
    # A student is refused; someone of another course is not told the course exists.
    for user, refused in ((alice, 403), (bob, 404)):
        api.force_authenticate(user)
        answer = api.post(url, {"kind": KIND, "lms_course": "ctx-1"}, format="json")
        assert answer.status_code == refused
    assert Job.objects.count() == 1


def test_the_jobs_page_offers_the_linked_lms_courses_only(lti_platform, course, lab, alice, tara):
    from django.test import Client

    linked = link_course(lti_platform, course, lab, alice)
    client = Client()
    client.force_login(tara)
    page = client.get(f"/courses/{course.pk}/jobs/")
    assert page.status_code == 200
    assert "Start roster sync" in page.content.decode()
    assert f'value="{linked.context.pk}"' in page.content.decode()


def test_paging_keeps_the_case_of_the_platform_s_urls(lti_platform, course, lab, alice):
    """pylti1p3 lowercases a Link header's URL; a platform whose URLs have capitals (a context
    id, a query parameter) still gives every page."""
    linked = link_course(lti_platform, course, lab, alice)
    linked.platform.add_context("Ctx-Upper")
    for n in range(3):
        linked.platform.add_member("Ctx-Upper", f"Sub-{n}", [LEARNER])
    linked.platform.nrps_page_size = 1
    linked.context.memberships_url = linked.platform.memberships_url("Ctx-Upper")
    linked.context.save()
    result = run(course, linked.context, [])
    assert sorted(result["created"]) == ["Sub-0", "Sub-1", "Sub-2"]


@pytest.mark.parametrize(
    ("header", "url"),
    [
        ('<https://lms.test/A?p=2>; rel="next"', "https://lms.test/A?p=2"),
        ('<https://lms.test/1>; rel="prev", <https://lms.test/B>; rel=next', "https://lms.test/B"),
        ('<https://lms.test/1>; rel="first"', None),
        ("", None),
    ],
)
def test_the_next_page_is_read_from_the_link_header(header, url):
    assert next_page({"Link": header} if header else {}) == url
