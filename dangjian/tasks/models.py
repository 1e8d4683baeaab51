"""Tasks (待办): what someone must do about a finding, its state, who does it, its notes,
evidence and requests (情况说明), and every step taken (docs/tasks.md).

A task follows one finding's identity (rule, subject, occurrence): it is opened when the
finding first appears, closes itself (已整改) when the rule stops finding it, reopens when
it comes back; an officer's 销号 closes it for good — the same finding coming back later is a
new task.

`TaskEvent` (the steps) and `Attachment` (the evidence) are append-only: their rows are the
history, so they keep no history table of their own. `Task` and `Explanation`, which change,
keep one (django-simple-history).
"""

from __future__ import annotations

import secrets
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dangjian.lib.history import HistoricalRecords
from dangjian.tasks.files import MAX_BYTES, AttachmentKind


class TaskState(models.TextChoices):
    PENDING = "pending", "待处理"
    WORKING = "working", "整改中"
    FIXED_PENDING_CHECK = "fixed_pending_check", "已整改待核实"
    CLOSED = "closed", "已销号"
    # Closed by itself: the rule no longer finds it. Reopens if the finding comes back.
    FIXED = "fixed", "已整改"


# The states in which the work is not done yet (a rule that stops firing closes them).
OPEN_STATES = (TaskState.PENDING, TaskState.WORKING, TaskState.FIXED_PENDING_CHECK)
# Not closed for good: at most one such task per finding identity.
LIVE_STATES = (*OPEN_STATES, TaskState.FIXED)
# Overdue when past its due date in one of these: the assignee has not reported it fixed.
OVERDUE_STATES = (TaskState.PENDING, TaskState.WORKING)


