"""Admin for units, agencies and lineage: search by code and tone-mark-free name; agency import."""

import pytest
import tablib

from units.admin import AgencyResource
from units.models import Agency

pytestmark = pytest.mark.django_db


def test_unit_admin_searches_without_tone_marks(admin_client):
    response = admin_client.get("/admin/units/unit/", {"q": "vinh linh"})
    assert response.status_code == 200
    names = {u.name for u in response.context["cl"].result_list}
    assert {"Huyện Vĩnh Linh", "Xã Vĩnh Linh"} <= names


def test_lineage_admin_searches_by_code(admin_client):
    response = admin_client.get("/admin/units/unitchange/", {"q": "19363"})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 3


def test_agency_admin_lists_the_seed_agencies(admin_client):
    response = admin_client.get("/admin/units/agency/", {"q": "Vĩnh Linh"})
    names = {a.name for a in response.context["cl"].result_list}
    assert "Văn phòng HĐND và UBND huyện Vĩnh Linh" in names


def test_agency_import_by_unit_code_is_atomic():
    data = tablib.Dataset(headers=["unit_code", "kind", "name"])
    data.append(["19363", "peoples_committee", "Ủy ban nhân dân xã Vĩnh Linh"])
    data.append(["99999", "school", "Trường không có đơn vị"])
    result = AgencyResource().import_data(data, dry_run=False, raise_errors=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not Agency.objects.filter(name="Ủy ban nhân dân xã Vĩnh Linh").exists()
    data.pop()
    result = AgencyResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    agency = Agency.objects.get(name="Ủy ban nhân dân xã Vĩnh Linh")
    assert agency.unit.code == "19363" and agency.unit.valid_to is None
