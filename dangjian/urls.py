from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from dangjian.api import api

admin.site.site_header = "社会组织党建工作管理系统"
admin.site.site_title = "社会组织党建工作管理系统"
admin.site.index_title = "数据管理"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, files)."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("dangjian.web.urls")),
]

handler400 = "dangjian.web.middleware.bad_request"
handler404 = "dangjian.web.views.not_found"
