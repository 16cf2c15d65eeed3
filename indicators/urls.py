from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_catalogue, name="indicator-list"),
    path("<str:code>/", views.indicator_detail, name="indicator-detail"),
]
