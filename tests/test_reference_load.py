"""load_reference_data: both structures in full, idempotent, all-or-nothing."""

import datetime
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F

from indicators.models import Figure
from plans.models import Plan
from units.models import Agency, Unit, UnitChange
from units.selectors import unit_count_by_level

pytestmark = pytest.mark.django_db

UNITS_DIR = Path(settings.BASE_DIR) / "fixtures" / "units"


def load(**options) -> str:
    out = io.StringIO()
    call_command("load_reference_data", stdout=out, **options)
    return out.getvalue()


def test_three_tier_structure_in_force_until_june_2025():
    assert unit_count_by_level(on=datetime.date(2025, 6, 30)) == {
        "province": 63,
        "district": 696,
        "commune": 10051,
    }


def test_two_tier_structure_in_force_from_july_2025():
    assert unit_count_by_level(on=datetime.date(2025, 7, 1)) == {"province": 34, "commune": 3321}
    assert unit_count_by_level(on=datetime.date(2026, 1, 1)) == {"province": 34, "commune": 3321}


def test_one_code_names_two_units():
    quang_binh, quang_tri = Unit.objects.filter(code="44").order_by(
        F("valid_to").asc(nulls_last=True)
    )
    assert (quang_binh.name, quang_binh.valid_to) == ("Tỉnh Quảng Bình", datetime.date(2025, 6, 30))
    assert (quang_tri.name, quang_tri.valid_from) == ("Tỉnh Quảng Trị", datetime.date(2025, 7, 1))
    assert quang_tri.valid_to is None


def test_stores_ancestors_and_division_types():
    ho_xa = Unit.objects.get(code="19363", valid_to__isnull=False)
    assert ho_xa.division_type == Unit.DivisionType.THI_TRAN
    assert (ho_xa.district.code, ho_xa.province.code, ho_xa.parent.code) == ("464", "45", "464")
    vinh_linh_2025 = Unit.objects.get(code="19363", valid_to__isnull=True)
    assert vinh_linh_2025.name == "Xã Vĩnh Linh"
    assert (vinh_linh_2025.parent.code, vinh_linh_2025.district) == ("44", None)


def test_a_second_run_changes_nothing():
    units_before = set(Unit.objects.values_list("pk", "code", "name", "parent_id", "valid_to"))
    changes_before = set(
        UnitChange.objects.values_list("predecessor_id", "successor_id", "kind", "is_partial")
    )
    out = load()
    assert "0 thêm mới, 0 cập nhật, 14165 không đổi" in out
    assert "Quan hệ kế thừa: 0 thêm mới, 0 cập nhật, 0 xoá" in out
    assert (
        set(Unit.objects.values_list("pk", "code", "name", "parent_id", "valid_to")) == units_before
    )
    assert (
        set(UnitChange.objects.values_list("predecessor_id", "successor_id", "kind", "is_partial"))
        == changes_before
    )


def test_reload_repairs_an_edited_unit():
    Unit.objects.filter(code="464").update(name="Huyện Sai Tên")
    out = load()
    assert "1 cập nhật" in out
    assert Unit.objects.get(code="464").name == "Huyện Vĩnh Linh"


def test_summary_shows_lineage_coverage():
    out = load()
    assert "Xã cũ có đơn vị kế thừa:" in out
    assert "/10051 (" in out


def copy_units_dir(tmp_path: Path) -> Path:
    target = tmp_path / "units"
    shutil.copytree(UNITS_DIR, target)
    return target


def replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_malformed_row_stops_the_load_naming_file_and_row(tmp_path):
    directory = copy_units_dir(tmp_path)
    # A valid change in the first file, and a broken row in the second: neither may land.
    replace_line(directory / "admin_units_2024.csv", 3, "district,001,Quận Ba Đình Mới,huyện,01")
    replace_line(directory / "admin_units_2025.csv", 40, "commune,12AB,Xã Hỏng,xã,01,")
    with pytest.raises(CommandError) as caught:
        load(units_dir=directory)
    assert "admin_units_2025.csv, dòng 40" in str(caught.value)
    assert "cột code" in str(caught.value)
    assert Unit.objects.get(code="001").name == "Quận Ba Đình"


def test_a_malformed_row_loads_nothing_into_an_empty_database(tmp_path):
    Plan.objects.all().delete()
    Figure.history.all().delete()
    Figure.objects.all().delete()
    Agency.objects.all().delete()
    UnitChange.objects.all().delete()
    Unit.objects.filter(level="commune").delete()
    Unit.objects.filter(level="district").delete()
    Unit.objects.all().delete()
    directory = copy_units_dir(tmp_path)
    replace_line(directory / "admin_units_2024.csv", 9000, "commune,99999,Xã Mồ Côi,xã,998")
    with pytest.raises(CommandError, match=r"admin_units_2024\.csv, dòng 9000"):
        load(units_dir=directory)
    assert Unit.objects.count() == 0
    assert UnitChange.objects.count() == 0
    assert Agency.objects.count() == 0


def test_a_reload_repairs_a_seed_nobody_changed_and_keeps_one_a_person_did():
    from django.contrib.auth import get_user_model

    from indicators.writes import store

    seeds = Figure.objects.filter(unit__code="464", period="2020Q4", scope="self")
    untouched = seeds.get(indicator__code="HR_COMPUTER_USE")
    Figure.objects.filter(pk=untouched.pk).update(value=1)  # not a person's write: no history
    corrected = seeds.get(indicator__code="APP_DIGSIG_DOCS")
    corrected.value = 72
    administrator = get_user_model().objects.create_superuser("root", password="x")
    store.figures_store(update=[corrected], by=administrator, was_published=True)
    load()  # as every deployment does (docker/entrypoint.sh setup)
    assert seeds.get(pk=untouched.pk).value == 100
    assert seeds.get(pk=corrected.pk).value == 72


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the planner's statistics are PostgreSQL's",
)
def test_the_planner_knows_the_units_after_a_load():
    """Without statistics PostgreSQL took the country's 10,000 communes for 7 and planned a
    national year's roll-up as nested loops (over six minutes instead of 3 s)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'units_unit'::regclass")
        load()
        cursor.execute(
            "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats"
            " WHERE tablename = 'units_unit' AND attname = 'level'"
        )
        values, freqs = cursor.fetchone()
    share = dict(zip(values, freqs, strict=True))
    assert share["commune"] > 0.9
