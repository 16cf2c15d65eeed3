"""The default requirements (docs/decisions/0018): for each level and kind of agency, the
indicators that apply to it and that a plan sets a target for. On a database without the
catalogue yet (a fresh one: the reference data is loaded after migrating) nothing is
written, and entry.requirements applies the same default until the administrator names
requirements of a level."""

from django.db import migrations

REPORTERS = (
    ("levels", ("province", "district", "commune")),
    (
        "agency_kinds",
        ("peoples_committee", "department", "office", "public_service", "school", "other"),
    ),
)


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Target = apps.get_model("plans", "Target")
    Requirement = apps.get_model("entry", "ReportingRequirement")
    targeted = set(Target.objects.values_list("indicator_id", flat=True))
    rows = []
    for field, reporters in REPORTERS:
        for reporter in reporters:
            for indicator in Indicator.objects.filter(
                pk__in=targeted, **{f"{field}__contains": f",{reporter},"}
            ):
                rows.append(Requirement(indicator=indicator, reporter=reporter, plan=None))
    Requirement.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("entry", "0006_reporting_requirement"),
        ("plans", "0003_target_without_deadline"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
