from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from egov_portal import views
from indicators.api import AnalyticsView, IndicatorViewSet, ObservationViewSet
from plans.api import PlanViewSet
from units.api import UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("observations", ObservationViewSet, basename="observation")
router.register("plans", PlanViewSet, basename="plan")

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("units/", include("units.urls")),
    path("indicators/", include("indicators.urls")),
    path("plans/", include("plans.urls")),
    path("entry/", include("entry.urls")),
    path("dashboard/", include("reports.urls")),
    path("api/v1/analytics/", AnalyticsView.as_view(), name="api-analytics"),
    # An official's API token, for scripts that push their unit's figures.
    path("api/v1/token/", obtain_auth_token, name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
