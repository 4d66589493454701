"""The roster_import job kind: preview or apply a large roster file in a worker, with progress.

The rows are checked in chunks (progress after each, outside any transaction so that the page
sees it); applying then writes everything in one transaction, as a synchronous import does, so a
failure leaves nothing half-written.
"""

from __future__ import annotations

from typing import Any

from jobs.models import Job
from jobs.registry import JobFailed, JobKind, Progress, register
from roster import services

KIND = "roster_import"
# Files with more rows than this are imported as a job from the page and the API.
JOB_ABOVE_ROWS = 500


def roster_job_input(*, content: bytes, apply: bool, importer_role: str, base_url: str) -> dict:
    # parse_roster decoded the same bytes already, so this cannot fail.
    return {
        "content": content.decode("utf-8-sig"),
        "apply": apply,
        "importer_role": importer_role,
        "base_url": base_url,
    }


def roster_run(job: Job, progress: Progress) -> dict[str, Any]:
    content = job.input["content"].encode()
    role = job.input["importer_role"]
    if not job.input.get("apply"):
        plan = services.roster_preview(
            course=job.course, content=content, importer_role=role, progress=progress
        )
        result = plan.as_dict()
        counts = plan.counts()
        result["message"] = (
            f"Preview: {counts['changes']} changes, {counts['errors']} rows with errors"
        )
        return result
    # Progress written inside the apply transaction would stay invisible until its commit: the
    # rows are checked first, outside it, with progress; apply then checks them again, locked.
    checked = services.roster_preview(
        course=job.course, content=content, importer_role=role, progress=progress
    )
    if checked.errors:
        raise JobFailed(
            f"{len(checked.errors)} rows have errors; nothing was applied", checked.as_dict()
        )
    rows = len(checked.rows)
    progress(rows, rows, f"Checked {rows} rows; applying them in one transaction")
    try:
        plan = services.roster_apply(
            course=job.course,
            content=content,
            importer_role=role,
            base_url=job.input["base_url"],
        )
    except services.RosterRejected as rejected:
        raise JobFailed(str(rejected), rejected.plan.as_dict()) from None
    result = plan.as_dict()
    result["message"] = f"Applied: {plan.changes} changes"
    return result


register(JobKind(name=KIND, label="Roster import", run=roster_run))
