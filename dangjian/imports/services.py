"""The state changes of an upload on the import pages (`PendingUpload`): stored, queued,
confirmed, retried, discarded, failed. Each is one conditional update — it happens only
from the state it starts from, so a second click, or a task that finished meanwhile, changes
nothing — and says whether it happened. The import itself is `imports.service.import_file`;
the background tasks that run it are `imports.tasks`."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.imports import tasks
from dangjian.imports.models import BUSY, QUEUED, PendingUpload, UploadState

logger = logging.getLogger(__name__)

NOT_QUEUED = "无法启动后台任务，请稍后重试或联系系统管理员。"
# The states an upload may be discarded from: not while a task runs it, not once imported.
DISCARDABLE = (UploadState.CHECK_QUEUED, UploadState.CHECKED, UploadState.FAILED)


def upload_create(*, user: User, kind: str, file: Any) -> PendingUpload:
    """Keep the uploaded `file` under VAR_DIR/uploads until it is imported or discarded,
    and queue its check."""
    name = Path(file.name).name[:200]
    upload = PendingUpload(user=user, kind=kind, file_name=name, size=file.size or 0)
    upload.folder = secrets.token_hex(16)
    upload.path.mkdir(parents=True, exist_ok=True)
    with upload.data_path.open("wb") as fh:
        for chunk in file.chunks():
            fh.write(chunk)
    upload.save()
    upload_enqueue(upload=upload, task=tasks.check_upload)
    return upload


def upload_enqueue(*, upload: PendingUpload, task: Any) -> bool:
    """Queue `task` (`tasks.check_upload` or `tasks.import_upload`) for the upload and
    remember its id; a queue that refuses it fails the upload, if it still waits."""
    try:
        result = task.enqueue(upload.pk)
    except Exception:
        logger.exception("upload %s: could not queue %s", upload.pk, task.name)
        PendingUpload.objects.filter(pk=upload.pk, state__in=QUEUED).update(
            state=UploadState.FAILED, message=NOT_QUEUED
        )
        return False
    PendingUpload.objects.filter(pk=upload.pk).update(task_id=str(result.id)[:64])
    return True


def upload_confirm(*, upload: PendingUpload, skip_invalid: bool) -> bool:
    """Checked → waiting to be imported (skipping the invalid rows or not), and queue the
    import. Not twice: a second click finds the upload already queued."""
    moved = PendingUpload.objects.filter(pk=upload.pk, state=UploadState.CHECKED).update(
        state=UploadState.IMPORT_QUEUED,
        skip_invalid=skip_invalid,
        task_id="",  # until the new task is queued: the check's task is not this one
        started_at=timezone.now(),
        finished_at=None,
        message="",
    )
    if moved:
        upload.refresh_from_db()
        upload.clear_progress()
        upload_enqueue(upload=upload, task=tasks.import_upload)
    return bool(moved)


def upload_retry(*, upload: PendingUpload) -> bool:
    """Failed → waiting to be checked again (its file is still there), and queue the check."""
    if not upload.data_path.is_file():
        return False
    moved = PendingUpload.objects.filter(pk=upload.pk, state=UploadState.FAILED).update(
        state=UploadState.CHECK_QUEUED, started_at=timezone.now(), message="", task_id=""
    )
    if moved:
        upload.refresh_from_db()
        upload.clear_progress()
        upload_enqueue(upload=upload, task=tasks.check_upload)
    return bool(moved)


def upload_discard(*, upload: PendingUpload) -> bool:
    """Give up an upload that was not imported (nor is being): its file is deleted."""
    moved = PendingUpload.objects.filter(Q(state__in=DISCARDABLE), pk=upload.pk).update(
        state=UploadState.DISCARDED
    )
    if moved:
        upload.remove_folder()
    return bool(moved)


def upload_reconcile(*, upload: PendingUpload) -> bool:
    """A task the worker gave up on (it crashed, or was stopped) leaves the upload busy:
    busy → failed, with the message of a crash, instead of a progress bar that never moves.
    The import's transaction was rolled back, so nothing was written and the user can try
    again. `upload` is read again when its state changed."""
    if upload.state not in BUSY or not upload.task_id:
        return False
    from django.tasks import TaskResultStatus, default_task_backend

    if not default_task_backend.supports_get_result:
        return False
    try:
        result = default_task_backend.get_result(upload.task_id)
    except Exception:
        return False
    if result.status not in (TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL):
        return False
    upload.refresh_from_db()
    if upload.state not in BUSY:
        return False
    moved = PendingUpload.objects.filter(pk=upload.pk, state=upload.state).update(
        state=UploadState.FAILED, message=tasks.CRASHED, finished_at=timezone.now()
    )
    upload.refresh_from_db()
    return bool(moved)
