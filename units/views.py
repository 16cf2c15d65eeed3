"""Pages: browse the unit hierarchy as of a date, and one unit with its lineage."""

import datetime

from django.http import Http404
from django.shortcuts import render

from units import selectors
from units.forms import UnitBrowseForm
from units.reference_files import STRUCTURE_2024_VALID_TO, STRUCTURE_2025_VALID_FROM

SEARCH_LIMIT = 200


def _date_param(request) -> datetime.date | None:
    raw = request.GET.get("on")
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None


def unit_browse(request):
    form = UnitBrowseForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    on = data.get("on") or selectors.today()
    parent = selectors.unit_get_by_code(code=data["parent"], on=on) if data.get("parent") else None
    found = None
    if data.get("q"):
        # The page shows the best SEARCH_LIMIT matches, ranked; `found` is how many there are
        # (what the API's count says for the same q and on), not how many are shown.
        matches = selectors.unit_list(on=on, q=data["q"])
        found = matches.count()
        units = matches[:SEARCH_LIMIT]
    elif parent is not None:
        units = selectors.unit_children(unit=parent, on=on).select_related("parent")
    else:
        units = selectors.unit_list(on=on, level="province")
    return render(
        request,
        "units/unit_browse.html",
        {
            "form": form,
            "on": on,
            "q": data.get("q", ""),
            "parent": parent,
            "ancestors": selectors.unit_ancestors(unit=parent) if parent else [],
            "units": units,
            "found": found,
            "search_limit": SEARCH_LIMIT,
            "day_2024": STRUCTURE_2024_VALID_TO,
            "day_2025": max(STRUCTURE_2025_VALID_FROM, selectors.today()),
        },
    )


def unit_detail(request, code: str):
    unit = selectors.unit_get_by_code(code=code, on=_date_param(request))
    today = selectors.today()
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "ancestors": selectors.unit_ancestors(unit=unit),
            "children": selectors.unit_children(unit=unit),
            "agencies": selectors.agency_list(unit=unit),
            "in_force_today": unit.is_in_force(today),
            "successors_today": (
                selectors.unit_successors(unit=unit, on=today)
                if not unit.is_in_force(today)
                else []
            ),
            "today": today,
        },
    )
