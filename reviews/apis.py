"""REST API of the reviews app. Thin: validate, call a service or selector, serialize."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from courseportal import caching
from courseportal.openapi import (
    error_response,
    refused_response,
    staff_only_response,
    throttled_response,
)
from courseportal.types import AuthenticatedRequest
from courses.models import Role
from courses.people import display_name
from courses.permissions import (
    CourseRolePermission,
    IsCourseMember,
    IsCourseStaffOrReadOnly,
    request_membership,
    require_staff,
)
from reviews import guidance_adapter, schema, selectors, services
from reviews.models import RatingTag, Review
from reviews.serializers import (
    AnalyzeInput,
    PaperInput,
    PaperOutput,
    RatingInput,
    ReviewInput,
    ReviewOutput,
    ReviewVersionOutput,
    RevisionInput,
    RevisionOutput,
)
from reviews.throttles import AnalyzeThrottle


class IsCourseStudentOrReadOnly(CourseRolePermission):
    message = "Only the course's students write reviews."
    write_roles = frozenset({Role.STUDENT})


class IsCoursePersonOrReadOnly(CourseRolePermission):
    """Students and staff rate reviews; an autograder account, a program, gives no opinions."""

    message = "An autograder account does not rate reviews."
    write_roles = frozenset({Role.STUDENT, Role.TA, Role.INSTRUCTOR})


class ThrottleWrites(APIView):
    """Writing a review runs the analyzer: its POST, PUT and PATCH count against the user's
    `analyze` limit (reviews/throttles.py); reading does not."""

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method in ("POST", "PUT", "PATCH"):
            return [AnalyzeThrottle()]
        return []


class ReviewAnalyzeApi(APIView):
    """Writing guidance for a text. Nothing is stored."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [AnalyzeThrottle]

    @extend_schema(
        summary="Writing guidance for a text (nothing is stored)",
        request=AnalyzeInput,
        responses={200: schema.AnalysisOutput, 429: throttled_response("analyze")},
        examples=schema.ANALYZE,
    )
    def post(self, request: Request) -> Response:
        serializer = AnalyzeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(guidance_adapter.analyze_text(serializer.validated_data["text"]))


class PaperListApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    @extend_schema(
        summary="List the course's papers",
        responses=PaperOutput(many=True),
        parameters=[OpenApiParameter("session_date", OpenApiTypes.DATE, description="one session")],
        examples=schema.PAPER_LIST,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        papers = selectors.paper_list(course=course)
        if "session_date" in request.query_params:
            try:
                day = serializers.DateField().run_validation(request.query_params["session_date"])
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"session_date": error.detail}) from None
            papers = papers.filter(session_date=day)
        return Response(PaperOutput(papers, many=True, context={"now": timezone.now()}).data)

    @extend_schema(
        summary="Assign a paper to a class session (TAs and instructors)",
        request=PaperInput,
        responses={201: PaperOutput},
        examples=schema.PAPER_CREATE,
    )
    def post(self, request: Request, course_id: int) -> Response:
        course = request_membership(request, self).course
        serializer = PaperInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        paper = services.paper_create(course=course, **serializer.validated_data)
        context = {"now": timezone.now()}
        return Response(PaperOutput(paper, context=context).data, status=status.HTTP_201_CREATED)


