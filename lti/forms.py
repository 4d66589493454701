from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from convlab.webhooks import check_webhook_url
from lti.models import Registration


def _https_by_default(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class RegistrationForm(forms.ModelForm):
    """An LMS registration as its admin copies it from the LMS (Canvas: the developer key's
    client id and the deployment id of the installed app)."""

    deployment_ids_text = forms.CharField(
        label="Deployment ids",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line (Canvas shows it on the app's Deployment Id menu entry).",
    )

    class Meta:
        model = Registration
        formfield_callback = _https_by_default
        fields = [
            "name",
            "issuer",
            "client_id",
            "auth_login_url",
            "auth_token_url",
            "jwks_url",
            "audience",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["is_active"]
        else:
            self.fields["deployment_ids_text"].initial = "\n".join(self.instance.deployment_ids)
            self.fields["is_active"].help_text = "Off: launches from this LMS are refused."

    def clean_deployment_ids_text(self) -> list[str]:
        ids = [line.strip() for line in self.cleaned_data["deployment_ids_text"].splitlines()]
        ids = [i for i in ids if i]
        if not ids:
            raise ValidationError("At least one deployment id.")
        if any(len(i) > 255 for i in ids):
            raise ValidationError("A deployment id has at most 255 characters.")
        return list(dict.fromkeys(ids))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The portal itself fetches these (keys, tokens): never an address inside its network.
        for field in ("auth_token_url", "jwks_url"):
            if data.get(field):
                try:
                    check_webhook_url(data[field], field=field)
                except ValidationError as error:
                    self.add_error(field, error.message_dict[field])
        # The browser is sent there by the portal's login URL: a web page, never ftp:// etc.
        for field in ("issuer", "auth_login_url"):
            if data.get(field) and urlsplit(data[field]).scheme not in ("http", "https"):
                self.add_error(field, "An http:// or https:// URL.")
        issuer, client_id = data.get("issuer"), data.get("client_id")
        if issuer and client_id:
            clash = Registration.objects.filter(issuer=issuer, client_id=client_id)
            clash = clash.exclude(pk=self.instance.pk) if self.instance.pk else clash
            if clash.exists():
                self.add_error("client_id", "This issuer and client id are already registered.")
        return data

    def save(self, commit: bool = True) -> Registration:
        self.instance.deployment_ids = self.cleaned_data["deployment_ids_text"]
        return super().save(commit)
