from __future__ import annotations

from django import forms


class UploadForm(forms.Form):
    file = forms.FileField(label="Your solution (.py)")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name", help_text="e.g. laptop, CI")
