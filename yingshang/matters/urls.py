from django.urls import path

from . import views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<str:number>/", views.application_page, name="application"),
    path("<slug:code>/", views.matter_guide, name="guide"),
]
