"""Figure rows are written in one place, indicators/writes/store.py (issue 17, item 1): every
statement that inserts, changes or deletes a row of the figures table comes from it,
whichever way the change came in: the quarterly form, the review workflow, the API's
create, update and delete, the bulk API (small and, on PostgreSQL, large by COPY), the
officials' file import, the admin's form, delete and import."""

import ast
import re
import traceback
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.services import demo_users_create
from entry.services import EntryValue, applicable_indicators, entry_save, submission_act
from indicators.models import Figure
from indicators.periods import parse_period
from units.models import Unit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STORE = "indicators/writes/store.py"
# A statement that writes rows of the figures table (not of its history table).
WRITES_FIGURES = re.compile(
    rf'\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?{Figure._meta.db_table}"?(\s|$)', re.I
)
Q4 = parse_period("2024Q4")


@contextmanager
def figure_writes_outside_the_store():
    """The statements writing figure rows that do not come from indicators/writes/store.py, with
    the project's frames that sent them."""
    outside: list[tuple[str, list[str]]] = []

    def watch(execute, sql, params, many, context):
        if WRITES_FIGURES.search(sql):
            frames = [
                f"{Path(f.filename).relative_to(ROOT)}:{f.lineno}"
                for f in traceback.extract_stack()
                if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename
            ]
            if not any(frame.startswith(STORE) for frame in frames):
                outside.append((sql[:80], frames))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield outside


@pytest.fixture
def users():
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


def test_every_way_a_figure_changes_writes_through_the_store(client, api_client, users):
    hoxa = Unit.objects.in_force(Q4.end).get(code="19363")
    official, reviewer, admin = (
        users["hoxa.nhaplieu"],
        users["vinhlinh.duyet"],
        users["admin"],
    )
    with figure_writes_outside_the_store() as outside:
        # The quarterly form: create, change, clear; then the workflow.
        values = {
            i.code: EntryValue(numerator="1", denominator="2")
            if i.value_type == "ratio"
            else EntryValue(value="1")
            for i in applicable_indicators(hoxa, None, Q4)
        }
        result = entry_save(
            user=official, unit=hoxa, agency=None, period=Q4, values=values, version=0
        )
        report = result.submission
        values["INF_LAN"] = EntryValue(value="0")
        entry_save(user=official, unit=hoxa, agency=None, period=Q4, values=values, version=1)
        values["HR_IT_STAFF"] = EntryValue()  # emptied: cleared
        entry_save(user=official, unit=hoxa, agency=None, period=Q4, values=values, version=2)
        values["HR_IT_STAFF"] = EntryValue(value="3")
        entry_save(
            user=official,
            unit=hoxa,
            agency=None,
            period=Q4,
            values=values,
            version=3,
            submit=True,
        )
        submission_act(user=reviewer, submission=report, action="return", reason="Thiếu")
        submission_act(user=official, submission=report, action="submit")
        submission_act(user=reviewer, submission=report, action="approve")
        submission_act(user=reviewer, submission=report, action="reopen", reason="Sai")

        # The API: create, update, delete.
        api_client.force_authenticate(admin)
        row = {"unit_code": "19363", "on": "2024-01-01", "period": "2025Q1"}
        created = api_client.post(
            "/api/v1/observations/",
            row | {"indicator": "INF_LAN", "value": "1"},
            format="json",
        )
        assert created.status_code == 201, created.content
        figure_id = created.json()["id"]
        assert (
            api_client.patch(
                f"/api/v1/observations/{figure_id}/", {"value": "0"}, format="json"
            ).status_code
            == 200
        )
        assert api_client.delete(f"/api/v1/observations/{figure_id}/").status_code == 204

        # The bulk API and the officials' file import.
        csv = "unit_code,on,indicator,period,value\n19363,2024-01-01,HR_IT_STAFF,2025Q1,4\n"
        bulk = api_client.post(
            "/api/v1/observations/bulk/", csv, content_type="text/csv; charset=utf-8"
        )
        assert bulk.json()["created"] == 1, bulk.content
        again = csv.replace(",4\n", ",5\n")
        assert (
            api_client.post(
                "/api/v1/observations/bulk/", again, content_type="text/csv; charset=utf-8"
            ).json()["updated"]
            == 1
        )
        if connection.vendor == "postgresql":  # large files go by COPY
            communes = Unit.objects.in_force(Q4.end).filter(level="commune")[:130]
            many = "unit_code,on,indicator,period,value\n" + "".join(
                f"{commune.code},2024-01-01,HR_IT_STAFF,{year}Q{q},2\n"
                for commune in communes
                for year in (2022, 2023)
                for q in (1, 2, 3, 4)
            )
            stored = api_client.post(
                "/api/v1/observations/bulk/", many, content_type="text/csv; charset=utf-8"
            )
            assert stored.json()["created"] == 1040, stored.content[:300]
        client.force_login(official)
        upload = SimpleUploadedFile("mau.csv", again.replace("2025Q1", "2025Q2").encode())
        assert client.post("/entry/import/", {"file": upload}).status_code == 200

        # The admin: its form (add, change), its delete, its import.
        client.force_login(admin)
        figure = Figure.objects.get(unit=hoxa, indicator__code="HR_IT_STAFF", period="2025Q1")
        form = {
            "value": "6",
            "status": "draft",
            "source": "",
            "note": "",
            "_save": "Lưu",
        }
        response = client.post(f"/admin/indicators/figure/{figure.pk}/change/", form)
        assert response.status_code == 302, response.content[:500]
        assert Figure.objects.get(pk=figure.pk).value == 6
        response = client.post(f"/admin/indicators/figure/{figure.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        upload = SimpleUploadedFile(
            "figures.csv",
            b"unit_code,unit_on,agency,indicator,period,scope,value,numerator,denominator,"
            b"source,source_on,note\n19363,2024-01-01,,HR_IT_STAFF,2024Q3,self,7,,,,,\n",
        )
        page = client.post(
            "/admin/indicators/figure/import/",
            {"format": "0", "resource": "0", "import_file": upload},
        )
        confirm = page.context["confirm_form"]
        client.post("/admin/indicators/figure/process_import/", confirm.initial)
        assert Figure.objects.filter(unit=hoxa, period="2024Q3").count() == 1

    assert outside == [], "\n".join(f"{sql} from {frames}" for sql, frames in outside)


