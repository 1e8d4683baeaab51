"""The forms of the task page: one per step (`workflow.STEPS`), each posted to its own URL.

They only read what was typed (a date, a choice, the file) and carry the task's version
(`version`: its `updated_at` when the page was drawn, so that a step taken from an older
page is refused). Whether the step is allowed and what a valid note, opinion or file is,
the services say (`TaskError`), once for the pages and the API alike; the view puts their
messages next to the field they are about (`field_for`).
"""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.tasks.models import ExplanationKind
from dangjian.tasks.services import MAX_TEXT

TEXT_ROWS = 3
DECISIONS = {"approve": "批准", "refuse": "不予批准"}


def _text(label: str, *, help_text: str = "", rows: int = TEXT_ROWS) -> forms.CharField:
    # Not required here: the service says whether the text may be empty (备注内容不能为空).
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT}),
    )


class StepForm(forms.Form):
    """What every step's form carries: the version of the task the page showed."""

    # The name of the step (a key of workflow.STEPS), the field its service's messages are
    # about unless they name another (`field_for`), and its text (note, opinion, reason),
    # which an empty or too long text is about.
    step = ""
    main = ""
    text_field = "text"

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.step}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else css

    def field_for(self, code: str | None) -> str | None:
        """The field a service's refusal (by its code) is about; None: the whole form."""
        if code in FORM_WIDE:
            return None
        if code in TEXT_CODES and self.text_field in self.fields:
            return self.text_field
        return CODE_FIELDS.get(code or "", self.main) or None

    def mark_errors(self) -> None:
        """Fields with an error say so to the eye and to a screen reader."""
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self[name].field.widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{self[name].auto_id}_error"


# Refusals about the step or the task as a whole, not one field: who may take it, its state
# (the code is the step's name), a 情况说明 waiting, a stale page.
FORM_WIDE = {
    "start",
    "note",
    "attach",
    "mark_fixed",
    "close",
    "return",
    "reassign",
    "explain",
    "decide",
    "pending_explanation",
    "decided",
    "stale",
}
CODE_FIELDS = {"kind": "kind", "requested_due": "requested_due", "assignee": "assignee"}
TEXT_CODES = {"required", "too_long"}


class StartForm(StepForm):
    step, main = "start", "text"
    text = _text("说明（可选）", rows=2)


class NoteForm(StepForm):
    step, main = "note", "text"
    text = _text("备注内容", help_text=f"如整改进展、联系情况，不超过{MAX_TEXT}字")


class AttachForm(StepForm):
    step, main = "attach", "file"
    file = forms.FileField(
        label="附件",
        help_text="PDF、JPG、PNG、DOCX 或 XLSX 文件，每个不超过 10 MB；按文件内容识别类型",
        error_messages={
            "required": "请选择要上传的文件",
            "empty": "文件是空的：请检查后重新选择",
            "invalid": "没有收到文件：请重新选择",
            "missing": "没有收到文件：请重新选择",
        },
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )


class MarkFixedForm(StepForm):
    step, main = "mark_fixed", "text"
    text = _text("整改情况（可选）", help_text="说明已采取的整改措施，可先上传佐证附件")


class CloseForm(StepForm):
    step, main = "close", "text"
    text = _text("核实意见（可选）", rows=2)


class ReturnForm(StepForm):
    step, main, text_field = "return", "opinion", "opinion"
    opinion = _text("退回意见", help_text="说明未整改到位之处")


class ReassignForm(StepForm):
    step, main = "reassign", "assignee"
    assignee = forms.TypedChoiceField(
        label="新的承办人",
        coerce=int,
        error_messages={
            "required": "请选择新的承办人",
            "invalid_choice": "请从列表中选择新的承办人",
        },
    )
    text = _text("改派说明（可选）", rows=2)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "请选择…"), *choices]


class ExplainForm(StepForm):
    step, main, text_field = "explain", "reason", "reason"
    kind = forms.ChoiceField(
        label="申请类别",
        choices=[("", "请选择…"), *ExplanationKind.choices],
        error_messages={
            "required": "请选择申请类别",
            "invalid_choice": "请选择申请类别：申请豁免或申请延期",
        },
    )
    requested_due = forms.DateField(
        label="申请延期至",
        required=False,
        help_text="申请延期时填写，须晚于当前整改期限；申请豁免不填",
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "请填写有效的日期，如 2026-06-30"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = _text("情况说明", help_text="说明申请豁免或延期的理由", rows=4)


class DecideForm(StepForm):
    step, main, text_field = "decide", "opinion", "opinion"
    explanation = forms.IntegerField(widget=forms.HiddenInput)
    # The button pressed: 批准 or 不予批准.
    decision = forms.ChoiceField(
        choices=list(DECISIONS.items()),
        widget=forms.HiddenInput,
        error_messages={
            "required": "请选择批准或不予批准",
            "invalid_choice": "请选择批准或不予批准",
        },
    )
    opinion = _text("审批意见", rows=2)


FORMS: dict[str, type[StepForm]] = {
    form.step: form
    for form in (
        StartForm,
        NoteForm,
        AttachForm,
        MarkFixedForm,
        CloseForm,
        ReturnForm,
        ReassignForm,
        ExplainForm,
        DecideForm,
    )
}
