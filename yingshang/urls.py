from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from yingshang.api import api
from yingshang.licences.views import did_document, licence_context

# Staff reach the admin only with a verified second factor, like every official page.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = _("营商平台管理后台")
admin.site.site_title = _("营商平台管理后台")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("yingshang.accounts.urls")),
    path("entities/", include("yingshang.registry.urls")),
    path("licences/", include("yingshang.licences.urls")),
    path("industry/", include("yingshang.licences.industry_urls")),
    path("matters/", include("yingshang.matters.urls")),
    path("registration/", include("yingshang.registration.urls")),
    path(".well-known/did.json", did_document, name="did-document"),
    path("ns/licence/v1", licence_context, name="licence-context"),
    path("", include("yingshang.portal.urls")),
]

handler400 = "yingshang.portal.views.bad_request"
handler403 = "yingshang.portal.views.permission_denied"
handler404 = "yingshang.portal.views.page_not_found"
handler500 = "yingshang.portal.views.server_error"
