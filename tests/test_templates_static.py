"""What no template may write (a static reading of every template of the project)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "dangjian"


def test_no_template_prints_a_pager_as_a_value():
    """A pager (`web.lists.page_links`) is a dict: printed with {{ pager }} it shows as
    its repr; it is drawn by web/_list/_pager.html."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.html")
        if "{{ pager }}" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
