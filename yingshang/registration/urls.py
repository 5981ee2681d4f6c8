from django.urls import path

from . import views

app_name = "registration"

urlpatterns = [
    path("", views.index, name="index"),
    path("names/", views.names, name="names"),
    path("names/check/", views.name_check_fragment, name="name_check"),
    path("industries/", views.industry_search, name="industries"),
    path("establish/", views.establish_start, name="establish"),
    path("entities/", views.entities, name="entities"),
    path("start/", views.start, name="start"),
    path("counter/", views.counter, name="counter"),
    path("applications/<str:number>/", views.application_page, name="application"),
    path("applications/<str:number>/<slug:step>/", views.wizard_step, name="step"),
    path("notices/", views.notices, name="notices"),
    path("notices/<str:number>/", views.notice, name="notice"),
    path("objections/", views.objections, name="objections"),
]
