"""The LTI 1.3 tool's records: see the package docstring (lti/__init__.py) for what each is for."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from convlab.models import Assignment, Submission
from courses.models import Course
from reviews.models import Paper


class Registration(models.Model):
    """One LMS (platform) that may launch the portal: what its admin pasted from the LMS."""

    name = models.CharField(max_length=200, help_text='For example "Canvas at State U".')
    issuer = models.URLField(
        max_length=255, help_text='The platform\'s "iss", e.g. https://canvas.instructure.com.'
    )
    client_id = models.CharField(max_length=255, help_text="The client id the LMS gave the portal.")
    auth_login_url = models.URLField(
        "OIDC authorization URL", max_length=500, help_text="Where the OIDC login redirects."
    )
    auth_token_url = models.URLField(
        "access token URL", max_length=500, help_text="OAuth 2 token endpoint (NRPS, AGS)."
    )
    jwks_url = models.URLField("platform JWKS URL", max_length=500)
    # The `aud` of the client-credentials assertion, when the LMS wants one other than its token
    # URL (Moodle, Blackboard: blank; some platforms name it in their docs).
    audience = models.CharField(max_length=500, blank=True)
    # The deployment ids launches may carry ("1:abc..." in Canvas); a launch with any other is
    # refused.
    deployment_ids = models.JSONField(default=list)
    # The portal course this registration serves: every LMS course (context) launched through it
    # links to this course. Blank for a site-wide registration made by a site admin, whose
    # contexts are linked to courses in the admin.
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="lti_registrations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    # A site admin's approval: launches, roster syncs and scores use approved registrations
    # only. One an instructor makes in the course's pages (or whose addresses they change)
    # waits for it, so that nobody squats another course's issuer and client id, or sends the
    # portal's visitors to a login URL of their own, without an admin having looked.
    approved_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Changing one of these in the course's pages takes the approval back.
    VETTED_FIELDS = ("issuer", "client_id", "auth_login_url", "auth_token_url", "jwks_url")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_registration_issuer_client_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer}, client {self.client_id})"

    @property
    def usable(self) -> bool:
        """Switched on and approved: launches, roster syncs and scores may use it."""
        return self.is_active and self.approved_at is not None


class ToolKey(models.Model):
    """An RSA key pair of the tool: the newest active key signs (deep linking responses, AGS and
    NRPS token requests); retired keys stay in the JWKS for LTI_KEY_RETIRED_KEEP_S seconds so
    that platforms which cached the old JWKS still verify what was signed just before."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return self.kid

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    @classmethod
    def generate(cls) -> ToolKey:
        from jwcrypto.jwk import JWK

        key = JWK.generate(kty="RSA", size=2048)
        kid = key.thumbprint()
        public = json.loads(key.export_public())
        public.update({"kid": kid, "alg": "RS256", "use": "sig"})
        pem = key.export_to_pem(private_key=True, password=None).decode()
        return cls.objects.create(kid=kid, private_pem=pem, public_jwk=public)

    @classmethod
    def signing_key(cls) -> ToolKey:
        """The key that signs now: the newest active one, made on first use."""
        key = cls.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
        return key if key is not None else cls.generate()

    @classmethod
    def published(cls) -> models.QuerySet[ToolKey]:
        """Keys in the JWKS: active ones and those retired less than the keep period ago."""
        since = timezone.now() - timedelta(seconds=settings.LTI_KEY_RETIRED_KEEP_S)
        return cls.objects.filter(
            models.Q(retired_at__isnull=True) | models.Q(retired_at__gte=since)
        )

    @property
    def public_pem(self) -> str:
        from jwcrypto.jwk import JWK

        return JWK(**self.public_jwk).export_to_pem().decode()


class CourseContext(models.Model):
    """An LMS course (context) of one deployment, linked to a portal course, with the service
    endpoints the last launch from it announced (NRPS memberships, AGS line items)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="contexts"
    )
    deployment_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lti_contexts")
    title = models.CharField(max_length=500, blank=True)
    label = models.CharField(max_length=255, blank=True)
    # NRPS: `context_memberships_url` of the namesroleservice claim (blank: no NRPS).
    memberships_url = models.URLField(max_length=1000, blank=True)
    # AGS: `lineitems` of the endpoint claim and the scopes the platform granted.
    lineitems_url = models.URLField(max_length=1000, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "deployment_id", "context_id"],
                name="lti_context_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title or self.context_id} -> {self.course}"


class ResourceLink(models.Model):
    """A link placed in the LMS: launches land on its convlab assignment or reviews paper (at
    most one of them; neither until staff pick one). `lineitem_url` is its AGS line item."""

    context = models.ForeignKey(CourseContext, on_delete=models.CASCADE, related_name="links")
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=500, blank=True)
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="lti_links"
    )
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, null=True, blank=True, related_name="lti_links"
    )
    # AGS `lineitem` of the endpoint claim (or the line item the tool made), and the scopes.
    lineitem_url = models.URLField(max_length=1000, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="lti_resource_link_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(assignment__isnull=True) | models.Q(paper__isnull=True),
                name="lti_resource_link_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class Identity(models.Model):
    """A person of one platform (registration + the token's `sub`) and the portal user they are."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="identities"
    )
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    name = models.CharField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["registration", "sub"], name="lti_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sub}@{self.registration.issuer} -> {self.user}"


class UsedNonce(models.Model):
    """Nonces of id_tokens already accepted: a second launch with one is a replay, refused.
    Rows older than the id_token lifetime are deleted by the launch view as it goes."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "nonce"], name="lti_nonce_unique")
        ]

    def __str__(self) -> str:
        return self.nonce


# --- Grade passback: the AGS outbox (lti/services/ags.py) -------------------------------------


class ScoreState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"  # gave up after LTI_SCORE_ATTEMPTS attempts
    REFUSED = "refused", "Refused"  # cannot be sent (no AGS any more, the platform said no)


class ScoreDelivery(models.Model):
    """One score for the LMS gradebook (AGS), written in the transaction that records the
    grading's final state and delivered later by whichever worker claims it, with the webhook
    outbox's back-off (convlab.WebhookDelivery). Its `timestamp` is the grading's: the platform
    keeps the latest score per (line item, user), so a repeated delivery changes nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="scores")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="lti_score_deliveries"
    )
    user_id = models.CharField("LMS user id", max_length=255)  # the platform's `sub`
    score_given = models.FloatField()
    score_maximum = models.FloatField()
    timestamp = models.DateTimeField()
    state = models.CharField(max_length=16, choices=ScoreState.choices, default=ScoreState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When a deliverer may next claim it; a claim pushes it past the attempt's end (a lease).
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "score deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "submission", "timestamp"], name="lti_score_once_per_grading"
            )
        ]

    def __str__(self) -> str:
        return f"score of submission {self.submission_id} for {self.user_id} ({self.state})"
