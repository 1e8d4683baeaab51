"""The JSON API, v1 (CONTRACT.md "The HTTP API"): one NinjaAPI, one router per app.

Authentication: the web session, or `Authorization: Bearer <token>` (`dangjian token create`).
Every list is paginated ({"items": [...], "count": n}, ?page=) and scoped by the jurisdiction
gate; an object outside the jurisdiction answers 404 exactly as a missing one. Bad input
answers 422; no request answers 500.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from dangjian.accounts.jurisdiction import NotFound
from dangjian.accounts.tokens import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class Session(APIKeyCookie):
    """The web pages' session (with Django's CSRF check on unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="社会组织党建工作管理系统 API",
    version="1",
    description="社会组织、党组织、政策规则检查结果与统计报表。所有数据按调用者的管辖范围过滤。",
    urls_namespace="api-v1",
    auth=[BearerToken(), Session()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "不存在"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


class Message(Schema):
    detail: Any


# The answers besides success that every operation may give (documented in the schema).
ERRORS: dict[int, type[Schema]] = {401: Message, 404: Message, 422: Message}


def unprocessable(message: str) -> HttpError:
    return HttpError(422, message)


def register_routers() -> None:
    from dangjian.compliance.api import router as findings
    from dangjian.imports.api import router as imports
    from dangjian.orgs.api import router as orgs
    from dangjian.partyorgs.api import router as party_orgs
    from dangjian.reports.api import router as reports

    api.add_router("/orgs", orgs)
    api.add_router("/party-orgs", party_orgs)
    api.add_router("/findings", findings)
    api.add_router("/reports", reports)
    api.add_router("/imports", imports)


register_routers()
