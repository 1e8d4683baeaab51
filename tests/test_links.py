"""Numbers lead to rows (UX.md, issue 12 item 13): every figure of a dashboard or a report is
a link to a filtered list that shows exactly that many rows — for every demo role.

The demo city is generated at a small scale into the test database, its findings recorded;
then, as each demo user, the dashboard and both reports are opened, every count shown in a
table cell or a key figure is collected (it must be a link of its own), each link is
followed as the same user, and the list's count (`data-count`) must equal the figure."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from dangjian import demo
from dangjian.accounts.models import User
from dangjian.compliance.engine import evaluate, record

TODAY = demo.DEMO_TODAY
SCALE = "300"
ROLES = [
    "city_admin",
    "furong_admin",
    "wenyilu_cadre",
    "furong_registry",
    "supervisor_edu",
    "org_secretary",
    "instructor",
]
PAGES = [
    f"/?as_of={TODAY}",
    f"/reports/coverage/?as_of={TODAY}",
    f"/reports/org-building/?as_of={TODAY}",
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# A whole number standing alone: not part of a date, a rate, a code or a word.
NUMBER = re.compile(r"(?<![\w.\-:/])\d+(?![\w.\-:%])")
COUNT = re.compile(r'data-count="(\d+)"')


@dataclass
class Figure:
    value: int
    href: str | None
    anchor: int | None  # which <a> of the page holds it
    cell: int  # which table cell or key figure shows it


class Figures(HTMLParser):
    """The whole numbers shown in the table cells and key figures of <main>, each with the
    link around it. A cell marked `data-not-count`, or holding an element so marked (a
    rank, a sum of a field), is left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.anchors = 0
        self.cells = 0
        self.exempt: set[int] = set()
        self.found: list[Figure] = []

    def _cell(self) -> int | None:
        for _t, a in reversed(self.stack):
            if "_cell" in a:
                return int(a["_cell"] or 0)
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-not-count" in a and (cell := self._cell()) is not None:
            self.exempt.add(cell)
        if tag in VOID:
            return
        if tag == "a":
            self.anchors += 1
            a["_n"] = str(self.anchors)
        if tag == "td" or "value" in (a.get("class") or "").split():
            self.cells += 1
            a["_cell"] = str(self.cells)
        self.stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        tags = [t for t, _a in self.stack]
        if "main" not in tags or "script" in tags or "option" in tags:
            return
        if any("data-not-count" in a for _t, a in self.stack):
            return
        cell = self._cell()
        if cell is None:
            return
        link = next(((a.get("href"), a["_n"]) for t, a in reversed(self.stack) if t == "a"), None)
        for match in NUMBER.finditer(data):
            self.found.append(
                Figure(
                    int(match.group()),
                    link[0] if link else None,
                    int(link[1]) if link and link[1] else None,
                    cell,
                )
            )


def as_of(href: str) -> str:
    """The date a link's list counts on (every figure is of a date)."""
    found = parse_qs(urlsplit(href).query).get("as_of")
    return found[0] if found else str(timezone.localdate())


def figures(html: str) -> list[Figure]:
    parser = Figures()
    parser.feed(html)
    return [f for f in parser.found if f.cell not in parser.exempt]


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city at a small scale with its findings recorded, rolled back afterwards."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        demo.generate(SCALE, seed=1)
        record(evaluate(as_of=TODAY))
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_figure_leads_to_exactly_the_rows_it_counts(demo_city, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    wanted: dict[str, int] = {}
    where: dict[str, str] = {}
    problems: list[str] = []
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        shown = figures(response.content.decode())
        assert shown, f"{page}: no figure found"
        per_anchor: dict[int, int] = defaultdict(int)
        for f in shown:
            if f.href is None:
                problems.append(f"{page}: {f.value} is not a link")
                continue
            assert f.anchor is not None
            per_anchor[f.anchor] += 1
            if per_anchor[f.anchor] == 2:
                problems.append(f"{page}: one link for several figures ({f.href})")
            if f.href in wanted and wanted[f.href] != f.value:
                problems.append(
                    f"{page}: {f.href} stands for {f.value} here, {wanted[f.href]} on {where[f.href]}"
                )
            wanted.setdefault(f.href, f.value)
            where.setdefault(f.href, page)
    followed = 0
    for href, value in wanted.items():
        # Only the list's region (its count and what it is filtered by), as the filter bar
        # asks for it: the same view and query as the whole page, without its frame.
        response = client.get(href, headers={"HX-Request": "true"})
        if response.status_code != 200:
            problems.append(f"{where[href]}: {href} answers {response.status_code}")
            continue
        html = response.content.decode()
        counts = COUNT.findall(html)
        if len(counts) != 1:
            problems.append(f"{where[href]}: {href} shows no count of its rows")
            continue
        followed += 1
        if int(counts[0]) != value:
            problems.append(f"{where[href]}: figure {value}, but {href} lists {counts[0]}")
        elif "data-filters" not in html or f"截至 {as_of(href)}" not in html:
            problems.append(f"{href}: the list does not say what it counts, and as of when")
    assert not problems, f"{username}: {len(problems)} problems\n" + "\n".join(problems[:60])
    assert followed == len(wanted)
