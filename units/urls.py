from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_browse, name="unit-browse"),
    path("<str:code>/", views.unit_detail, name="unit-detail"),
]
