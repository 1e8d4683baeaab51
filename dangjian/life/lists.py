"""The reportable lists of organization life (POLICY 3.1, 4.2): activities by way and
area, 结对共建 pairings, 党建示范点 and 联组 with their members and joint activities — each
through the gate (the Party organizations the user sees), each exportable as .xlsx.

Set-based: one query per list (the counts grouped in the database), whatever the number of
Party organizations."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.lib import sheets
from dangjian.life.models import (
    Activity,
    ActivityKind,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Pairing,
    SiteLevel,
)

CAP = 500  # rows shown on the page; the export has them all


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    note: str = ""

    @property
    def shown(self) -> list[list[Any]]:
        return self.rows[:CAP]


def _township(row_township: str, district: str) -> str:
    return f"{district} {row_township}".strip()


def tables(gate: Jurisdiction, year: int, today: dt.date) -> list[Table]:
    party_orgs = gate.party_orgs().values("pk")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    kinds = [k.value for k in ActivityKind]
    labels = dict(ActivityKind.choices)
    # Activities of the year by way, per township.
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for district, township, kind, n in (
        Activity.objects.filter(party_org__in=party_orgs, held_on__range=(start, end))
        .order_by()
        .values_list("party_org__township__parent__name", "party_org__township__name", "kind")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault((district or "", township), {})[kind] = n
    figures = [[by.get(k, 0) for k in kinds] for by in (counts[key] for key in sorted(counts))]
    activity_rows: list[list[Any]] = [
        [_township(t, d), *numbers, sum(numbers)]
        for (d, t), numbers in zip(sorted(counts), figures, strict=True)
    ]
    if figures:
        totals = [sum(column) for column in zip(*figures, strict=True)]
        activity_rows.append(["合计", *totals, sum(totals)])
    pairing_rows = [
        [code, name, partner_name or partner or "", started, ended or "", content]
        for code, name, partner, partner_name, started, ended, content in Pairing.objects.filter(
            Q(party_org__in=party_orgs)
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start), started_on__lte=end)
        .order_by("party_org__code", "started_on")
        .values_list(
            "party_org__code",
            "party_org__name",
            "partner__name",
            "partner_name",
            "started_on",
            "ended_on",
            "content",
        )
    ]
    site_rows = [
        [
            year_,
            str(SiteLevel(level).label),
            code,
            name,
            _township(township, district),
            named_by,
        ]
        for year_, level, code, name, township, district, named_by in DemonstrationSite.objects.filter(
            party_org__in=party_orgs
        )
        .order_by("-year", "level", "party_org__code")
        .values_list(
            "year",
            "level",
            "party_org__code",
            "party_org__name",
            "party_org__township__name",
            "party_org__township__parent__name",
            "named_by",
        )
    ]
    members = dict(
        JointGroupMember.objects.current_on(today)
        .order_by()
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    joint = dict(
        Activity.objects.filter(joint_group__isnull=False, held_on__range=(start, end))
        .order_by()
        .values_list("joint_group_id")
        .annotate(n=Count("pk"))
    )
    group_rows = [
        [
            name,
            _township(township, district),
            lead,
            founded,
            dissolved or "",
            members.get(pk, 0),
            joint.get(pk, 0),
        ]
        for pk, name, township, district, lead, founded, dissolved in JointGroup.objects.filter(
            lead__in=party_orgs
        )
        .order_by("township__code", "name")
        .values_list(
            "pk",
            "name",
            "township__name",
            "township__parent__name",
            "lead__name",
            "founded_on",
            "dissolved_on",
        )
    ]
    return [
        Table(
            "activities",
            f"{year}年党建活动（按活动方式、乡镇(街道)）",
            ["乡镇(街道)", *(str(labels[k]) for k in kinds), "合计"],
            activity_rows,
            "长办发〔2015〕2号 四.2 创新活动方式；联组活动见下方联组。",
        ),
        Table(
            "pairings",
            f"结对共建（{year}年内有效）",
            ["党组织编码", "党组织", "共建党组织（单位）", "结对日期", "结束日期", "共建内容"],
            pairing_rows,
        ),
        Table(
            "sites",
            "党建示范点",
            ["命名年度", "级别", "党组织编码", "党组织", "乡镇(街道)", "命名单位"],
            site_rows,
        ),
        Table(
            "joint-groups",
            "联组（联组工作法）",
            [
                "联组名称",
                "乡镇(街道)",
                "牵头党组织",
                "成立日期",
                "撤销日期",
                f"现有成员（{today:%Y-%m-%d}）",
                f"{year}年联组活动",
            ],
            group_rows,
            "长办发〔2015〕2号 三.1：“推广非公有制经济组织党建‘联组工作法’，将分散、小型的党组织组合起来建立联组”。",
        ),
    ]


def xlsx(table: Table, scope: str) -> bytes:
    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31].replace("（", "(").replace("）", ")")
    sheets.append(sheet, [f"{scope} {table.title}"])
    sheets.append(sheet, table.header)
    for row in table.rows:
        sheets.append(sheet, row)
    out = io.BytesIO()
    sheets.save(book, out)
    return out.getvalue()
