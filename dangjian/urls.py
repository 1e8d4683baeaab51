from django.contrib import admin
from django.urls import include, path

from dangjian.api import api

admin.site.site_header = "社会组织党建工作管理系统"
admin.site.site_title = "社会组织党建工作管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("dangjian.web.urls")),
]

handler404 = "dangjian.web.views.not_found"
