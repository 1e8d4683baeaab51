"""Background tasks of the import pages (Django's tasks framework; the database backend's
worker `dangjian db_worker` runs them, `make run` starts it).

An uploaded file is checked (a dry run) and, once the user confirms, imported — each as one
task, run as the user who uploaded it so that their jurisdiction applies inside the import
service. A task only runs from the state its page queued it in, so a task that is run twice,
or after the upload was discarded, does nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.tasks import task
from django.utils import timezone

from dangjian.imports.models import PendingUpload, UploadState
from dangjian.imports.service import ImportResult, import_file

logger = logging.getLogger(__name__)

CHECK, IMPORT = "check", "import"
# A stable message for the page; the details go to the log and the task's result.
CRASHED = "处理过程中出现系统错误，未写入任何数据。请重试；如仍出错，请联系系统管理员。"
REFUSED_AT_IMPORT = (
    "确认导入时发现了错误（数据可能在检查之后有变化），本次未写入任何数据。"
    "请查看下面的错误，修改后重新上传，或选择跳过错误行导入。"
)


@task
def check_upload(upload_id: int) -> None:
    """The dry run: what the import would create, update and reject."""
    _run(upload_id, CHECK)


@task
def import_upload(upload_id: int) -> None:
    """The real import, all-or-nothing unless the user chose to skip the invalid rows."""
    _run(upload_id, IMPORT)


def summary(result: ImportResult) -> dict[str, Any]:
    """The counts a page shows without reading the whole result."""
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "errors": result.error_count,
        "warnings": len(result.warnings),
        "changes": len(result.changes),
        # Errors of the file or its header row: nothing can be imported, not even by skipping.
        "file_errors": sum(1 for e in result.errors if e.row <= 1),
        "valid": result.created + result.updated + result.unchanged,
        "batch": result.batch_id,
        "notes": list(result.notes),
    }


def _run(upload_id: int, phase: str) -> None:
    queued, running = (
        (UploadState.CHECK_QUEUED, UploadState.CHECKING)
        if phase == CHECK
        else (UploadState.IMPORT_QUEUED, UploadState.IMPORTING)
    )
    claimed = PendingUpload.objects.filter(pk=upload_id, state=queued).update(
        state=running, started_at=timezone.now(), finished_at=None
    )
    if not claimed:
        logger.info("upload %s is no longer %s: nothing to do", upload_id, queued)
        return
    upload = PendingUpload.objects.select_related("user").get(pk=upload_id)
    upload.clear_progress()
    upload.errors_path(phase).unlink(missing_ok=True)
    try:
        result = import_file(
            upload.kind,
            upload.data_path,
            user=upload.user,
            file_name=upload.file_name,
            dry_run=phase == CHECK,
            skip_invalid=phase == IMPORT and upload.skip_invalid,
            errors_path=upload.errors_path(phase),
            progress=upload.write_progress,
        )
    except Exception:
        logger.exception("upload %s: the %s failed", upload_id, phase)
        PendingUpload.objects.filter(pk=upload_id, state=running).update(
            state=UploadState.FAILED, finished_at=timezone.now(), message=CRASHED
        )
        raise
    data = result.as_dict()
    data["error_count"] = result.error_count
    data["notes"] = list(result.notes)
    counts = summary(result)
    upload.write_result(phase, data)
    fields: dict[str, Any] = {"finished_at": timezone.now()}
    if phase == CHECK:
        fields.update(state=UploadState.CHECKED, check_summary=counts, message="")
    elif result.written:
        fields.update(
            state=UploadState.IMPORTED, import_summary=counts, batch_id=result.batch_id, message=""
        )
    else:
        # Nothing was written: what this run found becomes the check the page shows, and the
        # file stays for the user to fix or to import skipping the invalid rows.
        upload.write_result(CHECK, data)
        if upload.errors_path(IMPORT).exists():
            upload.errors_path(IMPORT).replace(upload.errors_path(CHECK))
        fields.update(state=UploadState.CHECKED, check_summary=counts, message=REFUSED_AT_IMPORT)
    updated = PendingUpload.objects.filter(pk=upload_id, state=running).update(**fields)
    if updated and fields["state"] == UploadState.IMPORTED:
        upload.remove_data()  # imported: the records hold the data now