class PaperDetailApi(APIView):
    permission_classes = [IsCourseStaffOrReadOnly]

    @extend_schema(summary="Read a paper", responses=PaperOutput, examples=schema.PAPER_DETAIL)
    def get(self, request: Request, course_id: int, paper_id: int) -> Response:
        course = request_membership(request, self).course
        paper = selectors.paper_get(course=course, paper_id=paper_id)
        return Response(PaperOutput(paper, context={"now": timezone.now()}).data)

    @extend_schema(
        summary="Change a paper (TAs and instructors)",
        request=PaperInput(partial=True),
        responses=PaperOutput,
        examples=schema.PAPER_UPDATE,
    )
    def patch(self, request: Request, course_id: int, paper_id: int) -> Response:
        course = request_membership(request, self).course
        paper = selectors.paper_get(course=course, paper_id=paper_id)
        serializer = PaperInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        paper = services.paper_update(paper=paper, **serializer.validated_data)
        return Response(PaperOutput(paper, context={"now": timezone.now()}).data)

    @extend_schema(
        summary="Delete a paper (TAs and instructors)",
        responses={
            204: None,
            400: refused_response(
                "The paper has reviews: students' work is never deleted.",
                "paper",
                "2 review(s) of this paper exist; students' work is never deleted",
            ),
        },
    )
    def delete(self, request: Request, course_id: int, paper_id: int) -> Response:
        course = request_membership(request, self).course
        services.paper_delete(paper=selectors.paper_get(course=course, paper_id=paper_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PaperReviewListApi(ThrottleWrites):
    permission_classes = [IsCourseStudentOrReadOnly]

    @extend_schema(
        summary="List the paper's reviews you may see",
        responses=ReviewOutput(many=True),
        examples=schema.REVIEW_LIST,
    )
    def get(self, request: Request, course_id: int, paper_id: int) -> HttpResponse:
        membership = request_membership(request, self)

        def build() -> tuple[object, bool]:
            now = timezone.now()
            paper = selectors.paper_get(course=membership.course, paper_id=paper_id)
            reviews = selectors.review_list_visible(membership=membership, now=now, paper=paper)
            # Before the deadline a student sees their own review only, and at it everyone's:
            # that list changes by itself, so it is built every time (it holds one review).
            released = selectors.paper_is_released(paper=paper, now=now)
            return ReviewOutput(reviews, many=True).data, released or membership.is_staff_role

        return caching.api_response(
            request,
            ("reviews", paper_id, membership.pk, timezone.get_current_timezone_name()),
            # The authors' names are the accounts'.
            scopes=[caching.course_scope(membership.course_id), caching.ACCOUNTS],
            build=build,
        )

    @extend_schema(
        summary="Write your review of a paper (students)",
        request=ReviewInput,
        responses={201: ReviewOutput, 429: throttled_response("analyze")},
        examples=schema.REVIEW_CREATE,
    )
    def post(self, request: AuthenticatedRequest, course_id: int, paper_id: int) -> Response:
        membership = request_membership(request, self)
        paper = selectors.paper_get(course=membership.course, paper_id=paper_id)
        serializer = ReviewInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_create(
            paper=paper, author=request.user, **serializer.validated_data
        )
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class ReviewDetailApi(ThrottleWrites):
    permission_classes = [IsCourseMember]

    @extend_schema(summary="Read a review", responses=ReviewOutput, examples=schema.REVIEW_DETAIL)
    def get(self, request: Request, course_id: int, review_id: int) -> Response:
        membership = request_membership(request, self)
        review = selectors.review_get_visible(
            membership=membership, now=timezone.now(), review_id=review_id
        )
        return Response(ReviewOutput(review).data)

    @extend_schema(
        summary="Edit your review (a new version is kept)",
        request=ReviewInput(partial=True),
        responses={200: ReviewOutput, 429: throttled_response("analyze")},
        examples=schema.REVIEW_UPDATE,
    )
    def patch(self, request: Request, course_id: int, review_id: int) -> Response:
        membership = request_membership(request, self)
        review = selectors.review_get_visible(
            membership=membership, now=timezone.now(), review_id=review_id
        )
        if review.author_id != request.user.pk:
            raise PermissionDenied("Only the review's author edits it.")
        serializer = ReviewInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        review = services.review_update(review=review, **serializer.validated_data)
        return Response(ReviewOutput(review).data)


class ReviewVersionListApi(APIView):
    """Every saved version of a review with its analysis: for its author and for staff."""

    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Every version of a review with its analysis (its author and staff)",
        responses={
            200: ReviewVersionOutput(many=True),
            403: error_response(
                "Another student's review: only its author and staff see its history.",
                "Only the review's author and staff see its history.",
            ),
        },
        examples=schema.REVIEW_VERSIONS,
    )
    def get(self, request: Request, course_id: int, review_id: int) -> Response:
        membership = request_membership(request, self)
        review = selectors.review_get_visible(
            membership=membership, now=timezone.now(), review_id=review_id
        )
        if review.author_id != request.user.pk and not membership.is_staff_role:
            raise PermissionDenied("Only the review's author and staff see its history.")
        return Response(ReviewVersionOutput(review.versions.all(), many=True).data)


class ReviewRatingApi(APIView):
    permission_classes = [IsCoursePersonOrReadOnly]

    @extend_schema(
        summary="Rate a released review's helpfulness",
        request=RatingInput,
        responses={200: schema.RatingOutput},
        examples=schema.REVIEW_RATE,
    )
    def put(self, request: AuthenticatedRequest, course_id: int, review_id: int) -> Response:
        membership = request_membership(request, self)
        now = timezone.now()
        review = selectors.review_get_visible(membership=membership, now=now, review_id=review_id)
        serializer = RatingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = services.review_rate(
            review=review,
            rater=request.user,
            helpful=serializer.validated_data["helpful"],
            tags=serializer.validated_data.get("tags", []),
            now=now,
        )
        return Response({"review": review.pk, "helpful": rating.helpful, "tags": rating.tags})


class ReviewTagsApi(APIView):
    """The rating tags a review received, counted, never who gave them: for the review's author
    once the paper is released (its review deadline, when reviews become public and can be
    rated), and for staff always."""

    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="The rating tags a review received, counted (its author after release; staff)",
        responses={
            200: schema.ReviewTagsOutput,
            403: error_response(
                "Another member's review, or your own before release.",
                "Only the review's author, once reviews are released, and staff see its tags.",
            ),
        },
        examples=schema.REVIEW_TAGS,
    )
    def get(self, request: Request, course_id: int, review_id: int) -> Response:
        membership = request_membership(request, self)
        now = timezone.now()
        review = selectors.review_get_visible(membership=membership, now=now, review_id=review_id)
        counts = selectors.tag_counts_visible(membership=membership, review=review, now=now)
        if counts is None:
            raise PermissionDenied(
                "Only the review's author, once reviews are released, and staff see its tags."
            )
        return Response(
            {
                "review": review.pk,
                "released": selectors.paper_is_released(paper=review.paper, now=now),
                # Counted by review_list_visible's query.
                "rating_count": getattr(review, "rating_count", 0),
                "helpful_count": getattr(review, "helpful_count", 0),
                "tags": [
                    {"tag": tag, "label": label, "count": counts[tag]}
                    for tag, label in RatingTag.choices
                ],
            }
        )


