from django.urls import path

from . import bundle_views, views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<str:number>/", views.application_page, name="application"),
    path("bundles/", bundle_views.bundle_start, name="bundle_start"),
    path("bundles/<str:number>/", bundle_views.bundle_page, name="bundle"),
    path("<slug:code>/", views.matter_guide, name="guide"),
]
