"""URLs of the 一业一证 pages, mounted at ``/industry/``."""

from django.urls import path

from . import industry_views as views

app_name = "industry"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("reviews/", views.reviews, name="reviews"),
    path("post-checks/", views.post_checks, name="post-checks"),
    path("inbox/", views.inbox, name="inbox"),
    path("applications/<str:number>/", views.application_page, name="application"),
    path("licences/<str:licence_id>/", views.licence_page, name="licence"),
    path("<slug:code>/", views.industry_page, name="industry"),
    path("<slug:code>/apply/", views.apply, name="apply"),
]
