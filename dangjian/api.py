"""The JSON API, v1 (CONTRACT.md "The HTTP API"): one NinjaAPI, one router per app.

Authentication: the web session, or `Authorization: Bearer <token>` (`dangjian token create`).
Every list is paginated ({"items": [...], "count": n}, ?page=) and scoped by the jurisdiction
gate; an object outside the jurisdiction answers 404 exactly as a missing one. Bad input
answers 422 with django-ninja's shape (`{"detail": [{"type", "loc", "msg", "ctx"}]}`), each
`msg` in Chinese naming the parameter and the value; no request answers 500.
"""

from __future__ import annotations

import re
from typing import Any

import pydantic
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from dangjian.accounts.jurisdiction import NotFound
from dangjian.accounts.tokens import token_user
from dangjian.cadres.api import router as cadres
from dangjian.compliance.api import router as findings
from dangjian.feed.api import router as feed
from dangjian.imports.api import router as imports
from dangjian.life.api import router as life
from dangjian.orgs.api import router as orgs
from dangjian.partyorgs.api import router as party_orgs
from dangjian.reports.api import router as reports

# The parameters' names as a user reads them, by name or by (source, name).
FIELD_LABELS: dict[str | tuple[str, str], str] = {
    "page": "页码",
    "page_size": "每页条数",
    "area": "区划代码",
    "kind": "类型",
    ("path", "kind"): "导入类别",
    "status": "状态",
    "q": "搜索词",
    "as_of": "检查日期",
    "rule": "规则编号",
    "uscc": "统一社会信用代码",
    "code": "党组织编码",
    "party_org": "党组织编码",
    "type": "会议类型",
    "state": "审核状态",
    "held_from": "召开日期起",
    "held_to": "召开日期止",
    "meeting_id": "会议编号",
    "opinion": "审核意见",
    "topic": "主题",
    "held_on": "召开日期",
    "name": "名称",
    "file": "文件",
    "dry_run": "只检查（dry_run）",
    "skip_invalid": "跳过错误行（skip_invalid）",
}
PATTERN_HINTS = {"area": "应为6、9或12位数字的区划代码"}
DATE_ERRORS = {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}


def field_label(loc: tuple[Any, ...]) -> str:
    source, name = (str(loc[0]), str(loc[1])) if len(loc) > 1 else ("", str(loc[-1]))
    return FIELD_LABELS.get((source, name)) or FIELD_LABELS.get(name) or name


def error_reason(error: dict[str, Any], name: str) -> str:
    """What is wrong, in Chinese, from a pydantic error's type and context."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "必须填写"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "应为整数"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("ge", "应不小于"),
            "greater_than": ("gt", "应大于"),
            "less_than_equal": ("le", "应不大于"),
            "less_than": ("lt", "应小于"),
        }
        key, phrase = words[kind]
        return f"{phrase}{ctx.get(key)}"
    if kind == "string_too_long":
        return f"最多{ctx.get('max_length')}个字"
    if kind == "string_too_short":
        return f"至少{ctx.get('min_length')}个字"
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(name, "格式不正确")
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "应为以下之一：" + "、".join(options) if options else "不是可选值"
    if kind in DATE_ERRORS or kind == "date_type":
        return "无法识别的日期，应为 YYYY-MM-DD（如 2026-01-31）"
    if kind in ("bool_parsing", "bool_type"):
        return "应为 true 或 false"
    if kind in ("string_type", "string_unicode"):
        return "应为文本"
    if kind in ("list_type", "too_long", "too_short"):
        return "个数或形式不正确"
    return "无效"


def chinese_error(error: dict[str, Any]) -> dict[str, Any]:
    """One of django-ninja's validation errors with a Chinese `msg` naming the parameter and
    the value; its type, loc and (numeric) ctx kept, pydantic's English dropped."""
    loc = tuple(error["loc"])
    name = str(loc[1]) if len(loc) > 1 else str(loc[-1])
    label = field_label(loc)
    reason = error_reason(error, name)
    value = error.get("input")
    if error["type"] == "missing":
        message = f"缺少{label}"
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        shown = str(value)
        shown = shown if len(shown) <= 50 else shown[:50] + "…"
        message = f"{label}「{shown}」：{reason}"
    else:
        message = f"{label}：{reason}"
    out = {"type": error["type"], "loc": list(loc), "msg": message}
    ctx = {k: v for k, v in (error.get("ctx") or {}).items() if k != "error"}
    if ctx:
        out["ctx"] = {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in ctx.items()}
    return out


# The answers' descriptions in the schema (and the docs page): django-ninja writes the
# English phrase of the status code.
RESPONSE_DESCRIPTIONS = {
    "200": "成功",
    "401": "未登录或令牌无效",
    "403": "无权进行此操作",
    "404": "不存在（或不在管辖范围内）",
    "413": "文件过大",
    "422": "输入有误（逐项说明参数、值和原因）",
}


class ChineseNinjaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if str(status) in RESPONSE_DESCRIPTIONS:
                        response["description"] = RESPONSE_DESCRIPTIONS[str(status)]
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            exc: pydantic.ValidationError = context.pydantic_validation_error
            reverse = model.__ninja_flatten_map_reverse__
            for error in exc.errors(include_url=False):
                # The parameter's own name (a list's item keeps its index after it).
                raw, loc = tuple(error["loc"]), tuple(error["loc"])
                for cut in range(len(raw), 0, -1):
                    if raw[:cut] in reverse:
                        loc = tuple(reverse[raw[:cut]]) + raw[cut:]
                        break
                errors.append(chinese_error({**error, "loc": (model.__ninja_param_source__, *loc)}))
        return ValidationError(errors)


class OneValueParser(Parser):
    """A query parameter that takes one value given twice (`?q=a&q=b`) is an error the
    caller should hear of (422, naming it), not a silent choice of the last value: its
    values reach validation as a list, which a single-valued field refuses."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        for key in data:
            if key not in list_fields and len(data.getlist(key)) > 1:
                result[key] = data.getlist(key)
        return result


class ChineseSwagger(Swagger):
    """Swagger UI (django-ninja's own copy, served from this machine) in a Chinese frame: a
    title, how to authenticate, a way back to the system, and the UI's buttons in Chinese
    (`web/api-docs.js`)."""

    template = "api/docs.html"


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


api = ChineseNinjaAPI(
    title="社会组织党建工作管理系统 API",
    version="1",
    description="社会组织、党组织、政策规则检查结果与统计报表。所有数据按调用者的管辖范围过滤。",
    urls_namespace="api-v1",
    auth=[BearerToken(), Session()],
    docs=ChineseSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=OneValueParser(),
)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "不存在"}, status=404)


@api.exception_handler(Http404)
def http_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "不存在"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own 400 (a body it cannot parse: not JSON) is bad input, 422, said in
    Chinese; every other HttpError keeps its status and message."""
    if exc.status_code == 400:
        return api.create_response(
            request, {"detail": "请求内容无法解析：应为有效的 JSON"}, status=422
        )
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


def register_routers() -> None:
    api.add_router("/orgs", orgs)
    api.add_router("/party-orgs", party_orgs)
    api.add_router("/findings", findings)
    api.add_router("/reports", reports)
    api.add_router("/imports", imports)
    api.add_router("/registry", feed)
    api.add_router("", life)
    api.add_router("", cadres)


register_routers()
