"""数据导入: choose the kind, upload, see the check (a dry run), confirm, watch the import run
in the background, see the result and its batch number.

Only the area officers (city, district, township) and the system operator may import; the
import runs as the user who uploaded, so their jurisdiction applies inside the service.
Every upload belongs to its user: another user's upload answers 404. A finished import
has its page (`batch`), from which it can be undone as a whole (`imports/undo.py`): by its
importer, the operator, or an officer whose jurisdiction holds everything it wrote; for
anyone else the batch answers 404.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.models import Role
from dangjian.imports import selectors, services, undo
from dangjian.imports.export import write_template
from dangjian.imports.models import BUSY, QUEUED, ImportBatch, PendingUpload, UploadState
from dangjian.imports.registry import KINDS
from dangjian.imports.selectors import may_import
from dangjian.imports.writers import writable_kinds
from dangjian.web.frame import crumbs
from dangjian.web.tables import XLSX

MAX_UPLOAD = 200 * 1024 * 1024  # as the API
ALLOWED_SUFFIXES = (".csv", ".xlsx")
ERRORS_PER_PAGE = 50
CHANGES_PER_PAGE = 50
# A task still waiting after this long: say that the background worker may not be running.
QUEUE_PATIENCE_SECONDS = 20
ORDER = " → ".join(kind.label for kind in KINDS.values())
# Where each state is in the steps the pages show: upload, check, confirm, done.
STEP = {
    UploadState.CHECK_QUEUED: 2,
    UploadState.CHECKING: 2,
    UploadState.CHECKED: 3,
    UploadState.IMPORT_QUEUED: 3,
    UploadState.IMPORTING: 3,
    UploadState.IMPORTED: 4,
    UploadState.FAILED: 2,
    UploadState.DISCARDED: 1,
}
KIND_HINTS = {
    "orgs": "先导入：其他类别都要引用社会组织",
    "party-orgs": "覆盖社会组织须已导入",
    "people": "工作单位须已导入；组织关系所在党组织须已导入",
    "committees": "党组织与人员须已导入",
    "instructors": "派驻的社会组织须已导入",
}


# --- who may import --------------------------------------------------------------------


def forbidden(request: HttpRequest) -> HttpResponse:
    context = {"title": "无权导入数据", "breadcrumbs": crumbs(("数据导入", None))}
    return render(request, "imports/forbidden.html", context, status=403)


def importer_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_import(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapped


def own_upload(request: HttpRequest, pk: int) -> PendingUpload:
    return selectors.access_upload(user=request.user, pk=pk)  # type: ignore[arg-type]


def own_post(request: HttpRequest, pk: int) -> PendingUpload | None:
    """The user's upload for an action (None if the request is not a POST). Whose it is
    is checked first: another user's upload answers 404 whatever the method."""
    pending = own_upload(request, pk)
    return pending if request.method == "POST" else None


# --- the upload form ---------------------------------------------------------------------


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="导入类别",
        choices=[("", "请选择…")] + [(name, kind.label) for name, kind in KINDS.items()],
        error_messages={"required": "请选择导入类别", "invalid_choice": "请选择导入类别"},
    )
    file = forms.FileField(
        label="文件",
        help_text="CSV（UTF-8 或 GB18030 编码）或 Excel（.xlsx）文件，不超过200MB",
        error_messages={
            "required": "请选择要上传的文件",
            "empty": "文件是空的：请检查后重新选择",
            "invalid": "没有收到文件：请重新选择",
        },
    )

    def __init__(self, *args: Any, kinds: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:  # the kinds the user may write (the registry: three)
            field = self.fields["kind"]
            field.choices = [c for c in field.choices if c[0] == "" or c[0] in kinds]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = Path(upload.name or "").name
        if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                "只能导入 .csv 或 .xlsx 文件；旧版 Excel（.xls）请先在 Excel 中另存为 .xlsx"
            )
        if upload.size is not None and upload.size > MAX_UPLOAD:
            size = upload.size / 1024 / 1024
            raise forms.ValidationError(
                f"文件太大（{size:.0f}MB），不能超过200MB：请分成几个文件分别导入"
            )
        return upload


# --- pages -------------------------------------------------------------------------------


@importer_required
def index(request: HttpRequest) -> HttpResponse:
    form = UploadForm(initial={"kind": request.GET.get("kind", "")}, kinds=_offered(request.user))
    return _index(request, form)


def _offered(user: Any) -> tuple[str, ...] | None:
    """The kinds the import page offers: all of them to the area officers and the operator
    (each import refuses what its rows may not write), only its own to the registry."""
    return writable_kinds(user) if getattr(user, "role", "") == Role.REGISTRY else None


