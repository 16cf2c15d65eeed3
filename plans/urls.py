from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("<slug:code>/", views.plan_detail, name="plan-detail"),
    path("<slug:code>/laggards/", views.plan_laggards, name="plan-laggards"),
    path("<slug:code>/edit/", views.plan_edit, name="plan-edit"),
    path("<slug:code>/targets/new/", views.target_create, name="target-create"),
]
