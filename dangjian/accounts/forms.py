"""The forms of the users' pages. Each calls its service, which checks who may do what
(`services.may_manage`): the forms only carry the fields and put the service's messages
next to them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError

from dangjian.accounts import services
from dangjian.accounts.models import Role, User


def styled(form: forms.BaseForm) -> None:
    """Bootstrap's classes, and the message and help tied to their input."""
    for name, field in form.fields.items():
        widget = field.widget
        widget.attrs["class"] = (
            "form-select" if isinstance(widget, forms.Select) else "form-control"
        ) + (" is-invalid" if form.is_bound and name in form.errors else "")
        field_id = f"id_{name}"
        described = [f"{field_id}_help"] if field.help_text else []
        widget.attrs["aria-describedby"] = " ".join([f"{field_id}_error", *described])


class RoleField(forms.ChoiceField):
    """Offers the roles the actor may create, and passes any role on to the service, which
    refuses the others with a 403 (never a quiet 「选择一个有效的选项」)."""

    def valid_value(self, value: Any) -> bool:
        return str(value) in Role.values


# The service's error keys → the form's fields.
CREATE_FIELDS = {
    "username": "username",
    "role": "role",
    "area": "area_code",
    "unit": "unit_name",
    "party_org": "party_org_code",
    "instructor": "instructor_id_number",
}


class UserCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, required=False)
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    role = RoleField(label="角色", required=False)
    area_code = forms.CharField(
        label="管辖区划代码",
        max_length=12,
        required=False,
        help_text="区级管理员、乡镇(街道)干部填写，如 430102（芙蓉区）、430102001（文艺路街道）",
    )
    unit_name = forms.CharField(
        label="所在单位名称",
        max_length=200,
        required=False,
        help_text="登记管理机关、业务主管单位填写单位全称",
    )
    party_org_code = forms.CharField(
        label="党组织编码", max_length=32, required=False, help_text="党组织书记填写"
    )
    instructor_id_number = forms.CharField(
        label="指导员公民身份号码",
        max_length=18,
        required=False,
        help_text="党建工作指导员填写",
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        role = self.fields["role"]
        assert isinstance(role, RoleField)
        role.choices = [("", "请选择角色")] + [
            (role.value, role.label) for role in services.creatable_roles(actor)
        ]
        styled(self)

    def save(self) -> tuple[User, str] | None:
        """Create the user through the service: the user and its initial password, or
        None with the service's messages next to their fields. A role the actor may not
        create raises `UserPermissionDenied` (the page answers 403)."""
        data = self.cleaned_data
        password = services.generate_password()
        try:
            user = services.user_create(
                username=data["username"].strip(),
                role=data["role"] or "",
                password=password,
                area_code=data["area_code"].strip() or None,
                unit_name=data["unit_name"].strip() or None,
                party_org_code=data["party_org_code"].strip() or None,
                instructor_id_number=data["instructor_id_number"].strip() or None,
                full_name=data["full_name"],
                actor=self.actor,
            )
        except ValidationError as exc:
            error = exc if data["role"] else ValidationError({"role": "请选择角色"})
            for key, messages in error.message_dict.items():
                field = CREATE_FIELDS.get(key)
                for message in messages:
                    self.add_error(field, message)
            return None
        return user, password


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label="停用原因", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)

    def save(self, *, actor: User, target: User) -> User | None:
        try:
            return services.user_deactivate(
                actor=actor, target=target, reason=self.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for message in messages:
                    self.add_error("reason", message)
            return None


class OwnPasswordForm(PasswordChangeForm):
    """Django's form (old password, new twice, the project's validators), saved through
    the service, which records the change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)

    def save(self, commit: bool = True) -> Any:
        services.user_change_own_password(
            user=self.user,
            password=self.cleaned_data["new_password1"],
        )
        return self.user
