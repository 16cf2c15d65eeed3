from django.urls import path

from public import views

app_name = "public"
urlpatterns = [
    path("", views.public_overview, name="overview"),
    path("<str:code>/", views.public_province, name="province"),
    path("<str:code>/<str:commune>/", views.public_commune, name="commune"),
]
