"""What the frame of every page (web/base.html) is given: its breadcrumbs, 首页 first."""

from __future__ import annotations

from django.urls import reverse


def crumbs(*items: tuple[str, str | None]) -> list[dict[str, str | None]]:
    first: dict[str, str | None] = {"label": "首页", "url": reverse("web:dashboard")}
    return [first] + [{"label": label, "url": url} for label, url in items]
