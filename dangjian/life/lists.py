"""The reportable lists of organization life (POLICY 3.1, 4.2): activities by way and
area and the year's activities one by one, 结对共建 pairings, 党建示范点 and 联组 with their
members and joint activities — each through the gate (the Party organizations the user
sees), each exportable as .xlsx. A row that is one record carries its key (`Table.pks`),
for the page's links to its form.

Set-based: one query per list (the counts grouped in the database), whatever the number of
Party organizations; the year's activities one by one are read whole only for their export
(the page shows the first `CAP`)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.compliance.policy import in_force
from dangjian.lib import sheets
from dangjian.life.models import (
    Activity,
    ActivityKind,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Pairing,
    SiteLevel,
    duties_text,
)

CAP = 500  # rows shown on the page; the export has them all


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    note: str = ""
    pks: list[int | None] = field(default_factory=list)  # each row's record, if one
    total: int | None = None  # the rows there are, when `rows` holds the first CAP only
    # For the writers of its kind (set by the page): the new record's form, the URL name of
    # a row's form (its argument: the row's key).
    new: str = ""
    new_label: str = ""
    edit: str = ""

    @property
    def shown(self) -> list[list[Any]]:
        return self.rows[:CAP]

    @property
    def count(self) -> int:
        return len(self.rows) if self.total is None else self.total

    @property
    def lines(self) -> list[tuple[list[Any], int | None]]:
        """The rows shown, each with its record's key (None: no record, or none known)."""
        pks = self.pks + [None] * (len(self.rows) - len(self.pks))
        return list(zip(self.shown, pks, strict=False))


def _township(row_township: str, district: str) -> str:
    return f"{district} {row_township}".strip()


def tables(gate: Jurisdiction, year: int, today: dt.date, whole: str = "") -> list[Table]:
    """The lists of `year`; `whole`: the key of the one to read whole (for its export)."""
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
    activity_list = _activity_list(party_orgs, start, end, whole == "activity-list")
    pairings = list(
        Pairing.objects.filter(Q(party_org__in=party_orgs))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start), started_on__lte=end)
        .order_by("party_org__code", "started_on")
        .values_list(
            "pk",
            "party_org__code",
            "party_org__name",
            "partner__name",
            "partner_name",
            "started_on",
            "ended_on",
            "content",
        )
    )
    pairing_rows = [
        [code, name, partner_name or partner or "", started, ended or "", content]
        for _pk, code, name, partner, partner_name, started, ended, content in pairings
    ]
    sites = list(
        DemonstrationSite.objects.filter(party_org__in=party_orgs)
        .order_by("-year", "level", "party_org__code")
        .values_list(
            "pk",
            "year",
            "level",
            "party_org__code",
            "party_org__name",
            "party_org__township__name",
            "party_org__township__parent__name",
            "named_by",
        )
    )
    site_rows = [
        [
            year_,
            str(SiteLevel(level).label),
            code,
            name,
            _township(township, district),
            named_by,
        ]
        for _pk, year_, level, code, name, township, district, named_by in sites
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
    groups = list(
        JointGroup.objects.filter(lead__in=party_orgs)
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
        for pk, name, township, district, lead, founded, dissolved in groups
    ]
    return [
        Table(
            "activities",
            f"{year}年党建活动（按活动方式、乡镇(街道)）",
            ["乡镇(街道)", *(str(labels[k]) for k in kinds), "合计"],
            activity_rows,
            "长办发〔2015〕2号 四.2 创新活动方式；联组活动见下方联组。",
        ),
        activity_list,
        Table(
            "pairings",
            f"结对共建（{year}年内有效）",
            ["党组织编码", "党组织", "共建党组织（单位）", "结对日期", "结束日期", "共建内容"],
            pairing_rows,
            pks=[row[0] for row in pairings],
        ),
        Table(
            "sites",
            "党建示范点",
            ["命名年度", "级别", "党组织编码", "党组织", "乡镇(街道)", "命名单位"],
            site_rows,
            pks=[row[0] for row in sites],
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
            pks=[row[0] for row in groups],
        ),
    ]


def _activity_list(party_orgs: Any, start: dt.date, end: dt.date, whole: bool) -> Table:
    """The year's activities one by one, newest first: the first CAP for the page (and how
    many there are), all of them for the export."""
    labels = dict(ActivityKind.choices)
    found = (
        Activity.objects.filter(party_org__in=party_orgs, held_on__range=(start, end))
        .order_by("-held_on", "party_org__code", "kind", "title")
        .values_list(
            "pk",
            "held_on",
            "kind",
            "title",
            "party_org__code",
            "party_org__name",
            "participants",
            "duties",
            "partner__name",
            "joint_group__name",
        )
    )
    total = None if whole else found.count()
    read = list(found if whole else found[:CAP])
    rows = [
        [
            held,
            str(labels.get(kind, kind)),
            title,
            code,
            name,
            "" if participants is None else participants,
            duties_text(duty_codes),
            partner or group or "",
        ]
        for _pk, held, kind, title, code, name, participants, duty_codes, partner, group in read
    ]
    return Table(
        "activity-list",
        f"{start.year}年党建活动明细",
        [
            "开展日期",
            "活动类型",
            "活动名称",
            "党组织编码",
            "党组织",
            "参加人数",
            "职责分类",
            "共建党组织 / 联组",
        ],
        rows,
        pks=[row[0] for row in read],
        total=total,
    )


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
    sheets.save(book, out, policy_version=in_force().version)
    return out.getvalue()
