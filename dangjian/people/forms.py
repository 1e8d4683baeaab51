"""Forms that take an identity number in clear and keep only what Person stores of it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from dangjian.lib import crypto
from dangjian.lib.codes import normalize_id_number, validate_id_number
from dangjian.people.models import Person


def clean_id_number_input(value: str) -> str:
    """A number as typed or pasted, e.g. "430102 19850312 0011", in its normal form."""
    return normalize_id_number("".join((value or "").split()))


def id_number_hash(value: str) -> str | None:
    """The lookup hash of `value` if it is a valid identity number, else None."""
    number = clean_id_number_input(value)
    try:
        validate_id_number(number)
    except ValidationError:
        return None
    return crypto.lookup_hash(number)


class PersonAdminForm(forms.ModelForm):
    """A person with the identity number typed in clear, validated and stored encrypted.

    On a new person the number is required; on an existing one a blank field keeps the
    current number. A number that another person already has is a form error, never an
    IntegrityError.
    """

    id_number = forms.CharField(
        label="公民身份号码",
        max_length=32,
        required=True,
        help_text="18位，末位可为X。系统只保存加密后的号码，页面只显示脱敏号码。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 24}),
    )

    class Meta:
        model = Person
        fields = ("name", "political_status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            field = self.fields["id_number"]
            field.required = False
            field.help_text = "留空则保持当前号码不变；如需更正，请填写完整的18位号码。"

    def clean_id_number(self) -> str:
        number = clean_id_number_input(self.cleaned_data.get("id_number") or "")
        if number:
            validate_id_number(number)
        return number

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.has_error("id_number"):
            return cleaned
        number = cleaned.get("id_number") or ""
        person = self.instance
        if not number and person.pk is not None and person.id_encrypted:
            # No new number: keep the one the record carries. It is re-derived only when it
            # differs from the stored hash, as when a history version is being restored.
            current = person.id_number
            if crypto.lookup_hash(current) != person.id_hash:
                number = current
        if number:
            self._check_unique(number)
            if not self.has_error("id_number"):
                person.set_id_number(number)
        return cleaned

    def _check_unique(self, number: str) -> None:
        others = Person.objects.by_id_number(number)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        other = others.first()
        if other is not None:
            self.add_error(
                "id_number",
                ValidationError(
                    "该公民身份号码已登记为人员「%(person)s」，同一号码不能重复登记",
                    code="id_duplicate",
                    params={"person": other},
                ),
            )

    def add_error(self, field: str | None, error: Any) -> None:
        # Person.clean() reports a missing number under `id_masked`, which this form shows as
        # `id_number`; when the number was rejected, the field already says what is wrong.
        error_dict = getattr(error, "error_dict", None) if field is None else None
        if error_dict and "id_masked" in error_dict:
            moved = error_dict.pop("id_masked")
            if not self.has_error("id_number"):
                super().add_error("id_number", moved)
            if not error_dict:
                return
        super().add_error(field, error)
