"""What every page's template gets besides the request: which tab of the main menu is its.

The one place the menu's active tab is decided (templates/base.html reads `nav_tab`). A page
whose tab depends on what it shows rather than on its address — a report, which is the
reviewer's desk to its reviewer and the official's own report to its official — passes
`nav_tab` in its context, which Django puts above what a context processor gives.
"""

# url name → tab, for the pages whose tab is not their namespace's.
PAGE_TABS = {
    "reports:compare": "compare",
    "entry:review-inbox": "review",
    "entry:review-act": "review",
}
# namespace → tab.
NAMESPACE_TABS = {
    "units": "units",
    "indicators": "indicators",
    "plans": "plans",
    "reports": "dashboards",
    "entry": "entry",
}


def nav_tab(request) -> dict:
    """{"nav_tab": "units" | "indicators" | "plans" | "dashboards" | "compare" | "entry" |
    "review" | ""} for the page being shown."""
    match = getattr(request, "resolver_match", None)
    if match is None:  # an error page raised before the URL was resolved
        return {"nav_tab": ""}
    tab = PAGE_TABS.get(match.view_name) or NAMESPACE_TABS.get(match.namespace, "")
    return {"nav_tab": tab}
