from django.shortcuts import render

from units.models import Unit
from units.selectors import today, unit_count_by_level


def home(request):
    day = today()
    before = Unit.objects.filter(valid_to__isnull=False).order_by("-valid_to").first()
    return render(
        request,
        "home.html",
        {
            "today": day,
            "counts_today": unit_count_by_level(on=day),
            "day_before": before.valid_to if before else None,
            "counts_before": unit_count_by_level(on=before.valid_to) if before else {},
        },
    )
