from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("settings/", views.notification_settings, name="notification-settings"),
    path("<int:pk>/", views.notification_open, name="notification-open"),
]