# Modules that may write figure rows without the store, each with its reason.
ALLOWED = {
    STORE: "the one place",
    "indicators/writes/copy_write.py": "the store's COPY strategy, called by the store only",
    "indicators/synthetic.py": "generated benchmark data, not figures anyone entered: no "
    "history, no reports (generate_national_data)",
}
WRITE_METHODS = {
    "create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
    "get_or_create",
    "update_or_create",
}


def project_modules():
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {".venv", "tests", "benchmarks", "scripts"}:
            continue
        if "/migrations/" in relative:
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"))


def test_no_module_but_the_store_writes_figures_through_the_orm_or_copy():
    found = []
    for relative, tree in project_modules():
        if relative in ALLOWED:
            continue
        for node in ast.walk(tree):
            # Figure.objects.<write>(…), Figure.objects.filter(…).<write>(…)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in WRITE_METHODS and "Figure.objects" in ast.unparse(
                    node.func.value
                ):
                    found.append(f"{relative}:{node.lineno} {ast.unparse(node)[:60]}")
                # bulk_create_with_history(…, Figure) and its update twin
                name = node.func.attr
            else:
                name = getattr(getattr(node, "func", None), "id", "")
            if (
                isinstance(node, ast.Call)
                and name.startswith("bulk_")
                and any(isinstance(a, ast.Name) and a.id == "Figure" for a in node.args)
            ):
                found.append(f"{relative}:{node.lineno} {name}")
            # The COPY strategy is the store's.
            if (
                isinstance(node, ast.ImportFrom)
                and node.module in {"indicators", "indicators.writes"}
                and any(alias.name == "copy_write" for alias in node.names)
            ):
                found.append(f"{relative}:{node.lineno} imports copy_write")
    assert found == []


SERVICE = "indicators/writes/"
# accounts.policy's rules for writing figures: asked by the write service only.
WRITING_RULES = {"can_change_approved", "can_enter_scope", "writes_any_figure", "APPROVED_LOCKED"}


def rules_asked(relative: str, tree: ast.AST) -> list[str]:
    """Where a module asks accounts.policy a rule of writing figures, or locks figures or
    reports itself."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in WRITING_RULES
            and ast.unparse(node.value) == "policy"
        ):
            found.append(f"{relative}:{node.lineno} policy.{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
            and any(
                name in ast.unparse(node.func.value)
                for name in ("Figure", "Submission", "report_figures")
            )
        ):
            found.append(f"{relative}:{node.lineno} {ast.unparse(node)[:60]}")
    return found


def test_only_the_write_service_asks_the_writing_rules_and_takes_the_locks():
    """The rules of writing figures (who may write which figure, published figures, a
    report closed to writing) and the locks of figures and reports, in their one order, are
    the write service's (indicators/writes/rules.py): every other module asks it."""
    found = []
    for relative, tree in project_modules():
        if relative.startswith(SERVICE) or relative == "accounts/policy.py":
            continue
        found += rules_asked(relative, tree)
    assert found == []


def test_the_check_finds_a_rule_asked_or_a_lock_taken_elsewhere():
    tree = ast.parse(
        "def f(user, figure, report, jobs):\n"
        "    if not policy.can_change_approved(user):\n"
        "        Figure.objects.select_for_update().filter(pk=figure.pk)\n"
        "    report_figures(report).select_for_update()\n"
        "    policy.can_view_unit(user, figure.unit)\n"
        "    jobs.select_for_update()\n"
    )
    assert sorted(rules_asked("m.py", tree)) == [
        "m.py:2 policy.can_change_approved",
        "m.py:3 Figure.objects.select_for_update()",
        "m.py:4 report_figures(report).select_for_update()",
    ]
