from django.urls import path

from entry import views

app_name = "entry"
urlpatterns = [
    path("", views.entry_list_view, name="entry-list"),
    path("review/", views.review_inbox, name="review-inbox"),
    path("review/act/", views.review_act, name="review-act"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("reports/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("import/", views.import_view, name="entry-import"),
    path("import/<int:pk>/", views.import_job_view, name="import-job"),
    path("import/<int:pk>/status/", views.import_job_status, name="import-job-status"),
    path("import/<int:pk>/errors.csv", views.import_job_errors, name="import-job-errors"),
    path("import/<int:pk>/rerun/", views.import_job_rerun, name="import-job-rerun"),
    path(
        "agency/<int:agency_id>/<str:period>/template.xlsx",
        views.entry_template_agency,
        name="entry-template-agency",
    ),
    path(
        "agency/<int:agency_id>/<str:period>/",
        views.entry_form_agency,
        name="entry-form-agency",
    ),
    path(
        "agency/<int:agency_id>/<str:period>/autosave/",
        views.entry_autosave_agency,
        name="entry-autosave-agency",
    ),
    path("<int:unit_id>/<str:period>/", views.entry_form, name="entry-form"),
    path("<int:unit_id>/<str:period>/autosave/", views.entry_autosave, name="entry-autosave"),
    path("<int:unit_id>/<str:period>/template.xlsx", views.entry_template, name="entry-template"),
]
