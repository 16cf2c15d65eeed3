from django.urls import path

from entry import views

app_name = "entry"
urlpatterns = [
    path("", views.entry_list_view, name="entry-list"),
    path("review/", views.review_inbox, name="review-inbox"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("reports/<int:pk>/", views.submission_detail, name="submission-detail"),
    path(
        "agency/<int:agency_id>/<str:period>/",
        views.entry_form_agency,
        name="entry-form-agency",
    ),
    path("<int:unit_id>/<str:period>/", views.entry_form, name="entry-form"),
]
