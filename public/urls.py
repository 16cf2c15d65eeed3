from django.urls import path

from public import views

app_name = "public"
urlpatterns = [
    path("", views.public_overview, name="overview"),
    path("data/datapackage.json", views.public_package, name="package"),
    path("data/<str:name>.csv", views.public_resource, name="resource"),
    path("<str:code>/data/datapackage.json", views.public_package, name="province-package"),
    path("<str:code>/data/<str:name>.csv", views.public_resource, name="province-resource"),
    path("<str:code>/", views.public_province, name="province"),
    path("<str:code>/<str:commune>/", views.public_commune, name="commune"),
]
