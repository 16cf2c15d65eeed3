from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import views as accounts_views
from accounts.api import TokenView
from egov_portal import health, views
from indicators.api import AnalyticsView, IndicatorViewSet
from plans.api import PlanViewSet
from quality.api import FlaggedObservationViewSet, ValidationRuleViewSet
from reports import views as reports_views
from reports.api import ReadinessView
from units.api import UnitViewSet

# The admin under the portal's name, not "Django administration".
admin.site.site_header = _("Quản trị cổng chính quyền điện tử")
admin.site.site_title = _("Quản trị cổng")
admin.site.index_title = _("Quản trị hệ thống")

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("observations", FlaggedObservationViewSet, basename="observation")
router.register("validation-rules", ValidationRuleViewSet, basename="validation-rule")
router.register("plans", PlanViewSet, basename="plan")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own, under its name: a reset whose mail cannot be sent says so.
    path(
        "accounts/password_reset/",
        accounts_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("units/", include("units.urls")),
    path("indicators/", include("indicators.urls")),
    # The plan page's Excel report, made by reports (it reads entry's reporting, which plans,
    # a lower layer, may not).
    path("plans/<slug:code>/workbook/", reports_views.plan_workbook, name="plan-workbook"),
    path("plans/", include("plans.urls")),
    path("entry/", include("entry.urls")),
    path("notifications/", include("notifications.urls")),
    path("quality/", include("quality.urls")),
    path("public/", include("public.urls")),
    path("dhis2/", include("dhis2_api.urls")),
    path("dashboard/", include("reports.urls")),
    path("api/v1/analytics/", AnalyticsView.as_view(), name="api-analytics"),
    path("api/v1/readiness/", ReadinessView.as_view(), name="api-readiness"),
    # An official's API token, for scripts that push their unit's figures.
    path("api/v1/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    # Its page has a <style> block of three rules, allowed on this page only.
    path(
        "api/v1/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]
