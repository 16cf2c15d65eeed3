from django.urls import path

from quality import views

app_name = "quality"
urlpatterns = [
    path("", views.quality_page, name="quality"),
    path("follow-ups/", views.follow_up_list, name="follow-ups"),
    path("figures/<int:pk>/", views.figure_page, name="figure"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
