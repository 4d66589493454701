"""REST API of convlab, for students, staff and autograders."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from convlab import schema, selectors, services
from convlab.grading.results import final_gradescope
from convlab.serializers import (
    AssignmentOutput,
    RegradeInput,
    SubmissionOutput,
    SubmitInput,
)
from courseportal.confirm import ConfirmInput
from courseportal.counters import counters
from courseportal.openapi import error_response, throttled_response
from courseportal.parsers import JSONParser
from courseportal.types import AuthenticatedRequest
from courses.permissions import IsCourseMember, request_membership, require_staff

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


class SubmitThrottle(UserRateThrottle):
    """SUBMIT_RATE per user, counted in the shared cache (Redis), or, while that cannot be
    reached, in this process's own (courseportal/counters.py): a Redis outage never turns a
    submission into a 500, and the limit still holds per web process. The assignment's daily
    submission limit, kept in the database, bounds every student whatever the cache does."""

    scope = "submit"
    cache = counters


class AssignmentListApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="List the course's lab assignments",
        responses=AssignmentOutput(many=True),
        examples=schema.ASSIGNMENT_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        return Response(AssignmentOutput(selectors.assignment_list(course=course), many=True).data)


class SubmissionListApi(APIView):
    permission_classes = [IsCourseMember]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_throttles(self) -> list[Any]:
        return [SubmitThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        summary="List submissions to an assignment (students: their own; staff: all)",
        responses=SubmissionOutput(many=True),
        examples=schema.SUBMISSION_LIST,
    )
    def get(self, request: Request, course_id: int, slug: str) -> Response:
        membership = request_membership(request, self)
        assignment = selectors.assignment_get(course=membership.course, slug=slug)
        submissions = selectors.submission_list(membership=membership, assignment=assignment)
        context = {"request": request, "full": membership.is_staff_role}
        return Response(SubmissionOutput(submissions[:500], many=True, context=context).data)

    @extend_schema(
        summary="Submit code for grading (students; autograders name the student)",
        request={"multipart/form-data": SubmitInput, "application/json": SubmitInput},
        responses={
            202: SubmissionOutput,
            422: OpenApiResponse(
                schema.KEY_REUSED_OUTPUT,
                description="The Idempotency-Key was used before for a different request "
                "(another file, student or assignment): nothing was submitted.",
            ),
            429: throttled_response("submit"),
        },
        examples=schema.SUBMIT,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key and the same body returns the same "
                "submission; the key with a different body or student answers 422.",
            )
        ],
    )
    def post(self, request: AuthenticatedRequest, course_id: int, slug: str) -> Response:
        """Submit a file for grading: 202 with the submission's URL; poll it or get a webhook."""
        membership = request_membership(request, self)
        assignment = selectors.assignment_get(course=membership.course, slug=slug)
        key = request.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.match(key):
            raise ValidationError(
                {"Idempotency-Key": "1 to 128 characters: letters, digits, and _ . : -"}
            )
        serializer = SubmitInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        student = selectors.submission_student(membership=membership, username=data.get("student"))
        content = data["file"].read() if "file" in data else data["source"].encode()
        try:
            made = services.submission_create(
                assignment=assignment,
                student=student,
                submitted_by=request.user,
                content=content,
                idempotency_key=key,
            )
        except services.SubmissionLimitReached as limit:
            raise Throttled(wait=limit.retry_after, detail=str(limit)) from None
        except services.IdempotencyKeyReused as reused:
            return Response(
                {"Idempotency-Key": [str(reused)]}, status=status.HTTP_422_UNPROCESSABLE_ENTITY
            )
        except services.StorageUnavailable as unavailable:
            return Response(
                {"file": [str(unavailable)]},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "60"},
            )
        made.submission.refresh_from_db()  # queued by now, unless the broker is down
        context = {"request": request, "full": membership.is_staff_role}
        body = SubmissionOutput(made.submission, context=context).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class SubmissionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Poll a submission: status, score and visible results",
        responses=SubmissionOutput,
        examples=schema.SUBMISSION_DETAIL,
    )
    def get(self, request: Request, submission_id: int) -> Response:
        submission, membership = selectors.submission_get_for_user(
            user=request.user, submission_id=submission_id
        )
        context = {"request": request, "full": membership.is_staff_role}
        return Response(SubmissionOutput(submission, context=context).data)


class SubmissionResultsApi(APIView):
    """The results in Gradescope's results.json schema (as the viewer may see them): 409 until
    the submission is final, then a valid results.json whether graded or not gradable."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The results in Gradescope's results.json schema",
        responses={
            200: schema.ResultsOutput,
            409: error_response(
                "Not graded yet: poll the submission or wait for the webhook.",
                "not graded yet: queued",
            ),
        },
        examples=schema.RESULTS_EXAMPLES,
    )
    def get(self, request: Request, submission_id: int) -> Response:
        submission, membership = selectors.submission_get_for_user(
            user=request.user, submission_id=submission_id
        )
        if not submission.is_final:
            return Response(
                {"detail": f"not graded yet: {submission.status}", "status": submission.status},
                status=status.HTTP_409_CONFLICT,
            )
        results = selectors.visible_results(
            results=submission.results,
            due_at=submission.assignment.due_at,
            now=timezone.now(),
            full=membership.is_staff_role,
        )
        shown, _ = selectors.shown_score(
            submission=submission, now=timezone.now(), full=membership.is_staff_role
        )
        return Response(
            final_gradescope(
                results,
                gradable=bool(submission.gradable),
                score=shown,  # after the late penalty; before the due date, what is shown
                raw_score=submission.raw_score,
                late_days=submission.late_days,
            )
        )


class SubmissionRegradeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Grade a submission again (staff)",
        request=RegradeInput,
        responses={202: SubmissionOutput},
        examples=schema.REGRADE,
    )
    def post(self, request: Request, submission_id: int) -> Response:
        submission, membership = selectors.submission_get_for_user(
            user=request.user, submission_id=submission_id
        )
        require_staff(membership)
        serializer = RegradeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.submission_regrade(
            submission=submission, use_gpu=serializer.validated_data["use_gpu"]
        )
        context = {"request": request, "full": True}
        return Response(
            SubmissionOutput(submission, context=context).data, status=status.HTTP_202_ACCEPTED
        )


class AssignmentRegradeApi(APIView):
    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Grade every student's latest submission again (staff)",
        description='A bulk action: the body must be `{"confirm": true}` (a 400 naming '
        "`confirm` otherwise, and nothing is queued).",
        request=ConfirmInput,
        responses={202: schema.RegradeQueuedOutput},
        examples=schema.ASSIGNMENT_REGRADE,
    )
    def post(self, request: Request, course_id: int, slug: str) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        assignment = selectors.assignment_get(course=membership.course, slug=slug)
        ConfirmInput(data=request.data).is_valid(raise_exception=True)
        count = services.assignment_regrade(assignment=assignment)
        return Response({"queued": count}, status=status.HTTP_202_ACCEPTED)
