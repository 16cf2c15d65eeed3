"""Marks of the units whose aggregate rows were written or deleted (docs/decisions/0041);
every unit holding rows is marked once, so that its rows can be kept from the start."""

from django.db import migrations, models


def mark_units_holding_rows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # (marks are made and read on PostgreSQL only: aggregate_table.mark)
    schema_editor.execute(
        "INSERT INTO indicators_aggregatemark (unit_id)"
        " SELECT DISTINCT unit_id FROM indicators_aggregate ORDER BY unit_id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0016_figure_entered_by_unchecked"),
    ]

    operations = [
        migrations.CreateModel(
            name="AggregateMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("unit_id", models.BigIntegerField(db_index=True)),
            ],
        ),
        migrations.RunPython(mark_units_holding_rows, migrations.RunPython.noop),
    ]
