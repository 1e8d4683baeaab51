"""No import circle among the modules of `dangjian/` (issue 13): each one imports on its own.

A fresh interpreter sets Django up once (settings, apps, models, admin: what every process
has), then forks one child per module, which imports just that module first; a circle shows
as "partially initialized module". Forking in a separate interpreter, not in pytest's, keeps
the children free of the test run's threads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dangjian"

CHILDREN = r"""
import importlib, os, sys, traceback
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
import django
django.setup()
failed = 0
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            print(f"{name}: {traceback.format_exc().strip().splitlines()[-1]}", flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    failed += status != 0
sys.exit(1 if failed else 0)
"""


def modules() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_every_module_imports_on_its_own():
    names = modules()
    assert "dangjian.orgs.api" in names and len(names) > 100
    run = subprocess.run(
        [sys.executable, "-c", CHILDREN, *names],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
