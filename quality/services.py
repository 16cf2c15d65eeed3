"""Writes to quality: the starting set of validation rules."""

import csv
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from quality.models import ValidationRule

RULES_FILE = Path(settings.BASE_DIR) / "fixtures" / "quality" / "validation_rules.csv"
FIELDS = ("left", "operator", "right", "severity", "message", "message_en", "reason")


@transaction.atomic
def validation_rules_load(path: Path = RULES_FILE) -> int:
    """Create or update the rules of the file by code (an administrator's other rules are
    left alone); all or nothing: a rule that does not parse stops the load, naming its row.
    Returns how many rules the file holds."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        rule = ValidationRule.objects.filter(code=row["code"]).first() or ValidationRule(
            code=row["code"]
        )
        for field in FIELDS:
            setattr(rule, field, row[field])
        try:
            rule.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise ValidationError(f"{path.name}, dòng {number} ({row['code']}): {exc}") from exc
        rule.save()
    return len(rows)
