"""Online backup and restore of the embedded SQLite database (SQLite's own backup API: a
consistent copy while the system runs). PostgreSQL is backed up with its own tools
(docs/deployment.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.db import connection

from dangjian.core.models import DataVersion
from dangjian.core.version import data_version


class BackupError(Exception):
    pass


def _require_sqlite() -> None:
    if connection.vendor != "sqlite":
        raise BackupError(
            "当前数据库是 PostgreSQL：请使用 pg_dump / pg_restore 备份与恢复（见 docs/deployment.md）"
        )


def backup(target: Path) -> int:
    """Copy the live database to `target`; returns the number of pages copied."""
    _require_sqlite()
    if target.exists():
        raise BackupError(f"备份文件「{target}」已存在，请换一个文件名")
    target.parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    source = connection.connection
    assert source is not None
    with sqlite3.connect(target) as out:
        source.backup(out)
        pages = out.execute("PRAGMA page_count").fetchone()[0]
    out.close()
    return int(pages)


def restore(source: Path) -> None:
    """Replace the live database by the backup `source` (checked first)."""
    _require_sqlite()
    if not source.exists():
        raise BackupError(f"备份文件「{source}」不存在")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db:
            if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("备份文件已损坏（完整性检查未通过）")
            tables = {
                r[0] for r in backup_db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "django_migrations" not in tables or "orgs_socialorganization" not in tables:
                raise BackupError("这不是本系统的数据库备份")
            connection.ensure_connection()
            live = connection.connection
            assert live is not None
            # an uninitialised database (restored into) has no version yet
            initialised = DataVersion._meta.db_table in connection.introspection.table_names()
            version = data_version() if initialised else 0
            backup_db.backup(live)
        backup_db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"无法读取备份文件：{exc}") from None
    # Past the live database's version, never back to the backup's: a number the live data
    # had since may be cached (dashboards) for data the restored one does not hold.
    DataVersion.objects.update_or_create(pk=1, defaults={"value": version + 1})
