"""Pages: the indicator catalogue, and one indicator with its figures."""

from django.shortcuts import get_object_or_404, render

from accounts import policy
from indicators import selectors
from indicators.models import Indicator

FIGURES_SHOWN = 500


def indicator_catalogue(request):
    pillar = request.GET.get("pillar") or None
    if pillar not in Indicator.Pillar.values:
        pillar = None
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "indicators/catalogue.html",
        {
            "indicators": selectors.indicator_list(pillar=pillar, q=q or None),
            "pillars": Indicator.Pillar.choices,
            "pillar": pillar,
            "q": q,
        },
    )


def indicator_detail(request, code: str):
    indicator = get_object_or_404(Indicator, code=code)
    figures = selectors.figure_list().filter(
        policy.figure_visibility_q(request.user), indicator=indicator
    )
    return render(
        request,
        "indicators/indicator_detail.html",
        {"indicator": indicator, "figures": figures[:FIGURES_SHOWN], "limit": FIGURES_SHOWN},
    )
