"""The one place figure rows are written: created, changed and deleted, each with its
history record, and the live aggregates told which approved figures changed.

The write service's operations (indicators.writes: reports, figures, bulk) decide what to
write, under the locks and rules of indicators.writes.rules (docs/decisions/0012, 0036), and
hand it here; nothing outside indicators.writes imports this module (import-linter), and
tests/test_write_paths.py fails if figure rows are written anywhere else.

Strategies by size: on PostgreSQL, from copy_write.usable() rows, COPY (docs/decisions/0010),
for changed rows from copy_write.UPDATE_BY_COPY; below, one INSERT for the new rows and one
plain UPDATE statement run for each changed one (Django's bulk_update builds a CASE per
column and row: 2.5 ms a row on SQLite).
"""

from collections.abc import Iterable, Iterator, Sequence

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators import aggregates
from indicators.models import FIGURE_WRITABLE, Figure
from indicators.writes import copy_write

APPROVED = Figure.Status.APPROVED
BATCH = 2000


def figures_store(
    *,
    create: Sequence[Figure] = (),
    update: Sequence[Figure] = (),
    delete: Sequence[Figure] = (),
    by=None,
    was_published: bool = False,
) -> None:
    """Insert `create` (unsaved figures), store the FIGURE_WRITABLE columns of `update`
    (stored figures changed in memory) and delete `delete`, with their history records
    ("+", "~", "-") in the name of `by`.

    Roll-ups read approved figures only: the aggregates are told the keys of the figures
    approved now or before the change. The caller, who read the stored figures, says
    whether those it changes or deletes were approved (`was_published`)."""
    user = by if by is not None and by.is_authenticated else None
    if create:
        # In key order, as every writer inserts new figures: two writers making the same
        # ones wait for each other instead of deadlocking (docs/decisions/0012).
        ordered = sorted(create, key=_insert_order)
        bulk_create_with_history(ordered, Figure, batch_size=BATCH, default_user=user)
    if update:
        _update(list(update), user)
    for figure in delete:
        figure._history_user = user
        figure.delete()
    aggregates.figures_changed(_keys(create, update, delete, only_approved=not was_published))


def streams(count: int) -> bool:
    """Whether `count` new figures go by COPY, stored as they come (figures_copy_create)."""
    return copy_write.usable(count)


def figures_copy_create(rows: Iterable, *, count: int, by) -> list:
    """The new figures a large import yields (unsaved figures or rows with the same
    attributes), inserted by COPY as they come while the next are checked: see
    copy_write.copy_create. Returns those created."""
    user = by if by is not None and by.is_authenticated else None
    created = copy_write.copy_create(rows, count=count, history_user_id=user.pk if user else None)
    aggregates.figures_changed(_keys(created, only_approved=True))
    return created


def _keys(*groups, only_approved: bool = False) -> Iterator[tuple[int, int, str]]:
    """The aggregates' keys (unit, indicator, period) of these figures (the approved ones),
    as they come (an import's 100,000 are not gathered into a set). An agency's figure
    counts for its unit."""
    return (
        (f.unit_id, f.indicator_id, f.period)
        for group in groups
        for f in group
        if not only_approved or f.status == APPROVED
    )


def _insert_order(figure) -> tuple:
    """figure_key's order, with "no agency" first (None does not sort among ids)."""
    return (figure.unit_id, figure.agency_id or 0, figure.indicator_id, figure.period, figure.scope)


def _update(figures: list[Figure], user) -> None:
    now = timezone.now()
    for figure in figures:
        figure.updated_at = now
    if copy_write.usable(len(figures), least=copy_write.UPDATE_BY_COPY):
        copy_write.copy_update(figures, history_user_id=user.pk if user else None, now=now)
        return
    fields = [Figure._meta.get_field(name) for name in (*FIGURE_WRITABLE, "updated_at")]
    setting = ", ".join(f"{field.column} = %s" for field in fields)
    rows = [
        [field.get_db_prep_save(getattr(f, field.attname), connection) for field in fields] + [f.pk]
        for f in figures
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Figure._meta.db_table} SET {setting} WHERE id = %s",  # noqa: S608
            rows,
        )
    # The history as bulk_update_with_history writes it.
    Figure.history.bulk_history_create(figures, batch_size=BATCH, update=True, default_user=user)
