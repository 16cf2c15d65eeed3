"""A figure's notes on a report's row (comments, follow-up, evidence), written as a tag.

It was a template included on every row of the quarterly form and of the review page, some
50 µs an `{% include %}`; a tag costs a tenth of that (benchmarks/RESULTS.md, issue 17).
The HTML is the template's own, line breaks included.
"""

from django import template
from django.template.defaultfilters import truncatechars, urlencode
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_CSRF = CsrfTokenNode()


def _badges(notes) -> str:
    parts = []
    if getattr(notes, "comments", 0):
        parts.append(
            format_html(
                ' <span class="badge text-bg-light border" title="{}">💬 {}</span>',
                _("Số bình luận"),
                localize(notes.comments),
            )
        )
    if getattr(notes, "follow_up", False):
        parts.append(
            format_html(
                ' <span class="badge text-bg-warning" data-follow-up-open>{}</span>',
                _("Cần theo dõi"),
            )
        )
    if getattr(notes, "evidence", 0):
        parts.append(
            format_html(
                ' <span class="badge text-bg-light border" title="{}">📎 {}</span>',
                _("Số minh chứng"),
                localize(notes.evidence),
            )
        )
    if getattr(notes, "evidence_missing", False):
        parts.append(
            format_html(
                ' <span class="badge text-bg-danger" data-evidence-missing>{}</span>',
                _("Thiếu minh chứng"),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part made by format_html


def _comment_form(context, figure, url: str, path: str) -> str:
    return format_html(
        '<details class="mt-1"><summary>{}</summary><form method="post" action="{}" novalidate>'
        '{}<input type="hidden" name="action" value="comment"><input type="hidden" name="back" '
        'value="1"><input type="hidden" name="next" value="{}"><label class="visually-hidden" '
        'for="comment-{}">{}</label><textarea class="form-control form-control-sm" '
        'id="comment-{}" name="text" rows="2" maxlength="2000"></textarea><button '
        'class="btn btn-sm btn-outline-primary mt-1" type="submit">{}</button></form></details>',
        _("Viết bình luận"),
        url,
        mark_safe(_CSRF.render(context)),  # noqa: S308 - Django's own csrf_token tag
        path,
        localize(figure.pk),
        _("Bình luận của bạn"),
        localize(figure.pk),
        _("Gửi bình luận"),
    )


@register.simple_tag(takes_context=True)
def figure_notes(context, figure, notes, with_comments=False) -> SafeString:
    """The link to the figure's page, its notes' badges and last comments, and, on the review
    page, a box to comment (quality.checks.FigureNotes)."""
    if not figure:
        return mark_safe("\n")
    path = context["request"].get_full_path()
    url = reverse("quality:figure", args=[figure.pk])
    latest = format_html_join(
        "",
        '<div class="border-start ps-2 mt-1" data-comment><span class="text-body-secondary">'
        "{}:</span> {}</div>",
        (
            (c.author.get_full_name() or c.author.username, truncatechars(c.text, 200))
            for c in getattr(notes, "latest", ())
        ),
    )
    return format_html(
        '<div class="small mt-1 figure-notes no-print" data-notes><a href="{}?next={}" '
        'data-figure-link="{}">{}</a>{}\n{}\n{}</div>\n',
        url,
        urlencode(path),
        figure.indicator.code,
        _("Bình luận, theo dõi, minh chứng"),
        _badges(notes),
        latest,
        _comment_form(context, figure, url, path) if with_comments else "",
    )
