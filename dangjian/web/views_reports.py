"""Pages of this section (being built)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def placeholder(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "web/placeholder.html", {"title": "建设中"})
