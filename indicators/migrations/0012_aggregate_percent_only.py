"""A ratio keeps the counts it has (rollup.finish): the members with counts give Σ/Σ and
those with only a percentage are counted in `percent_only`; a unit formed from others whose
predecessor has no value counts its predecessors (rollup.combine_predecessors). Rows
computed by the old rules are forgotten; until `python manage.py build_aggregates` stores
them again, each is computed from the figures when read (a missing row is never wrong,
only slower)."""

from django.db import migrations, models


def forget(apps, schema_editor):
    apps.get_model("indicators", "Aggregate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0011_figure_is_approximate")]

    operations = [
        migrations.AddField(
            model_name="aggregate",
            name="percent_only",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(forget, migrations.RunPython.noop),
    ]
