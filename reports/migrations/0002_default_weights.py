from django.db import migrations

PILLARS = (
    "infrastructure",
    "human_resources",
    "internal_apps",
    "public_services",
    "information",
    "security",
)


def create(apps, schema_editor):
    PillarWeight = apps.get_model("reports", "PillarWeight")
    for pillar in PILLARS:
        PillarWeight.objects.get_or_create(pillar=pillar, defaults={"weight": 1})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
