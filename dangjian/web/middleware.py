"""Input that no database may see: the NUL character (U+0000).

PostgreSQL cannot store a NUL in a text value (psycopg refuses the query: a 500), SQLite can;
so that both answer alike, and no view, form or API operation has to think of it, a NUL is
refused here, before any of them reads the request:

- in the path: 404 (no object's key holds a NUL), as for any missing object;
- in a query parameter, a form field or a JSON body (name or value): 400 with a Chinese page,
  or for the API (/api/) 422 `{"detail": [{"type": "nul_character", "loc", "msg"}]}`, the
  shape of its other validation errors;
- in a cookie: the cookie is dropped (a session key with a NUL is no session).

Only NUL: the other C0 control characters are stored fine by both databases, and where one
is not valid (a code, an import cell) the field's own validation says so in Chinese. An
uploaded file's name is cleaned by Django (non-printable characters removed); a NUL inside an
import file is the row's error (`dangjian/imports/fields.py`), or the CSV reader's "binary
content" error when it is among the first bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

NUL = "\x00"
API_PREFIX = "/api/"
CHINESE = {"ensure_ascii": False}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def nul_message(name: str) -> str:
    shown = name.replace(NUL, "\\0")
    return f"参数「{shown}」含有空字符（\\0），请删除后重试"


def _strings(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string of a parsed JSON document (keys included), with where it is."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))


def _pairs(data: Any) -> Iterable[tuple[str, str]]:
    for key, values in data.lists():
        for value in values:
            yield key, value if isinstance(value, str) else ""


def _first_nul(request: HttpRequest) -> tuple[str, str] | None:
    """(source, name) of the first parameter or field holding a NUL."""
    for key, value in _pairs(request.GET):
        if NUL in key or NUL in value:
            return "query", key
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        for key, value in _pairs(request.POST):
            if NUL in key or NUL in value:
                return "form", key
        for key in request.FILES:
            if NUL in key:
                return "file", key
    elif content_type.endswith("json") and request.body:
        if b"\\u0000" not in request.body.lower() and b"\x00" not in request.body:
            return None
        try:
            document = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the operation says so
        for path, value in _strings(document):
            if NUL in value:
                return "body", ".".join(path) or "body"
    return None


class NulCharacterMiddleware:
    """Placed before the session middleware (whose cookie it cleans) and every view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path_info.startswith(API_PREFIX)
        if NUL in request.path_info:
            if api:
                return JsonResponse({"detail": "不存在"}, status=404, json_dumps_params=CHINESE)
            return render(request, "web/404.html", {"title": "页面不存在"}, status=404)
        for name in [name for name, value in request.COOKIES.items() if NUL in value]:
            del request.COOKIES[name]
        found = _first_nul(request)
        if found is not None:
            source, name = found
            message = nul_message(name)
            if api:
                error = {"type": "nul_character", "loc": [source, name], "msg": message}
                return JsonResponse({"detail": [error]}, status=422, json_dumps_params=CHINESE)
            return bad_request(request, message=message)
        return self.get_response(request)


def bad_request(
    request: HttpRequest, exception: Exception | None = None, *, message: str = ""
) -> HttpResponse:
    """The Chinese 400 page (also Django's handler400)."""
    context = {"title": "请求无法处理", "message": message or "请求的内容有误，无法处理。"}
    return render(request, "web/bad_request.html", context, status=400)


class ApiMethodNotAllowedMiddleware:
    """The API's 405 in Chinese and in its JSON shape: django-ninja answers a method an
    operation does not take with the English text "Method not allowed"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith(API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        shown = "、".join(m.strip() for m in allowed.split(",") if m.strip())
        detail = f"本接口不接受 {request.method} 请求" + (f"（可用：{shown}）" if shown else "")
        answer = JsonResponse({"detail": detail}, status=405, json_dumps_params=CHINESE)
        if allowed:
            answer["Allow"] = allowed
        return answer
