"""/dhis2/api/…, with DHIS2's optional API version (/dhis2/api/40/…) and file suffix
(.json; .csv for data value sets), as DHIS2 clients write them."""

from django.urls import re_path

from dhis2_api import views

app_name = "dhis2"
API = r"^api/(?:\d+/)?"
JSON = r"(?:\.json)?$"
ID = r"(?P<uid>[A-Za-z0-9_\-]+)"

urlpatterns = [
    re_path(API + r"system/info" + JSON, views.SystemInfo.as_view(), name="system-info"),
    re_path(API + r"me" + JSON, views.Me.as_view(), name="me"),
    re_path(API + r"organisationUnits" + JSON, views.OrganisationUnits.as_view(), name="org-units"),
    re_path(
        API + r"organisationUnits/" + ID + JSON, views.OrganisationUnits.as_view(), name="org-unit"
    ),
    re_path(API + r"dataElements" + JSON, views.DataElements.as_view(), name="data-elements"),
    re_path(API + r"dataElements/" + ID + JSON, views.DataElements.as_view(), name="data-element"),
    re_path(API + r"dataSets" + JSON, views.DataSets.as_view(), name="data-sets"),
    re_path(API + r"dataSets/" + ID + JSON, views.DataSets.as_view(), name="data-set"),
    re_path(
        API + r"categoryOptionCombos" + JSON, views.CategoryOptionCombos.as_view(), name="cocs"
    ),
    re_path(
        API + r"dataValueSets(?P<suffix>\.json|\.csv)?$",
        views.DataValueSets.as_view(),
        name="data-value-sets",
    ),
    re_path(API + r"dataValues" + JSON, views.DataValues.as_view(), name="data-values"),
    re_path(API + r"apiToken" + JSON, views.ApiTokens.as_view(), name="api-tokens"),
    re_path(API + r"apiToken/" + ID + JSON, views.ApiTokens.as_view(), name="api-token"),
    re_path(API + r"analytics" + JSON, views.Analytics.as_view(), name="analytics"),
]