class CourseTagsApi(APIView):
    """Staff's view of the rating tags of the course's reviews, per review and per student."""

    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Rating tags per review and per student (TAs and instructors)",
        responses={200: schema.CourseTagsOutput, 403: staff_only_response()},
        examples=schema.COURSE_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        reviews = list(
            Review.objects.filter(paper__course_id=membership.course_id)
            .select_related("author")
            .order_by("paper__session_date", "pk")
        )
        counts = selectors.tag_counts(review_ids=[review.pk for review in reviews])
        rows = [
            {
                "review": review.pk,
                "paper": review.paper_id,
                "author": {"id": review.author_id, "name": display_name(review.author)},
                "revision_status": review.revision_status,
                "tags": counts[review.pk],
            }
            for review in reviews
        ]
        students = [
            {key: row[key] for key in ("id", "username", "name", "reviews", "needs_revision",
                                       "revised", "tags")}
            for row in selectors.review_quality_by_student(course=membership.course)
        ]  # fmt: skip
        return Response({"reviews": rows, "students": students})


class ReviewRevisionApi(APIView):
    """Staff ask the author to revise a review, with a note; the author reads it here and answers
    by editing the review (a new version), which marks it revised."""

    permission_classes = [IsCourseMember]

    @extend_schema(
        summary="Whether staff asked for a revision of a review, and why (its author and staff)",
        responses={
            200: RevisionOutput,
            403: error_response(
                "Another student's review: only its author and staff see the note.",
                "Only the review's author and staff see its revision note.",
            ),
        },
        examples=schema.REVIEW_REVISION[1:],
    )
    def get(self, request: Request, course_id: int, review_id: int) -> Response:
        membership = request_membership(request, self)
        review = selectors.review_get_visible(
            membership=membership, now=timezone.now(), review_id=review_id
        )
        if review.author_id != request.user.pk and not membership.is_staff_role:
            raise PermissionDenied("Only the review's author and staff see its revision note.")
        return Response(RevisionOutput(review).data)

    @extend_schema(
        summary="Mark a review 'needs revision', with a note (TAs and instructors)",
        request=RevisionInput,
        responses={200: RevisionOutput, 403: staff_only_response()},
        examples=schema.REVIEW_REVISION,
    )
    def post(self, request: AuthenticatedRequest, course_id: int, review_id: int) -> Response:
        membership = request_membership(request, self)
        require_staff(membership)
        review = selectors.review_get_visible(
            membership=membership, now=timezone.now(), review_id=review_id
        )
        serializer = RevisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_request_revision(
            review=review, requested_by=request.user, note=serializer.validated_data["note"]
        )
        return Response(RevisionOutput(review).data)
