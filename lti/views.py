"""The LTI 1.3 endpoints: OIDC login initiation, the launch, the tool's JWKS, deep linking, and
the page where course staff register their LMS (with the values to paste into it)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException

from convlab.models import Assignment
from courses.models import Role
from courses.selectors import membership_get
from lti import launch as claims
from lti.forms import RegistrationForm
from lti.http import PlatformSession
from lti.models import Registration, ResourceLink, ToolKey, UsedNonce
from lti.tool_conf import LaunchRefused, PortalToolConf
from reviews.models import Paper

DEEP_LINK_SESSION_KEY = "lti_deep_link"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "lti/refused.html", {"message": message}, status=status)


def _explain(error: Exception) -> str:
    """pylti1p3's messages, said so that an LMS admin sees what was wrong."""
    text = str(error)
    if isinstance(error, LaunchRefused):
        return text
    if "Signature has expired" in text:
        return "Expired id_token: the LMS's launch token is past its exp. Launch again."
    if "Signature verification failed" in text or "Unable to find public key" in text:
        return (
            "Wrong signature: the id_token is not signed by a key in the LMS's JWKS "
            "(check the registration's JWKS URL)."
        )
    if "Invalid Nonce" in text:
        return "Unknown nonce: this launch was not started by this browser's login."
    if "State not found" in text or "Missing state" in text:
        return "State mismatch: the launch's state is not the one this browser was given."
    if "Can't decode id_token" in text:
        return f"Invalid id_token: {text.split(':', 1)[-1].strip()}"
    if "Error during fetch URL" in text or "Invalid response from" in text:
        # Never the answer itself: the URL was typed by a person, the answer may be anything.
        return "The LMS's JWKS URL did not answer with its keys (check the registration)."
    if "Must support resource link placement types" in text:
        return "This place in the LMS takes no LTI links (ltiResourceLink)."
    if "Missing id_token" in text:
        return "The launch carries no id_token."
    return f"Launch refused: {text}"


def _tool_urls(request: HttpRequest) -> dict[str, str]:
    """What an LMS admin pastes: absolute URLs of the tool's endpoints."""
    return {
        "login_url": request.build_absolute_uri(reverse("lti-login")),
        "launch_url": request.build_absolute_uri(reverse("lti-launch")),
        "jwks_url": request.build_absolute_uri(reverse("lti-jwks")),
        "deep_link_url": request.build_absolute_uri(reverse("lti-launch")),
    }


# Cross-site by design: the LMS's page sends the browser here with a form POST or a GET (OIDC
# third-party login initiation), which carries no CSRF token of ours. Nothing is changed for the
# user but a nonce in their session and a state cookie, both checked again by the launch.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target_link_uri", "")
    if not target:
        return _refused(request, "The login request has no target_link_uri.")
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return _refused(request, f"target_link_uri {target!r} is not on this portal.")
    for name in ("iss", "login_hint"):
        if not params.get(name):
            return _refused(request, f"The login request has no {name}.")
    try:
        oidc = DjangoOIDCLogin(request, PortalToolConf())
        return oidc.redirect(request.build_absolute_uri(reverse("lti-launch")))
    except (LtiException, OIDCException) as error:
        return _refused(request, _explain(error))


