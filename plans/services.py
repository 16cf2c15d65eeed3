"""Writes to plans, their budget lines and targets."""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from egov_portal.history_reasons import REFERENCE_LOAD
from indicators import versions
from indicators.models import Indicator
from plans.models import BudgetLine, Plan, Target
from plans.validation import target_check
from units.models import Unit
from units.reference_files import ReferenceFileError, open_rows, parse_date

PLAN_COLUMNS = (
    "code",
    "kind",
    "number",
    "title",
    "issuer",
    "issuing_unit_code",
    "issuing_unit_on",
    "issued_on",
    "year_from",
    "year_to",
    "goal",
    "implements",
    "implements_note",
    "source",
    "source_on",
)
TARGET_COLUMNS = (
    "plan",
    "indicator",
    "scope",
    "mode",
    "comparator",
    "value",
    "value_max",
    "deadline",
    "mandatory",
    "baseline_value",
    "baseline_period",
    "note",
)
BUDGET_COLUMNS = ("plan", "source", "amount", "at_least", "note")
_PLAN_FIELDS = (
    "kind",
    "number",
    "title",
    "issuer",
    "issuing_unit",
    "issued_on",
    "year_from",
    "year_to",
    "goal",
    "implements_note",
    "source",
    "source_on",
)
_TARGET_FIELDS = (
    "mode",
    "comparator",
    "value",
    "value_max",
    "deadline_start",
    "deadline_end",
    "mandatory",
    "baseline_value",
    "baseline_period",
    "note",
    "position",
)


@dataclass
class PlansLoadSummary:
    plans: int = 0
    targets: int = 0
    budget_lines: int = 0
    changed: int = 0


def _text(record: dict, column: str) -> str:
    return (record.get(column) or "").strip()


def _choice(path: Path, row: int, column: str, value: str, choices) -> str:
    if value not in {c.value for c in choices}:
        allowed = ", ".join(c.value for c in choices)
        raise ReferenceFileError(path, row, f"cột {column}: «{value}» không thuộc {allowed}.")
    return value


def _flag(path: Path, row: int, column: str, value: str) -> bool:
    if value not in ("", "0", "1"):
        raise ReferenceFileError(path, row, f"cột {column}: chỉ nhận 0 hoặc 1.")
    return value == "1"


def _year(path: Path, row: int, column: str, value: str) -> int:
    if not value.isdigit() or not 1990 <= int(value) <= 2100:
        raise ReferenceFileError(path, row, f"cột {column}: «{value}» không phải năm.")
    return int(value)


def _read_plans(path: Path) -> tuple[list[Plan], dict[str, list[str]]]:
    plans, implements = [], {}
    units: dict[str, list[Unit]] = {}
    records = list(open_rows(path, PLAN_COLUMNS))
    codes = {_text(r, "issuing_unit_code") for _, r in records} - {""}
    for unit in Unit.objects.filter(code__in=codes):
        units.setdefault(unit.code, []).append(unit)
    for number, record in records:
        code = _text(record, "code")
        if not code:
            raise ReferenceFileError(path, number, "cột code: thiếu mã kế hoạch.")
        unit = None
        unit_code = _text(record, "issuing_unit_code")
        if unit_code:
            day = parse_date(path, number, "issuing_unit_on", record["issuing_unit_on"])
            if day is None:
                raise ReferenceFileError(path, number, "cột issuing_unit_on: thiếu ngày.")
            unit = next((u for u in units.get(unit_code, []) if u.is_in_force(day)), None)
            if unit is None:
                raise ReferenceFileError(
                    path,
                    number,
                    f"cột issuing_unit_code: không có đơn vị mã {unit_code} "
                    f"vào ngày {day:%d/%m/%Y}.",
                )
        year_from = _year(path, number, "year_from", _text(record, "year_from"))
        year_to = _year(path, number, "year_to", _text(record, "year_to"))
        if year_from > year_to:
            raise ReferenceFileError(path, number, "cột year_to: năm cuối trước năm đầu.")
        plans.append(
            Plan(
                code=code,
                kind=_choice(path, number, "kind", _text(record, "kind"), Plan.Kind),
                number=_text(record, "number"),
                title=_text(record, "title"),
                issuer=_text(record, "issuer"),
                issuing_unit=unit,
                issued_on=parse_date(path, number, "issued_on", record["issued_on"]),
                year_from=year_from,
                year_to=year_to,
                goal=_text(record, "goal"),
                implements_note=_text(record, "implements_note"),
                source=_text(record, "source"),
                source_on=parse_date(path, number, "source_on", record["source_on"]),
            )
        )
        implements[code] = [c.strip() for c in _text(record, "implements").split(";") if c.strip()]
    known = {p.code for p in plans}
    for number, record in records:
        for parent in implements[_text(record, "code")]:
            if parent not in known:
                raise ReferenceFileError(
                    path, number, f"cột implements: không có kế hoạch mã «{parent}»."
                )
    return plans, implements


