"""What every page's frame shows: the user's jurisdiction and the menu, grouped by policy."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

# The area officers' pages (and the system operator's): no entry for the other roles.
AREA_PAGES = (
    "web:instructor_progress", "web:work_bodies", "web:township_cadres", "web:contact_points",
)  # fmt: skip
MENU = [
    ("工作台", [("首页", "web:dashboard")]),
    (
        "组织与覆盖",
        [
            ("社会组织", "web:orgs"),
            ("党组织", "web:party_orgs"),
            ("党员与人员", "web:people"),
            ("年检与党建情况", "web:inspections"),
            ("登记事件", "web:registry_events"),
        ],
    ),
    ("问题与整改", [("待办问题", "web:findings")]),
    (
        "党的工作",
        [
            ("组织生活", "web:life"),
            ("会议记录审核", "web:life_review"),
            ("党建活动与共建", "web:life_lists"),
            ("发展党员", "web:development"),
            ("双培与关怀帮扶", "web:care"),
            ("组织关系转接", "web:transfers"),
            ("撤销党组织", "web:dissolutions"),
            ("软弱涣散党组织整顿", "web:rectifications"),
            ("活动场所", "web:venues"),
            ("党费与经费", "web:dues_overview"),
            ("培训需求名单", "web:training_needs"),
            ("指导员走访进度", "web:instructor_progress"),
            ("我的走访", "web:my_visits"),
        ],
    ),
    (
        "管理体制",
        [
            ("工作机构", "web:work_bodies"),
            ("乡镇(街道)党建干部", "web:township_cadres"),
            ("联系点", "web:contact_points"),
        ],
    ),
    (
        "统计分析",
        [
            ("覆盖情况", "web:report_coverage"),
            ("建立党组织情况表", "web:report_org_building"),
            ("联合党组织方案", "web:report_joint"),
            ("书记与党务干部", "web:report_cadres"),
        ],
    ),
    ("数据", [("数据导入", "web:imports"), ("政策设置版本", "web:policy_versions")]),
]


def frame(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from dangjian.imports.selectors import may_import

    path = request.path
    menu = []
    for title, items in MENU:
        entries = []
        for label, name in items:
            if name == "web:imports" and not may_import(user):
                continue  # no entry that leads to a refusal
            if name == "web:registry_events" and not (
                user.role in ("city", "district", "registry")
                or (user.is_superuser and not user.role)
            ):
                continue  # the registries' feed: the registry and the city's, districts' officers
            if name == "web:my_visits" and not (user.role == "instructor" and user.instructor_id):
                continue  # an instructor's own page
            if name in AREA_PAGES and not (
                user.role in ("city", "district", "township")
                or (user.is_superuser and not user.role)
            ):
                continue  # the area officers' page
            url = reverse(name)
            active = path == url if url == "/" else path.startswith(url)
            entries.append({"label": label, "url": url, "active": active})
        if entries:
            menu.append({"title": title, "items": entries})
    if user.is_superuser:
        menu.append(
            {
                "title": "系统管理",
                "items": [
                    {"label": "数据管理（后台）", "url": "/admin/", "active": False},
                    {"label": "接口文档", "url": "/api/v1/docs", "active": False},
                ],
            }
        )
    label = user.jurisdiction_label() or ("系统管理员" if user.is_superuser else "")
    return {"menu": menu, "jurisdiction_label": label}


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The top bar's bell: the user's unread notifications, counted only if the page shows
    the bell (one COUNT query), never more than once a page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from dangjian.tasks.notifications import Bell

    return {"bell": Bell(user)}