def _segment(text: str) -> Any:
    padded = text + "=" * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def _check_shape(request: HttpRequest) -> None:
    """Refuse an id_token whose header or claims pylti1p3 would trip on (a 500): a header or
    body that is not a JSON object, an `aud` that is not a client id or a list of them, an
    `iss`, `nonce` or `kid` that is not a string. Nothing is trusted here: the signature and
    every value are checked after, by pylti1p3."""
    token = request.POST.get("id_token", "")
    if not token:
        return  # pylti1p3 says "Missing id_token"
    parts = token.split(".")
    if len(parts) != 3:
        raise LaunchRefused("Invalid id_token: a JWT has three parts separated by dots.")
    try:
        header, body = _segment(parts[0]), _segment(parts[1])
    except (ValueError, binascii.Error, UnicodeError):
        raise LaunchRefused("Invalid id_token: its header or body is not base64url JSON.") from None
    if not isinstance(header, dict) or not isinstance(body, dict):
        raise LaunchRefused("Invalid id_token: its header and body must be JSON objects.")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise LaunchRefused(
            "Invalid id_token: its header names no key (kid), so no key of the LMS's JWKS "
            "can verify it."
        )
    aud = body.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if not audiences or not all(isinstance(a, str) and a for a in audiences):
        raise LaunchRefused("Invalid id_token: aud must be the client id or a list of them.")
    # OpenID Connect core 3.1.3.7: with several audiences the authorized party (azp) names the
    # client the token is for; pylti1p3 takes the first audience as the client id.
    azp = body.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != audiences[0]:
        raise LaunchRefused(
            f"Wrong audience: the id_token's azp (authorized party) {azp!r} is not its client "
            f"id (the first aud, {audiences[0]!r})."
        )
    for name in ("iss", "nonce", "sub"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise LaunchRefused(f"Invalid id_token: {name} must be a non-empty string.")
    # pylti1p3's message validators read these as objects, the launch the roles as a list.
    objects = (claims.CONTEXT, claims.RESOURCE_LINK, claims.CUSTOM, claims.NRPS, claims.AGS)
    claims.claim_roles(body)
    for name in (*objects, DEEP_LINKING_SETTINGS):
        claims.claim_object(body, name)


def _message_launch(
    request: HttpRequest, *, cached_keys: bool = True
) -> tuple[DjangoMessageLaunch, PortalToolConf]:
    _check_shape(request)
    conf = PortalToolConf()
    message = DjangoMessageLaunch(request, conf, requests_session=PlatformSession())
    if cached_keys:
        message.set_public_key_caching(
            DjangoCacheDataStorage(cache_name="default"),
            cache_lifetime=settings.LTI_PLATFORM_JWKS_CACHE_S,
        )
    message.set_auto_validation(enable=False)
    # pylti1p3's validate() without its last step (save_launch_data, a session write) and with
    # each step's error explained: nothing is kept unless every check passed.
    message.validate_state()
    message.validate_jwt_format()
    message.validate_nonce()
    message.validate_registration()
    message.validate_jwt_signature()
    message.validate_deployment()
    message.validate_message()
    return message, conf


# At most one JWKS fetch past the cache per platform in this many seconds: a token with a made-up
# kid (anyone can start a login and post one) must not make the portal fetch the LMS's keys on
# every request.
JWKS_REFETCH_EVERY_S = 60


def _may_refetch(request: HttpRequest) -> bool:
    body = _segment(request.POST["id_token"].split(".")[1])  # its shape was checked
    aud = body["aud"][0] if isinstance(body["aud"], list) else body["aud"]
    platform = hashlib.sha256(f"{body['iss']}\n{aud}".encode()).hexdigest()
    return bool(cache.add(f"lti-jwks-refetch:{platform}", 1, JWKS_REFETCH_EVERY_S))


def _check_age(body: dict[str, Any]) -> None:
    issued = body.get("iat")
    if not isinstance(issued, int | float):
        raise LaunchRefused("Invalid id_token: it has no iat.")
    if issued < time.time() - settings.LTI_ID_TOKEN_MAX_AGE_S:
        raise LaunchRefused("Expired id_token: it was issued too long ago. Launch again.")
    if not isinstance(body.get("exp"), int | float):
        raise LaunchRefused("Invalid id_token: it has no exp.")


def _forget_old_nonces() -> None:
    """Delete used nonces older than an id_token may be (at most once a minute)."""
    if cache.add("lti-nonce-sweep", 1, 60):
        cutoff = time.time() - settings.LTI_ID_TOKEN_MAX_AGE_S - 300
        UsedNonce.objects.filter(used_at__lt=datetime.fromtimestamp(cutoff, tz=UTC)).delete()


# The launch is a cross-site form POST from the LMS (OIDC form_post of the id_token): it can
# carry no CSRF token, so it is csrf-exempt; the signed id_token, its nonce (issued to this
# browser's session, used once) and the state cookie are what authenticate it instead.
# Exempt from nothing else.
@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        try:
            message, conf = _message_launch(request)
        except LtiException as error:
            if "Unable to find public key" not in str(error) or not _may_refetch(request):
                raise
            # A kid the cached JWKS lacks: the platform may have rotated its key. Once more
            # with its JWKS fetched now (every check is read-only, so repeating them is safe).
            message, conf = _message_launch(request, cached_keys=False)
        body: dict[str, Any] = dict(message.get_launch_data())
        _check_age(body)
        assert conf.registration is not None
        registration = conf.registration
        kind = body.get(claims.MESSAGE_TYPE)
        if kind == "LtiDeepLinkingRequest":
            role = claims.role_from_lti(claims.claim_roles(body))
            if role not in (Role.INSTRUCTOR, Role.TA):
                raise LaunchRefused(
                    "Only the course's instructors and TAs place labs or papers.", status=403
                )
            # The response page posts the signed items there: an LMS web page, nothing else
            # (a javascript: URL would run in the portal's origin).
            back = claims.claim_object(body, DEEP_LINKING_SETTINGS).get("deep_link_return_url")
            if not isinstance(back, str) or urlsplit(back).scheme not in ("http", "https"):
                raise LaunchRefused(
                    "Invalid id_token: the deep_link_return_url of its deep linking settings "
                    "must be an http(s) URL."
                )
        elif kind != "LtiResourceLinkRequest":
            raise LaunchRefused(f"The portal does not handle {kind!r} launches.")
        result = claims.accept_launch(registration, body)
    except LaunchRefused as refused:
        return _refused(request, str(refused), status=refused.status)
    except (LtiException, OIDCException) as error:
        return _refused(request, _explain(error))
    _forget_old_nonces()
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    course_id = result.context.course_id
    if kind == "LtiDeepLinkingRequest":
        message.save_launch_data()
        request.session[DEEP_LINK_SESSION_KEY] = {
            "launch_id": message.get_launch_id(),
            "course_id": course_id,
        }
        return redirect("lti-deep-link")
    link = result.link
    if result.membership.is_staff_role:
        return redirect("staff-home", course_id=course_id)
    if link is not None and link.assignment_id is not None:
        assert link.assignment is not None
        return redirect("lab-assignment", course_id=course_id, slug=link.assignment.slug)
    if link is not None and link.paper_id is not None:
        return redirect("paper-detail", course_id=course_id, paper_id=link.paper_id)
    return redirect("course-home", course_id=course_id)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys: the active one and those retired within the keep period."""
    if not ToolKey.objects.filter(retired_at__isnull=True).exists():
        ToolKey.generate()
    response = JsonResponse({"keys": [key.public_jwk for key in ToolKey.published()]})
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    """The instructor picks labs and papers of the course; the LMS gets a signed response."""
    pending = request.session.get(DEEP_LINK_SESSION_KEY)
    if not pending:
        return _refused(request, "No deep linking request is open: start it from the LMS.", 400)
    membership = membership_get(user=request.user, course_id=pending["course_id"])
    if not membership.is_staff_role:
        raise PermissionDenied("Only the course's instructors and TAs place labs or papers.")
    course = membership.course
    try:
        message = DjangoMessageLaunch.from_cache(pending["launch_id"], request, PortalToolConf())
    except LtiException:
        del request.session[DEEP_LINK_SESSION_KEY]
        return _refused(request, "The deep linking request expired: start it again from the LMS.")
    settings_claim: Any = dict(message.get_launch_data()).get(DEEP_LINKING_SETTINGS) or {}
    if "ltiResourceLink" not in (settings_claim.get("accept_types") or []):
        del request.session[DEEP_LINK_SESSION_KEY]
        return _refused(request, "This place in the LMS takes no LTI links (ltiResourceLink).")
    multiple = settings_claim.get("accept_multiple", True) is not False
    labs = list(Assignment.objects.filter(course=course).order_by("due_at"))
    papers = list(Paper.objects.filter(course=course).order_by("session_date"))
    page = {"course": course, "labs": labs, "papers": papers, "multiple": multiple}
    if request.method == "GET":
        return render(request, "lti/deep_link.html", page)
    picked = request.POST.getlist("item")
    chosen_labs = [lab for lab in labs if f"lab-{lab.pk}" in picked]
    chosen_papers = [p for p in papers if f"paper-{p.pk}" in picked]
    error = ""
    if not chosen_labs and not chosen_papers:
        error = "Pick at least one lab or paper."
    elif len(chosen_labs) + len(chosen_papers) > 1 and not multiple:
        error = "This place in the LMS takes one item: pick one."
    if error:
        return render(request, "lti/deep_link.html", {**page, "error": error}, status=400)
    target = request.build_absolute_uri(reverse("lti-launch"))
    resources = [
        DeepLinkResource()
        .set_url(target)
        .set_title(lab.title)
        .set_custom_params({"portal_assignment": str(lab.pk)})
        for lab in chosen_labs
    ] + [
        DeepLinkResource()
        .set_url(target)
        .set_title(paper.title)
        .set_custom_params({"portal_paper": str(paper.pk)})
        for paper in chosen_papers
    ]
    deep = message.get_deep_link()
    jwt_value = deep.get_response_jwt(resources)
    return_url = str(settings_claim["deep_link_return_url"])
    del request.session[DEEP_LINK_SESSION_KEY]
    response = render(
        request, "lti/deep_link_return.html", {"return_url": return_url, "jwt": jwt_value}
    )
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
    response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    return response


def _instructor_membership(request: HttpRequest, course_id: int) -> Any:
    membership = membership_get(user=request.user, course_id=course_id)
    if membership.role != Role.INSTRUCTOR:
        raise PermissionDenied("Only the course's instructors register an LMS for it.")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request: HttpRequest, course_id: int, registration_id: int) -> HttpResponse:
    """An instructor corrects a registration of the course's LMS, or switches it off."""
    membership = _instructor_membership(request, course_id)
    course = membership.course
    registration = Registration.objects.filter(pk=registration_id, course=course).first()
    if registration is None:
        raise Http404("No such LMS registration in this course.")
    form = RegistrationForm(request.POST or None, instance=registration)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        if any(field in form.changed_data for field in Registration.VETTED_FIELDS):
            # New addresses are a new registration to the site admin: looked at again.
            edited.approved_at, edited.approved_by = None, None
        edited.save()
        if edited.approved_at is None:
            messages.success(
                request,
                f"{registration.name}: saved. Launches wait for a site administrator to "
                "approve it.",
            )
        else:
            messages.success(request, f"{registration.name}: saved.")
        return redirect("lti-registrations", course_id=course.pk)
    return render(
        request,
        "lti/registration_edit.html",
        {"course": course, "membership": membership, "form": form, "registration": registration},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def registrations(request: HttpRequest, course_id: int) -> HttpResponse:
    """An instructor registers the course's LMS and sees the values to paste into it."""
    membership = _instructor_membership(request, course_id)
    course = membership.course
    form = RegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            registration = form.save(commit=False)
            registration.course = course
            registration.created_by = request.user  # type: ignore[assignment]
            registration.approved_at = None  # a site admin approves it (Registration)
            registration.save()
            messages.success(
                request,
                f"{registration.name}: registered. Launches wait for a site administrator to "
                "approve it; you will see it here once approved.",
            )
            return redirect("lti-registrations", course_id=course.pk)
        status = 400
    return render(
        request,
        "lti/registrations.html",
        {
            "course": course,
            "membership": membership,
            "form": form,
            "registrations": Registration.objects.filter(course=course),
            "links": ResourceLink.objects.filter(context__course=course).select_related(
                "assignment", "paper", "context"
            ),
            **_tool_urls(request),
        },
        status=status,
    )
