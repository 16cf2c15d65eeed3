"""Query functions on units: in force, children, descendants, lineage, search."""

import datetime

import pytest

from units.models import Unit
from units.selectors import (
    unit_children,
    unit_descendants,
    unit_get_by_code,
    unit_list,
    unit_predecessors,
    unit_successors,
)

pytestmark = pytest.mark.django_db

BEFORE = datetime.date(2020, 10, 13)
AFTER = datetime.date(2026, 1, 1)


def codes(units) -> set[str]:
    return {u.code for u in units}


def test_a_code_resolves_to_the_unit_of_the_day():
    assert unit_get_by_code(code="44", on=datetime.date(2018, 6, 1)).name == "Tỉnh Quảng Bình"
    assert unit_get_by_code(code="44", on=AFTER).name == "Tỉnh Quảng Trị"


def test_vinh_linh_district_has_its_18_communes():
    vinh_linh = unit_get_by_code(code="464", on=BEFORE)
    assert vinh_linh.parent.code == "45"
    children = unit_children(unit=vinh_linh, on=BEFORE)
    assert len(children) == 18
    assert "19363" in codes(children)


def test_no_children_on_a_day_the_unit_did_not_exist():
    vinh_linh = unit_get_by_code(code="464", on=BEFORE)
    assert list(unit_children(unit=vinh_linh, on=AFTER)) == []


def test_a_unit_knows_the_days_it_did_not_exist_yet_or_any_more():
    vinh_linh = unit_get_by_code(code="464", on=BEFORE)  # a district until 30/6/2025
    quang_tri = unit_get_by_code(code="44", on=AFTER)  # formed on 1/7/2025
    last_day, first_day = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    assert not vinh_linh.ended_before(last_day) and vinh_linh.ended_before(first_day)
    assert quang_tri.formed_after(last_day) and not quang_tri.formed_after(first_day)
    assert not vinh_linh.formed_after(datetime.date(1990, 1, 1))  # in force from the start
    assert not quang_tri.ended_before(AFTER)  # still in force


def test_descendants_of_a_province_cover_districts_and_communes():
    quang_binh = unit_get_by_code(code="44", on=BEFORE)
    descendants = unit_descendants(unit=quang_binh, on=BEFORE)
    levels = [u.level for u in descendants]
    assert levels.count("district") == 8
    assert levels.count("commune") == 145


def test_successors_of_vinh_linh_district_are_new_communes_of_quang_tri():
    vinh_linh = unit_get_by_code(code="464", on=BEFORE)
    successors = unit_successors(unit=vinh_linh, on=AFTER)
    assert {"19363", "19366", "19414"} <= codes(successors)
    assert {u.parent.code for u in successors} == {"44"}
    assert {u.level for u in successors} == {"commune"}


def test_successors_of_quang_binh_province_is_the_new_quang_tri():
    quang_binh = unit_get_by_code(code="44", on=BEFORE)
    (successor,) = unit_successors(unit=quang_binh, on=AFTER)
    assert (successor.code, successor.name, successor.valid_from) == (
        "44",
        "Tỉnh Quảng Trị",
        datetime.date(2025, 7, 1),
    )


def test_a_unit_has_no_successor_before_the_change():
    quang_binh = unit_get_by_code(code="44", on=BEFORE)
    assert list(unit_successors(unit=quang_binh, on=BEFORE)) == []


def test_predecessors_of_xa_vinh_linh_include_its_three_communes_and_the_district():
    xa_vinh_linh = unit_get_by_code(code="19363", on=AFTER)
    predecessors = unit_predecessors(unit=xa_vinh_linh)
    names = {u.name for u in predecessors}
    assert {"Thị trấn Hồ Xá", "Xã Vĩnh Long", "Xã Vĩnh Chấp", "Huyện Vĩnh Linh"} <= names
    vinh_long = next(u for u in predecessors if u.name == "Xã Vĩnh Long")
    assert vinh_long.parent.code == "464"


def test_predecessors_of_the_new_quang_tri_are_both_old_provinces():
    quang_tri = unit_get_by_code(code="44", on=AFTER)
    provinces = [u for u in unit_predecessors(unit=quang_tri) if u.level == Unit.Level.PROVINCE]
    assert sorted(u.name for u in provinces) == ["Tỉnh Quảng Bình", "Tỉnh Quảng Trị"]


@pytest.mark.parametrize(
    ("query", "on", "expected_name"),
    [
        ("vinh linh", BEFORE, "Huyện Vĩnh Linh"),
        ("VINH LINH", AFTER, "Xã Vĩnh Linh"),
        ("quang tri", AFTER, "Tỉnh Quảng Trị"),
        ("quảng trị", BEFORE, "Tỉnh Quảng Trị"),
        ("dak lak", BEFORE, "Tỉnh Đắk Lắk"),
        ("cho don", BEFORE, "Huyện Chợ Đồn"),
        ("464", BEFORE, "Huyện Vĩnh Linh"),
    ],
)
def test_search_ignores_tone_marks_and_case(query, on, expected_name):
    assert expected_name in {u.name for u in unit_list(on=on, q=query)}


def test_search_respects_the_date():
    assert "Huyện Vĩnh Linh" not in {u.name for u in unit_list(on=AFTER, q="vinh linh")}