def _read_targets(path: Path, plans: dict[str, Plan]) -> list[Target]:
    indicators = {i.code: i for i in Indicator.objects.all()}
    targets, positions = [], {}
    for number, record in open_rows(path, TARGET_COLUMNS):
        plan = plans.get(_text(record, "plan"))
        if plan is None:
            raise ReferenceFileError(
                path, number, f"cột plan: không có kế hoạch «{record['plan']}»."
            )
        indicator = indicators.get(_text(record, "indicator"))
        if indicator is None:
            raise ReferenceFileError(
                path, number, f"cột indicator: không có chỉ tiêu «{record['indicator']}»."
            )
        scope = _choice(path, number, "scope", _text(record, "scope"), Target.Scope)
        mode = _choice(path, number, "mode", _text(record, "mode"), Target.Mode)
        comparator = _choice(
            path, number, "comparator", _text(record, "comparator"), Target.Comparator
        )
        try:
            checked = target_check(
                indicator=indicator,
                issuing_unit=plan.issuing_unit,
                scope=scope,
                mode=mode,
                comparator=comparator,
                value=_text(record, "value"),
                value_max=_text(record, "value_max"),
                deadline=_text(record, "deadline"),
                baseline_value=_text(record, "baseline_value"),
                baseline_period=_text(record, "baseline_period"),
            )
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ReferenceFileError(path, number, f"cột {field}: {messages[0]}") from None
        positions[plan.code] = positions.get(plan.code, 0) + 1
        targets.append(
            Target(
                plan=plan,
                indicator=indicator,
                scope=scope,
                mode=mode,
                comparator=comparator,
                value=checked.value,
                value_max=checked.value_max,
                deadline=checked.deadline_fields()[0],
                deadline_start=checked.deadline_fields()[1],
                deadline_end=checked.deadline_fields()[2],
                mandatory=_flag(path, number, "mandatory", _text(record, "mandatory")),
                baseline_value=checked.baseline_value,
                baseline_period=checked.baseline_period.id if checked.baseline_period else "",
                note=_text(record, "note"),
                position=positions[plan.code],
            )
        )
    return targets


def _read_budget(path: Path, plans: dict[str, Plan]) -> list[BudgetLine]:
    lines = []
    for number, record in open_rows(path, BUDGET_COLUMNS):
        plan = plans.get(_text(record, "plan"))
        if plan is None:
            raise ReferenceFileError(
                path, number, f"cột plan: không có kế hoạch «{record['plan']}»."
            )
        amount = _text(record, "amount")
        if not amount.isdigit():
            raise ReferenceFileError(path, number, f"cột amount: «{amount}» không phải số đồng.")
        lines.append(
            BudgetLine(
                plan=plan,
                source=_choice(path, number, "source", _text(record, "source"), BudgetLine.Source),
                amount=int(amount),
                at_least=_flag(path, number, "at_least", _text(record, "at_least")),
                note=_text(record, "note"),
            )
        )
    return lines


@transaction.atomic(durable=True)
def plans_load(*, directory: Path) -> PlansLoadSummary:
    """Creates or updates the plans, targets and budget lines of `directory` (plans.csv,
    targets.csv, budget_lines.csv) all-or-nothing; raises ReferenceFileError naming the file,
    row and column of the first problem. A second run changes nothing."""
    wanted, implements = _read_plans(directory / "plans.csv")
    summary = PlansLoadSummary(plans=len(wanted))
    existing = {p.code: p for p in Plan.objects.filter(code__in=[p.code for p in wanted])}
    plans: dict[str, Plan] = {}
    for plan in wanted:
        current = existing.get(plan.code)
        if current is None:
            plan._change_reason = REFERENCE_LOAD
            plan.save()
            summary.changed += 1
            current = plan
        elif any(getattr(current, f) != getattr(plan, f) for f in _PLAN_FIELDS):
            for f in _PLAN_FIELDS:
                setattr(current, f, getattr(plan, f))
            current._change_reason = REFERENCE_LOAD
            current.save()
            summary.changed += 1
        plans[plan.code] = current
    for code, parents in implements.items():
        wanted_parents = {plans[p].pk for p in parents}
        plan = plans[code]
        if set(plan.implements.values_list("pk", flat=True)) != wanted_parents:
            plan._change_reason = REFERENCE_LOAD
            plan.implements.set(wanted_parents)
            summary.changed += 1

    targets = _read_targets(directory / "targets.csv", plans)
    summary.targets = len(targets)
    summary.changed += _sync(
        Target.objects.filter(plan__in=plans.values()),
        targets,
        key=lambda t: (t.plan_id, t.indicator_id, t.scope, t.deadline),
        fields=_TARGET_FIELDS,
    )
    lines = _read_budget(directory / "budget_lines.csv", plans)
    summary.budget_lines = len(lines)
    summary.changed += _sync(
        BudgetLine.objects.filter(plan__in=plans.values()),
        lines,
        key=lambda b: (b.plan_id, b.source),
        fields=("amount", "at_least", "note"),
    )
    return summary


def _sync(existing_qs, wanted: list, *, key, fields) -> int:
    """Makes the rows of `existing_qs` those of `wanted` (by natural key); returns changes."""
    existing = {key(row): row for row in existing_qs}
    changed = 0
    to_create, to_update = [], []
    for row in wanted:
        current = existing.pop(key(row), None)
        if current is None:
            to_create.append(row)
        elif any(getattr(current, f) != getattr(row, f) for f in fields):
            for f in fields:
                setattr(current, f, getattr(row, f))
            to_update.append(current)
    model = existing_qs.model
    # Written with their history rows; the delete below writes its "-" rows by signal.
    if to_create:
        bulk_create_with_history(to_create, model, default_change_reason=REFERENCE_LOAD)
    if to_update:
        bulk_update_with_history(to_update, model, fields, default_change_reason=REFERENCE_LOAD)
    if existing:
        model.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    changed = len(to_create) + len(to_update) + len(existing)
    if changed:  # (the bulk writes send no signals)
        versions.reference_changed()
    return changed
