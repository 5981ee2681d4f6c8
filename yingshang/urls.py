from django.contrib import admin
from django.urls import include, path

from yingshang.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("yingshang.accounts.urls")),
    path("entities/", include("yingshang.registry.urls")),
    path("", include("yingshang.portal.urls")),
]

handler400 = "yingshang.portal.views.bad_request"
handler403 = "yingshang.portal.views.permission_denied"
handler404 = "yingshang.portal.views.page_not_found"
handler500 = "yingshang.portal.views.server_error"
