"""A published schedule is a promise (issue #18): regeneration keeps it, publishing shows and
announces who moves, "start over" says what it breaks, a cancellation that cannot be absorbed
leaves a decision for staff (never a talk on a day without class), the presentation window,
constraint drift and its one-click repair; with their bad inputs and permissions."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from courses.models import Course, Membership
from courses.people import display_name
from courses.services import calendar_exception_create, course_update
from courses.signals import memberships_changed
from presentations.models import (
    ExtraSeats,
    IssueKind,
    PresentationSchedule,
    PresenterGroup,
    ScheduleChange,
    ScheduleIssue,
    SwapRequest,
    SwapStatus,
)
from presentations.services.calendar_feeds import calendar_feed_get
from presentations.services.schedule_issues import issue_options
from presentations.services.schedules import schedule_adjust, schedule_generate, schedule_publish
from presentations.services.swaps import swap_accept, swap_approve, swap_request

pytestmark = pytest.mark.django_db

D = dt.date
CONFIRM = {"confirm": "yes"}


def published_dates(course: Course) -> dict[str, dt.date]:
    schedule = PresentationSchedule.objects.get(course=course, status="published")
    return {slot.group.name: slot.date for slot in schedule.slots.select_related("group")}


def generate_and_publish(course: Course, actor: User) -> PresentationSchedule:
    draft = schedule_generate(course=course, actor=actor)
    return schedule_publish(schedule=draft, actor=actor)


def group(course: Course, name: str) -> PresenterGroup:
    return PresenterGroup.objects.get(course=course, name=name)


def url(name: str, course: Course, *args: int | str) -> str:
    return reverse(name, args=[course.pk, *args])


def test_a_new_draft_keeps_an_approved_swap_and_a_repair(
    demo, users, django_capture_on_commit_callbacks
):
    instructor = users["instructor"]
    generate_and_publish(demo, instructor)
    first = published_dates(demo)
    a, b = group(demo, "Visualizations"), group(demo, "Deconvnets")
    assert first[a.name] != first[b.name]
    swap = swap_request(from_group=a, to_group=b, actor=users["student1"])
    swap_accept(swap=swap, actor=users["student7"])
    swap_approve(swap=swap, actor=instructor)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_exception_create(
            course=demo, actor=instructor, date=D(2017, 10, 24), kind="no_class",
            reason="cancelled", title="Snow",
        )  # fmt: skip
    before = published_dates(demo)
    assert before[a.name] == first[b.name]
    assert before[b.name] == first[a.name]
    # Everyone now prefers something else: a fresh optimum would undo the swap.
    for g in PresenterGroup.objects.filter(course=demo):
        g.preferences = ["2017-11-30"]
        g.save()
    mail.outbox.clear()
    draft = schedule_generate(course=demo, actor=instructor)
    assert {s.group.name: s.date for s in draft.slots.select_related("group")} == before
    with django_capture_on_commit_callbacks(execute=True):
        schedule_publish(schedule=draft, actor=instructor)
    change = ScheduleChange.objects.filter(kind="published")[:1].get()
    assert change.moves == []
    assert "nobody moved" in change.message
    assert mail.outbox == []


def test_publishing_shows_who_moves_then_logs_and_mails_every_move(
    client, demo, users, django_capture_on_commit_callbacks
):
    instructor = users["instructor"]
    generate_and_publish(demo, instructor)
    before = published_dates(demo)
    mover = group(demo, "Grad-CAM")
    draft = schedule_generate(course=demo, actor=instructor)
    schedule_adjust(schedule=draft, placements={mover.pk: D(2017, 11, 30)}, actor=instructor)
    client.force_login(instructor)
    # Posting straight from a stale form does not publish: it shows the review first.
    stale = client.post(url("presentations-manage-action", demo, "publish"), {"confirm": "yes"})
    assert stale.status_code == 302
    assert stale["Location"] == url("presentations-publish-preview", demo)
    assert PresentationSchedule.objects.get(course=demo, status="published").version == 1
    page = client.get(url("presentations-publish-preview", demo)).content.decode()
    assert "1 group moves" in page
    assert "Grad-CAM" in page
    assert f"{before[mover.name]:%a, %b} {before[mover.name].day}" in page
    assert "Thu, Nov 30" in page
    assert "moved by hand" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url("presentations-manage-action", demo, "publish"),
            {"confirm": "yes", "reviewed": str(draft.version)},
        )
    assert done.status_code == 302
    assert published_dates(demo)[mover.name] == D(2017, 11, 30)
    change = ScheduleChange.objects.filter(kind="published")[:1].get()
    assert [(m["group"], m["from"], m["to"]) for m in change.moves] == [
        (mover.name, before[mover.name].isoformat(), "2017-11-30")
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["student10@example.edu", "student9@example.edu"]
    assert all("Thursday, November 30" in m.body for m in mail.outbox)
    # The mover's feed shows the new date.
    feed = calendar_feed_get(user=users["student9"])
    body = client.get(f"/feeds/{feed.key}/courses/{demo.pk}.ics").content
    talks = [
        e for e in icalendar.Calendar.from_ical(body).events if "you present" in str(e["summary"])
    ]
    assert [e.decoded("dtstart").date() for e in talks] == [D(2017, 11, 30)]


def test_start_over_says_how_many_it_moves_and_asks_first(client, demo, users):
    instructor = users["instructor"]
    generate_and_publish(demo, instructor)
    for g in PresenterGroup.objects.filter(course=demo):
        g.preferences = ["2017-11-30"]
        g.save()
    client.force_login(instructor)
    page = client.get(url("presentations-start-over", demo))
    assert page.status_code == 200
    assert b"It would move 6 groups" in page.content  # 3 fit on 11/30, the others near it
    refused = client.post(url("presentations-start-over", demo), {})
    assert refused.status_code == 400
    assert PresentationSchedule.objects.filter(course=demo).count() == 1
    made = client.post(url("presentations-start-over", demo), {"confirm": "yes"})
    assert made.status_code == 302
    draft = PresentationSchedule.objects.get(course=demo, status="draft")
    assert draft.fresh


def tight_window(course: Course, instructor: User) -> None:
    """Two presentation dates of six seats for six pairs: every seat taken."""
    course_update(course=course, presentations_start=D(2017, 10, 12),
                  presentations_end=D(2017, 10, 17))  # fmt: skip
    generate_and_publish(course, instructor)


def test_a_cancellation_that_cannot_be_absorbed_moves_nobody_onto_a_day_without_class(
    client, demo, users, django_capture_on_commit_callbacks
):
    instructor = users["instructor"]
    tight_window(demo, instructor)
    before = published_dates(demo)
    on_12th = {name for name, day in before.items() if day == D(2017, 10, 12)}
    assert len(on_12th) == 3
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        calendar_exception_create(
            course=demo, actor=instructor, date=D(2017, 10, 12), kind="no_class",
            reason="cancelled", title="Snow",
        )  # fmt: skip
    after = published_dates(demo)
    assert D(2017, 10, 12) not in after.values()
    assert set(after) == set(before) - on_12th
    issues = ScheduleIssue.objects.filter(course=demo, kind=IssueKind.UNPLACED, resolved_at=None)
    assert {i.group.name for i in issues} == on_12th
    told = {m.to[0] for m in mail.outbox if "being rescheduled" in m.subject}
    members = {
        m.user.email for name in on_12th for m in group(demo, name).members.select_related("user")
    }
    assert told == members
    # A student of an unplaced group: "being rescheduled", no talk on the 12th in page or feed.
    student = next(m.user for m in group(demo, sorted(on_12th)[0]).members.select_related("user"))
    client.force_login(student)
    page = client.get(url("presentations-group", demo)).content.decode()
    assert "Your date is being rescheduled" in page
    assert "You present on" not in page
    schedule_page = client.get(url("presentations", demo)).content.decode()
    assert "Your date is being rescheduled" in schedule_page
    feed = calendar_feed_get(user=student)
    body = client.get(f"/feeds/{feed.key}/courses/{demo.pk}.ics").content
    starts = [
        e.decoded("dtstart").date()
        for e in icalendar.Calendar.from_ical(body).events
        if "you present" in str(e["summary"])
    ]
    assert starts == []

    # Staff see concrete options and pick one: the window opens to 10/19 for one group.
    issue = issues.get(group__name=sorted(on_12th)[0])
    kinds = {(o.kind, o.date) for o in issue_options(issue)}
    assert ("add_seat", D(2017, 10, 17)) in kinds
    assert ("use_date", D(2017, 10, 19)) in kinds
    client.force_login(instructor)
    manage = client.get(url("presentations-manage", demo)).content.decode()
    assert "Needs a decision" in manage
    assert "outside the presentation window" in manage
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url("presentations-issue-resolve", demo, issue.pk), {"option": "use_date@2017-10-19"}
        )
    assert done.status_code == 302
    assert published_dates(demo)[issue.group.name] == D(2017, 10, 19)
    demo.refresh_from_db()
    assert demo.presentations_end == D(2017, 10, 19)
    issue.refresh_from_db()
    assert issue.resolved_at is not None
    # Another by one more seat on 10/17.
    other = issues.exclude(pk=issue.pk)[:1].get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("presentations-issue-resolve", demo, other.pk),
                    {"option": "add_seat@2017-10-17"})  # fmt: skip
    assert published_dates(demo)[other.group.name] == D(2017, 10, 17)
    assert ExtraSeats.objects.get(course=demo, date=D(2017, 10, 17)).seats == 2


def test_a_decision_refuses_an_option_that_is_not_offered(
    client, demo, users, django_capture_on_commit_callbacks
):
    instructor = users["instructor"]
    tight_window(demo, instructor)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_exception_create(
            course=demo, actor=instructor, date=D(2017, 10, 12), kind="no_class",
            reason="cancelled", title="Snow",
        )  # fmt: skip
    issue = ScheduleIssue.objects.filter(course=demo, kind=IssueKind.UNPLACED)[:1].get()
    target = url("presentations-issue-resolve", demo, issue.pk)
    client.force_login(instructor)
    versions = PresentationSchedule.objects.filter(course=demo).count()
    for bad in ("", "use_date@not-a-date", "fly@2017-10-19", "use_date@2017-10-12",
                "allow_unavailable@2017-10-17"):  # fmt: skip
        response = client.post(target, {"option": bad})
        assert response.status_code == 400, bad
        assert "Option: " in response.content.decode()
    assert PresentationSchedule.objects.filter(course=demo).count() == versions
    client.force_login(users["student1"])
    assert client.post(target, {"option": "use_date@2017-10-19"}).status_code == 403
    client.force_login(users["ta"])
    missing = url("presentations-issue-resolve", demo, issue.pk + 1000)
    assert client.post(missing, {"option": "use_date@2017-10-19"}).status_code == 404


def test_the_window_keeps_drafts_inside_it_and_spreads_groups_without_preferences(
    client, demo, users
):
    client.force_login(users["instructor"])
    response = client.post(
        url("presentations-window", demo),
        {"presentations_start": "2017-10-31", "presentations_end": "2017-11-30"},
    )
    assert response.status_code == 302
    PresenterGroup.objects.filter(course=demo).update(preferences=[])
    demo.refresh_from_db()
    draft = schedule_generate(course=demo, actor=users["instructor"])
    dates = sorted(slot.date for slot in draft.slots.all())
    assert dates[0] >= D(2017, 10, 31)
    assert dates[-1] <= D(2017, 11, 30)
    assert len(set(dates)) == 6  # one group per date, not three on the first day
    client.force_login(users["student1"])
    page = client.get(url("presentations-group", demo)).content.decode()
    assert "Presentations run from Tuesday, October 31 to Thursday, November 30." in page
    client.force_login(users["instructor"])
    manage = client.get(url("presentations-manage", demo)).content.decode()
    assert 'value="2017-10-31"' in manage


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"presentations_start": "31/10/2017"}, "First presentation date"),
        ({"presentations_end": "2018-01-10"}, "Last presentation date"),
        ({"presentations_start": "2017-11-30", "presentations_end": "2017-10-31"},
         "Last presentation date"),
    ],
)  # fmt: skip
def test_the_window_refuses_bad_dates_naming_the_field(client, demo, users, data, field):
    client.force_login(users["instructor"])
    response = client.post(url("presentations-window", demo), data)
    assert response.status_code == 400
    assert f"{field}: " in response.content.decode()
    demo.refresh_from_db()
    assert demo.presentations_start is None
    assert demo.presentations_end is None


def test_students_and_other_courses_cannot_use_the_staff_pages(client, demo, users, bob):
    generate_and_publish(demo, users["instructor"])
    schedule_generate(course=demo, actor=users["instructor"])
    for who, status in ((users["student1"], 403), (bob, 404)):
        client.force_login(who)
        assert client.get(url("presentations-publish-preview", demo)).status_code == status
        assert client.get(url("presentations-start-over", demo)).status_code == status
        assert (
            client.post(url("presentations-start-over", demo), {"confirm": "yes"}).status_code
            == status
        )
        assert client.post(url("presentations-repair", demo), CONFIRM).status_code == status
        assert client.post(url("presentations-window", demo), {}).status_code == status
    assert PresentationSchedule.objects.filter(course=demo).count() == 2


def test_fewer_seats_is_flagged_told_and_repaired_with_the_fewest_moves(
    client, demo, users, django_capture_on_commit_callbacks
):
    instructor = users["instructor"]
    generate_and_publish(demo, instructor)
    before = published_dates(demo)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        course_update(course=demo, presenters_per_class=2)
    issues = ScheduleIssue.objects.filter(course=demo, resolved_at=None)
    assert issues.exists()
    assert all(i.kind == IssueKind.OVER_CAPACITY for i in issues)
    crowded = {i.group.name for i in issues}
    assert any("needs a change" in m.subject for m in mail.outbox)
    assert any("needs attention" in m.subject for m in mail.outbox)
    client.force_login(instructor)
    manage = client.get(url("presentations-manage", demo)).content.decode()
    assert "breaks these rules now" in manage
    # The page says whom the repair would move; unconfirmed, the repair does nothing.
    shown = manage[manage.index('id="repair-moves"') :].split("</table>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url("presentations-repair", demo))
    assert refused.status_code == 400
    assert "Nothing was done yet" in refused.content.decode()
    assert published_dates(demo) == before
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("presentations-repair", demo), CONFIRM).status_code == 302
    after = published_dates(demo)
    moved = {name for name in before if after.get(name) != before[name]}
    assert f"The repair would move {len(moved)} group" in manage
    for name in before:
        assert (f"<td>{name}</td>" in shown) == (name in moved)
        if name in moved:
            assert f'<time datetime="{after[name].isoformat()}">' in shown
    # Each crowded day keeps one pair of its groups: the others (and only they) move.
    by_day: dict[dt.date, int] = {}
    for name in crowded:
        by_day[before[name]] = by_day.get(before[name], 0) + 1
    assert len(moved) == sum(count - 1 for count in by_day.values())
    assert moved <= crowded
    assert not ScheduleIssue.objects.filter(course=demo, resolved_at=None).exists()
    change = ScheduleChange.objects.filter(kind="repaired")[:1].get()
    assert {m["group"] for m in change.moves} == moved


def test_a_dropped_student_is_no_longer_listed_and_an_empty_group_is_flagged(
    client, demo, users, django_capture_on_commit_callbacks
):
    generate_and_publish(demo, users["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("student9", "student10"):
            Membership.objects.filter(course=demo, user=users[name]).update(is_active=False)
            membership = Membership.objects.get(course=demo, user=users[name])
            membership.save()
    client.force_login(users["student1"])
    page = client.get(url("presentations", demo)).content.decode()
    assert display_name(users["student9"]) not in page
    assert display_name(users["student1"]) in page
    issue = ScheduleIssue.objects.get(course=demo, resolved_at=None)
    assert issue.kind == IssueKind.NO_MEMBERS
    assert issue.group.name == "Grad-CAM"
    client.force_login(users["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("presentations-repair", demo), CONFIRM)
    assert "Grad-CAM" not in published_dates(demo)


def test_a_student_marking_their_date_unavailable_is_flagged(
    demo, users, django_capture_on_commit_callbacks
):
    generate_and_publish(demo, users["instructor"])
    g = group(demo, "Deconvnets")
    day = published_dates(demo)[g.name]
    with django_capture_on_commit_callbacks(execute=True):
        g.unavailable = [day.isoformat()]
        g.save()
    issue = ScheduleIssue.objects.get(course=demo, resolved_at=None)
    assert (issue.kind, issue.group_id, issue.date) == (IssueKind.UNAVAILABLE, g.pk, day)


def test_given_presentations_never_move(demo, users, django_capture_on_commit_callbacks):
    instructor = users["instructor"]
    generate_and_publish(demo, instructor)
    before = published_dates(demo)
    with time_machine.travel(dt.datetime(2017, 10, 18, 12, tzinfo=dt.UTC), tick=False):
        # Everyone given before 10/18 keeps the date, even one now "unavailable" on it.
        early = {name for name, day in before.items() if day < D(2017, 10, 18)}
        assert early
        for g in PresenterGroup.objects.filter(course=demo):
            g.unavailable = [before[g.name].isoformat()]
            g.save()
        draft = schedule_generate(course=demo, actor=instructor)
        after = {s.group.name: s.date for s in draft.slots.select_related("group")}
    assert all(after[name] == before[name] for name in early)
    assert all(after[name] != before[name] for name in set(before) - early)


def test_an_infeasible_draft_names_the_conflict_and_its_cheapest_fixes(client, demo, users):
    course_update(course=demo, presentations_start=D(2017, 10, 12),
                  presentations_end=D(2017, 10, 12))  # fmt: skip
    client.force_login(users["instructor"])
    response = client.post(url("presentations-manage-action", demo, "generate"), follow=True)
    page = response.content.decode()
    assert "6 groups need a slot; 3 eligible slots remain" in page
    assert "Cheapest fixes: add 6 seats on 2017-10-12" in page


def test_swap_approval_is_not_undone_by_regeneration_even_when_preferences_change(demo, users):
    instructor = users["instructor"]
    generate_and_publish(demo, instructor)
    a, b = group(demo, "Explanations"), group(demo, "Adversarial examples")
    swap = swap_request(from_group=a, to_group=b, actor=users["student3"])
    swap_accept(swap=swap, actor=users["student11"])
    swap_approve(swap=swap, actor=instructor)
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.APPROVED
    swapped = published_dates(demo)
    a.preferences = [swapped[b.name].isoformat()]
    a.save()
    draft = schedule_generate(course=demo, actor=instructor, fresh=False)
    after = {s.group.name: s.date for s in draft.slots.select_related("group")}
    assert after[a.name] == swapped[a.name]
    assert after[b.name] == swapped[b.name]


def test_a_talk_still_on_a_cancelled_day_reads_as_being_rescheduled(client, demo, users):
    generate_and_publish(demo, users["instructor"])
    day = published_dates(demo)["Visualizations"]
    # The repair runs once the change commits; until then the slot is still on the day.
    calendar_exception_create(
        course=demo, actor=users["instructor"], date=day, kind="no_class", reason="cancelled",
        title="Snow",
    )  # fmt: skip
    assert published_dates(demo)["Visualizations"] == day
    client.force_login(users["student1"])
    group_page = client.get(url("presentations-group", demo)).content.decode()
    assert "Your date is being rescheduled" in group_page
    assert "You present on" not in group_page
    schedule_page = client.get(url("presentations", demo)).content.decode()
    assert "Your presentation:" not in schedule_page
    assert "Your date is being rescheduled" in schedule_page
    feed = calendar_feed_get(user=users["student1"])
    body = client.get(f"/feeds/{feed.key}/courses/{demo.pk}.ics").content
    talks = [
        e for e in icalendar.Calendar.from_ical(body).events if "you present" in str(e["summary"])
    ]
    assert talks == []


def test_a_roster_drop_is_checked_against_the_published_schedule(
    demo, users, django_capture_on_commit_callbacks
):
    generate_and_publish(demo, users["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        # A roster import deactivates in bulk (no post_save) and says so with the signal.
        Membership.objects.filter(course=demo, user__username__in=["student5", "student6"]).update(
            is_active=False
        )
        memberships_changed.send(sender=Course, course=demo)
    issue = ScheduleIssue.objects.get(course=demo, resolved_at=None)
    assert issue.kind == IssueKind.NO_MEMBERS
    assert issue.group.name == "Saliency maps"


def test_staff_may_allow_a_date_the_group_marked_unavailable(
    client, demo, users, django_capture_on_commit_callbacks
):
    generate_and_publish(demo, users["instructor"])
    g = group(demo, "Deconvnets")
    lost = published_dates(demo)[g.name]
    g.unavailable = ["2017-11-30"]
    g.save()
    issue = ScheduleIssue.objects.create(
        course=demo, group=g, kind=IssueKind.UNPLACED, date=lost, message="lost its date"
    )
    offered = {(o.kind, o.date) for o in issue_options(issue)}
    assert ("allow_unavailable", D(2017, 11, 30)) in offered
    client.force_login(users["ta"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("presentations-issue-resolve", demo, issue.pk),
            {"option": "allow_unavailable@2017-11-30"},
        )
    assert response.status_code == 302
    g.refresh_from_db()
    assert g.unavailable == []
    assert published_dates(demo)[g.name] == D(2017, 11, 30)
    change = ScheduleChange.objects.filter(kind="repaired")[:1].get()
    assert change.moves[0]["to"] == "2017-11-30"
    assert any("Thursday, November 30" in m.subject for m in mail.outbox)


def test_narrowing_the_window_flags_the_groups_outside_it(
    client, demo, users, django_capture_on_commit_callbacks
):
    generate_and_publish(demo, users["instructor"])
    before = published_dates(demo)
    client.force_login(users["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("presentations-window", demo), {"presentations_start": "2017-10-19"})
    outside = {name for name, day in before.items() if day < D(2017, 10, 19)}
    flagged = {i.group.name for i in ScheduleIssue.objects.filter(course=demo, resolved_at=None)}
    assert outside
    assert flagged == outside
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("presentations-repair", demo), CONFIRM)
    after = published_dates(demo)
    assert all(after[name] >= D(2017, 10, 19) for name in after)
    assert {name for name in before if after[name] != before[name]} == outside


def test_a_date_outside_a_narrowed_window_is_still_shown_until_repaired(client, demo, users):
    generate_and_publish(demo, users["instructor"])
    day = published_dates(demo)["Visualizations"]
    course_update(course=demo, presentations_start=day + dt.timedelta(days=1))
    client.force_login(users["student1"])
    page = client.get(url("presentations-group", demo)).content.decode()
    assert f'id="your-slot">You present on <time datetime="{day.isoformat()}"' in page
