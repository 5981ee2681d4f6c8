from django.urls import path

from . import views

app_name = "licences"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("entity/<str:credit_code>/", views.licence_print, name="print"),
    path("manage/<str:credit_code>/", views.manage, name="manage"),
    path("trust/", views.trust_list, name="trust"),
]
