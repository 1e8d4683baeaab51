"""The demo users and their passwords: the table the command prints and the file it saves."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings


@dataclass
class DemoUser:
    username: str
    password: str
    role: str  # the role's Chinese label
    scope: str  # what the user may see
    created: bool = True


def users_file_path(database: Mapping[str, Any] | None = None) -> Path:
    """Where the demo users of `database` (default: the one in use) are saved: beside a SQLite
    file (`X.sqlite3` -> `X.demo-users.txt`), else in the var directory under a name made of
    the server, port and database name, so that a demo generated into another database never
    overwrites the passwords of this one."""
    from django.db import connection

    db = connection.settings_dict if database is None else database
    name = str(db.get("NAME") or "")
    if "sqlite" in str(db.get("ENGINE", "")):
        if name and name != ":memory:" and not name.startswith("file:"):
            file = Path(name)
            return file.with_name(f"{file.stem}.demo-users.txt")
        tag = "sqlite-memory"
    else:
        tag = "-".join(str(p) for p in (db.get("HOST") or "localhost", db.get("PORT"), name) if p)
    tag = "".join(c if c.isalnum() or c in "._-" else "_" for c in tag)
    return Path(settings.VAR_DIR) / f"demo-users.{tag}.txt"


def write_users_file(users: list[DemoUser], path: Path | None = None) -> Path:
    """The demo users and their passwords, readable by the owner only (mode 0600)."""
    path = path or users_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(users_table(users))
    os.chmod(path, 0o600)
    return path


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def users_table(users: list[DemoUser]) -> str:
    """A plain-text table that lines up in a terminal with Chinese text."""
    header = ("用户名", "密码", "角色", "管辖范围")
    rows = [header, *((u.username, u.password, u.role, u.scope) for u in users)]
    widths = [max(_width(r[i]) for r in rows) for i in range(3)]
    lines = []
    for r in rows:
        cells = [r[i] + " " * (widths[i] - _width(r[i])) for i in range(3)]
        lines.append("  ".join([*cells, r[3]]).rstrip())
    rule = "-" * (sum(widths) + 6 + max(_width(r[3]) for r in rows))
    return "\n".join([lines[0], rule, *lines[1:]]) + "\n"