def _index(request: HttpRequest, form: UploadForm) -> HttpResponse:
    user: Any = request.user
    offered = _offered(user)
    kinds = [
        {
            "name": name,
            "label": kind.label,
            "step": step,
            "hint": KIND_HINTS.get(name, ""),
            "required": [c.label for c in kind.columns if c.required],
        }
        for step, (name, kind) in enumerate(KINDS.items(), start=1)
        if offered is None or name in offered
    ]
    pending = selectors.open_uploads(user=user)
    batches = selectors.finished_imports(user=user)
    labels = {name: kind.label for name, kind in KINDS.items()}
    for up in pending:
        up.kind_label = labels.get(up.kind, up.kind)  # type: ignore[attr-defined]
    pages = selectors.upload_of_batch(user=user, batches=batches)
    for batch in batches:
        batch.kind_label = labels.get(batch.kind, batch.kind)  # type: ignore[attr-defined]
        batch.upload_pk = pages.get(batch.pk)  # type: ignore[attr-defined]
    context = {
        "title": "数据导入",
        "breadcrumbs": crumbs(("数据导入", None)),
        "form": form,
        "kinds": kinds,
        "order": ORDER,
        "pending": pending,
        "batches": batches,
        "max_mb": MAX_UPLOAD // 1024 // 1024,
    }
    return render(request, "imports/index.html", context)


@importer_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, kinds=_offered(request.user))
    if not form.is_valid():
        return _index(request, form)
    pending = services.upload_create(
        user=request.user,  # type: ignore[arg-type]
        kind=form.cleaned_data["kind"],
        file=form.cleaned_data["file"],
    )
    return redirect("web:import_detail", pk=pending.pk)


@importer_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    pending = own_upload(request, pk)
    services.upload_reconcile(upload=pending)
    label = KINDS[pending.kind].label if pending.kind in KINDS else pending.kind
    context: dict[str, Any] = {
        "title": f"导入{label} · {pending.file_name}",
        "breadcrumbs": crumbs(("数据导入", reverse("web:imports")), (pending.file_name, None)),
        "up": pending,
        "kind_label": label,
        "busy": pending.state in BUSY,
        "states": UploadState,
        "step": STEP[UploadState(pending.state)],
    }
    if pending.state in BUSY:
        context["progress"] = _progress(pending)
    phase = {UploadState.CHECKED: "check", UploadState.IMPORTED: "import"}.get(
        UploadState(pending.state)
    )
    if phase:
        context.update(_findings(request, pending, phase))
    names = list(KINDS)
    if pending.state == UploadState.IMPORTED and pending.kind in names[:-1]:
        following = names[names.index(pending.kind) + 1]
        context["next_kind"] = {"name": following, "label": KINDS[following].label}
    return render(request, "imports/detail.html", context)


def _findings(request: HttpRequest, pending: PendingUpload, phase: str) -> dict[str, Any]:
    """The counts, the errors (every one, by row and column, paginated, by column on
    demand), the changed fields of the updated records and the warnings of a run."""
    data = pending.result(phase)
    counts = pending.check_summary if phase == "check" else pending.import_summary
    # In the order of the file (the service finds some errors as it reads a row, others
    # when it checks a batch of rows against the database).
    errors = sorted(data.get("errors", []), key=lambda e: e["row"])
    by_column = Counter(e["column"] or "（整行）" for e in errors)
    column = request.GET.get("column", "")
    shown = [e for e in errors if (e["column"] or "（整行）") == column] if column else errors
    errors_page = Paginator(shown, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    changes = data.get("changes", [])
    changes_page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("cpage"))
    errors_keep, errors_pairs = _query_without(request, "page")
    changes_keep, changes_pairs = _query_without(request, "cpage")
    valid = counts.get("valid", 0)
    return {
        "phase": phase,
        "counts": counts,
        "errors_page": errors_page,
        "errors_kept": len(errors),
        "by_column": by_column.most_common(),
        "column": column,
        "changes_page": changes_page,
        "changes_kept": len(changes),
        "warnings": data.get("warnings", [])[:500],
        "notes": counts.get("notes", []),
        "errors_keep": errors_keep,
        "errors_pairs": errors_pairs,
        "changes_keep": changes_keep,
        "changes_pairs": changes_pairs,
        "errors_file": pending.has_errors_file(phase),
        # Skipping rows helps only when some rows are valid and the file itself is readable.
        "can_skip": bool(counts.get("errors")) and valid > 0 and not counts.get("file_errors"),
        "writes": counts.get("created", 0) + counts.get("updated", 0),
    }


def _query_without(request: HttpRequest, name: str) -> tuple[str, list[tuple[str, str]]]:
    """The query string without `name`, as a string (for links) and as pairs (for the
    hidden fields of a form that sets it)."""
    params = request.GET.copy()
    params.pop(name, None)
    pairs = [(key, value) for key in params for value in params.getlist(key)]
    return params.urlencode(), pairs


