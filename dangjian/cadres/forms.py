"""The class form of 记录一期培训: the fields every trainee row of the class shares (the
`trainings` kind's columns but the identity number). The values are only carried here;
they are checked by the kind (`dangjian.imports.kinds.cadres`), the one validation path."""

from __future__ import annotations

from django import forms

from dangjian.cadres.models import TrainingKind

KIND_CHOICES = [("", "请选择")] + [(str(label), str(label)) for _v, label in TrainingKind.choices]


class TrainingClassForm(forms.Form):
    name = forms.CharField(label="培训名称（必填）", max_length=100, required=False)
    kind = forms.ChoiceField(label="培训类别（必填）", choices=KIND_CHOICES, required=False)
    organizer = forms.CharField(
        label="举办单位（必填）",
        max_length=100,
        required=False,
        help_text="如：长沙市委党校",
    )
    started_on = forms.CharField(
        label="开始日期（必填）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ended_on = forms.CharField(
        label="结束日期（必填）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    days = forms.CharField(
        label="培训天数（必填）",
        required=False,
        help_text="大于0，最多一位小数，不超过开始至结束的天数",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    # The form's fields are the kind's columns of the same keys.
    COLUMNS = ("name", "kind", "organizer", "started_on", "ended_on", "days")

    def values(self) -> dict[str, str]:
        data = self.data
        return {key: str(data.get(key, "") or "").strip() for key in self.COLUMNS}
