from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.my_dashboard, name="dashboard-home"),
    path("compare/", views.compare, name="compare"),
    path("<int:unit_id>/", views.unit_dashboard, name="dashboard"),
    path("<int:unit_id>/compare/", views.compare_children, name="compare-children"),
    path("<int:unit_id>/report.docx", views.report_docx_view, name="report-docx"),
    path("<int:unit_id>/indicator/<str:code>/", views.indicator_view, name="indicator"),
]