def _progress(pending: PendingUpload) -> dict[str, Any]:
    # The bar of the step before (a check's 100%) is not this step's.
    progress = pending.progress() if pending.state not in QUEUED else pending.no_progress()
    since = pending.started_at or pending.created_at
    elapsed = int((timezone.now() - since).total_seconds()) if since else 0
    progress["elapsed"] = elapsed
    progress["waiting"] = pending.state in QUEUED
    progress["stalled"] = progress["waiting"] and elapsed > QUEUE_PATIENCE_SECONDS
    progress["label"] = {
        UploadState.CHECK_QUEUED: "等待检查",
        UploadState.CHECKING: "正在检查文件（不会写入数据）",
        UploadState.IMPORT_QUEUED: "等待导入",
        UploadState.IMPORTING: "正在导入",
    }.get(UploadState(pending.state), pending.get_state_display())
    return progress


@importer_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by the page every second (HTMX); when the run is over, the
    page is reloaded to show what it found."""
    pending = own_upload(request, pk)
    services.upload_reconcile(upload=pending)
    busy = pending.state in BUSY
    context = {"up": pending, "busy": busy, "progress": _progress(pending) if busy else None}
    response = render(request, "imports/_progress.html", context)
    if not busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    response["Cache-Control"] = "no-store"
    return response


@importer_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    pending = own_post(request, pk)
    if pending is None:
        return HttpResponseNotAllowed(["POST"])
    skip = request.POST.get("skip_invalid") == "1"
    counts = pending.check_summary
    if counts.get("errors") and not skip:
        # All-or-nothing would write nothing: the page offers only the explicit second choice.
        return redirect("web:import_detail", pk=pk)
    services.upload_confirm(upload=pending, skip_invalid=skip)
    return redirect("web:import_detail", pk=pk)


@importer_required
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Check a failed upload again (its file is still there)."""
    pending = own_post(request, pk)
    if pending is None:
        return HttpResponseNotAllowed(["POST"])
    services.upload_retry(upload=pending)
    return redirect("web:import_detail", pk=pk)


@importer_required
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Give up an upload that was not imported: its file is deleted."""
    pending = own_post(request, pk)
    if pending is None:
        return HttpResponseNotAllowed(["POST"])
    services.upload_discard(upload=pending)
    return redirect("web:imports")


@importer_required
def errors_file(request: HttpRequest, pk: int, phase: str) -> FileResponse:
    """The rejected rows, with their row numbers and reasons, to fix and upload again."""
    pending = own_upload(request, pk)
    if phase not in ("check", "import") or not pending.has_errors_file(phase):
        raise Http404
    stem = Path(pending.file_name).stem
    return FileResponse(
        pending.errors_path(phase).open("rb"),
        content_type="text/csv; charset=utf-8",
        as_attachment=True,
        filename=f"{stem}-错误行.csv",
    )


@importer_required
def template_file(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """An empty file to fill in: the columns, a hint row, drop-down lists in Excel."""
    if kind not in KINDS or fmt not in ("xlsx", "csv"):
        raise Http404
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"template.{fmt}"
        write_template(kind, path)
        body = path.read_bytes()
    content_type = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    filename = f"{KINDS[kind].label}导入模板.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- a finished import, and its undo ------------------------------------------------------


def _batch_page(
    request: HttpRequest, batch: ImportBatch, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    user: Any = request.user
    label = KINDS[batch.kind].label if batch.kind in KINDS else batch.kind
    upload_pk = selectors.upload_of_batch(user=user, batches=[batch]).get(batch.pk)
    context = {
        "title": f"导入#{batch.pk} · {batch.file_name}",
        "breadcrumbs": crumbs(("数据导入", reverse("web:imports")), (f"导入#{batch.pk}", None)),
        "batch": batch,
        "kind_label": label,
        "upload_pk": upload_pk,
        "confirming": request.method == "GET" and request.GET.get("undo") == "1",
        "can_undo": batch.finished_at is not None and batch.undone_at is None,
        "refusal": refusal,
    }
    return render(request, "imports/batch.html", context, status=status)


def writer_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Anyone who writes some kind (a form's save is a batch of its own: its writer may
    open and undo it); whose batch it is, `undo.access_batch` decides (404 otherwise)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not writable_kinds(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapped


@writer_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """What an import did — kind, file, who, when, the counts — and its undo."""
    found = undo.access_batch(user=request.user, pk=pk)  # type: ignore[arg-type]
    return _batch_page(request, found)


@writer_required
def batch_undo(request: HttpRequest, pk: int) -> HttpResponse:
    found = undo.access_batch(user=request.user, pk=pk)  # type: ignore[arg-type]
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        done = undo.batch_undo(user=request.user, batch=found)  # type: ignore[arg-type]
    except undo.BatchUndoRefused as refused:
        found.refresh_from_db()
        return _batch_page(request, found, refusal=refused.message, status=409)
    messages.success(
        request,
        f"已撤销导入#{found.pk}：删除 {done.deleted} 条新增的记录，"
        f"恢复 {done.restored + done.recreated} 条记录到导入之前的状态。",
    )
    return redirect("web:import_batch", pk=pk)
