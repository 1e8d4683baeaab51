"""What every app's API router shares (the answers besides success, the 422 of a refusal),
kept apart from `dangjian.api`, which imports the routers: an app's `api.py` imports this
module, never `dangjian.api`, so that it imports on its own (tests/test_imports.py)."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.errors import HttpError


class Message(Schema):
    detail: Any


# The answers besides success that every operation may give (documented in the schema).
ERRORS: dict[int, type[Schema]] = {401: Message, 404: Message, 422: Message}


def unprocessable(message: str) -> HttpError:
    return HttpError(422, message)
