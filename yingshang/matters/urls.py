from django.urls import path

from . import views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("<slug:code>/", views.matter_guide, name="guide"),
]
