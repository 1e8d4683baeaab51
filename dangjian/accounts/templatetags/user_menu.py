"""`{% may_manage_users user as flag %}`: whether the menu offers 用户管理 (the same rule
as the pages, `accounts.services.may_manage_users`)."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.accounts import services

register = template.Library()


@register.simple_tag
def may_manage_users(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and services.may_manage_users(user))