class Task(models.Model):
    # The finding's identity (FindingRecord's): the task follows it from one open period of
    # the finding to the next.
    rule = models.CharField("规则", max_length=32)
    subject_type = models.CharField("对象类型", max_length=16)
    subject_pk = models.BigIntegerField("对象内部编号")
    occurrence = models.CharField("发生期间或记录", max_length=64, blank=True, default="")
    finding = models.ForeignKey(
        "compliance.FindingRecord",
        verbose_name="问题记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    state = models.CharField(
        "状态", max_length=24, choices=TaskState.choices, default=TaskState.PENDING
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    # A unit subject's task belongs to every user of the unit.
    assigned_unit = models.ForeignKey(
        "areas.Unit",
        verbose_name="承办单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    due = models.DateField("整改期限", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        ordering = ["pk"]
        indexes = [
            # Following findings looks tasks up by their subjects' keys (services._live_tasks).
            models.Index(fields=["subject_pk", "subject_type", "rule", "occurrence"]),
            models.Index(fields=["state", "due"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_pk", "occurrence"],
                condition=~Q(state="closed"),
                name="one_live_task_per_finding",
                violation_error_message="同一问题已有未销号的待办",
            ),
            models.CheckConstraint(
                condition=Q(state__in=TaskState.values),
                name="task_state_known",
                violation_error_message="待办状态不在可选范围内",
            ),
        ]

    def __str__(self) -> str:
        finding = self.finding
        name = finding.subject_name if finding is not None else f"{self.subject_pk}"
        return f"{self.rule} {name}（{self.get_state_display()}）"

    @property
    def identity(self) -> tuple[str, str, int, str]:
        return (self.rule, self.subject_type, self.subject_pk, self.occurrence)

    def is_overdue(self, on: Any) -> bool:
        return self.due is not None and self.due < on and self.state in OVERDUE_STATES


class TaskAction(models.TextChoices):
    CREATE = "create", "生成待办"
    START = "start", "开始整改"
    NOTE = "note", "添加备注"
    ATTACH = "attach", "上传附件"
    MARK_FIXED = "mark_fixed", "报告已整改"
    CLOSE = "close", "销号"
    RETURN = "return", "退回整改"
    REASSIGN = "reassign", "改派"
    EXPLAIN = "explain", "提交情况说明"
    APPROVE = "approve", "批准情况说明"
    REFUSE = "refuse", "不予批准情况说明"
    AUTO_FIX = "auto_fix", "自动关闭"
    REOPEN = "reopen", "重新打开"


class ExplanationKind(models.TextChoices):
    EXEMPTION = "exemption", "申请豁免"
    EXTENSION = "extension", "申请延期"


class ExplanationState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class Explanation(models.Model):
    """A 情况说明: the secretary asks for an exemption or a later due date; an officer
    over the subject approves or refuses it, with an opinion."""

    task = models.ForeignKey(
        Task, verbose_name="待办", on_delete=models.CASCADE, related_name="explanations"
    )
    kind = models.CharField("申请类别", max_length=16, choices=ExplanationKind.choices)
    requested_due = models.DateField("申请延期至", null=True, blank=True)
    reason = models.TextField("情况说明")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.PROTECT,
        related_name="explanations_filed",
    )
    filed_at = models.DateTimeField("提交时间", default=timezone.now)
    state = models.CharField(
        "审批状态",
        max_length=16,
        choices=ExplanationState.choices,
        default=ExplanationState.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="explanations_decided",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    opinion = models.TextField("审批意见", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "情况说明"
        verbose_name_plural = "情况说明"
        ordering = ["filed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state="pending"),
                name="one_pending_explanation_per_task",
                violation_error_message="该待办已有一份待审批的情况说明",
            ),
            models.CheckConstraint(
                condition=Q(kind="extension", requested_due__isnull=False)
                | Q(kind="exemption", requested_due__isnull=True),
                name="explanation_extension_dated",
                violation_error_message="申请延期须填写延期日期；申请豁免不填写延期日期",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (
                    Q(state__in=["approved", "refused"])
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="explanation_decision_recorded",
                violation_error_message="已审批的情况说明须记录审批人和审批时间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_state_display()}）"


def attachment_path(instance: Attachment, filename: str) -> str:
    """tasks/<task>/<random><extension of what the file is>: the name the user gave is kept
    in `original_name`, never in the storage, so that no path can be guessed or injected."""
    return f"tasks/{instance.task_id}/{secrets.token_hex(16)}{PurePath(filename).suffix}"


class Attachment(models.Model):
    task = models.ForeignKey(
        Task, verbose_name="待办", on_delete=models.CASCADE, related_name="attachments"
    )
    # Under `tasks/` of the default storage (settings.MEDIA_ROOT, in VAR_DIR): no URL serves
    # it; a page hands it out after `selectors.attachment_get` (the jurisdiction gate).
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    kind = models.CharField("文件类型", max_length=8, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="task_attachments",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "待办附件"
        verbose_name_plural = "待办附件"
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0, size__lte=MAX_BYTES),
                name="attachment_size_limit",
                violation_error_message="附件大小须大于0且不超过10 MB",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AttachmentKind.values),
                name="attachment_kind_known",
                violation_error_message="附件类型须为PDF、JPG、PNG、DOCX或XLSX",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class TaskEvent(models.Model):
    """One step of a task: who (None: the system), when, what."""

    task = models.ForeignKey(
        Task, verbose_name="待办", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_events",
    )
    action = models.CharField("操作", max_length=16, choices=TaskAction.choices)
    from_state = models.CharField("原状态", max_length=24, choices=TaskState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=24, choices=TaskState.choices, blank=True)
    text = models.TextField("内容", blank=True)
    # The day of the check whose result made the system take this step.
    as_of = models.DateField("检查日期", null=True, blank=True)
    attachment = models.ForeignKey(
        Attachment,
        verbose_name="附件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    explanation = models.ForeignKey(
        Explanation,
        verbose_name="情况说明",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )

    class Meta:
        verbose_name = "待办处理记录"
        verbose_name_plural = "待办处理记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    @property
    def by(self) -> str:
        """Who took the step, in words."""
        return user_label(self.user) if self.user is not None else "系统"


def user_label(user: Any) -> str:
    """A user as steps and messages name them: the full name in Chinese order, else the
    account name."""
    if user is None:
        return "（无）"
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.username


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "指派给你"
    DUE_SOON = "due_soon", "7天内到期"
    EXPLANATION_DECIDED = "explanation_decided", "情况说明已审批"
    RETURNED = "returned", "退回整改"
    MEETING_SUBMITTED = "meeting_submitted", "会议记录待审核"
    MEETING_RETURNED = "meeting_returned", "会议记录被退回"
    MEETING_APPROVED = "meeting_approved", "会议记录已审核"


MEETING_KINDS = (
    NotificationKind.MEETING_SUBMITTED,
    NotificationKind.MEETING_RETURNED,
    NotificationKind.MEETING_APPROVED,
)


class Notification(models.Model):
    """Something a user should know about a task (督办): assigned to them, due within 7
    days, their 情况说明 decided, returned to them; or about a meeting record's review
    (组织生活, `dangjian.life.services`): submitted to them, returned to or approved for its
    Party organization. Shown in the notification centre (`/notifications/`, the bell of
    the top bar) and, where mail is set up, in the daily digest (`digest.py`). A
    notification is about exactly one task or one meeting."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类别", max_length=24, choices=NotificationKind.choices)
    task = models.ForeignKey(
        Task,
        verbose_name="待办",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    meeting = models.ForeignKey(
        "life.Meeting",
        verbose_name="会议记录",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.TextField("内容")
    # The due date a 7天内到期 reminder is about: one reminder per task and due date.
    due = models.DateField("整改期限", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "task", "due"],
                condition=Q(kind="due_soon"),
                name="one_due_soon_notification",
                violation_error_message="同一待办同一整改期限只提醒一次",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="notification_kind_known",
                violation_error_message="通知类别不在可选范围内",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=MEETING_KINDS, task__isnull=True, meeting__isnull=False)
                    | (~Q(kind__in=MEETING_KINDS) & Q(task__isnull=False, meeting__isnull=True))
                ),
                name="notification_about_one_thing",
                violation_error_message="通知须关于一项待办或一条会议记录",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text}"
