from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("<str:credit_code>/", views.entity, name="entity"),
]
