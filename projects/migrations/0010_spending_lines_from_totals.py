"""Each part's single "spent" totals become "unclassified" spending lines, the sums unchanged
(tests/projects/test_spending_migration.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    ReportPart = apps.get_model("projects", "ReportPart")
    SpendingLine = apps.get_model("projects", "SpendingLine")
    lines = []
    for pk, national, local in ReportPart.objects.values_list("pk", "national_spent_won", "local_spent_won").iterator():
        if SpendingLine.objects.filter(part_id=pk).exists():
            continue
        if national:
            lines.append(SpendingLine(part_id=pk, source="national", category="unclassified", amount_won=national))
        if local:
            lines.append(SpendingLine(part_id=pk, source="local", category="unclassified", amount_won=local))
        if len(lines) >= 1000:
            SpendingLine.objects.bulk_create(lines)
            lines = []
    SpendingLine.objects.bulk_create(lines)


def backwards(apps, schema_editor):
    # The totals stay on the parts; the lines go.
    apps.get_model("projects", "SpendingLine").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0009_spending_by_category")]
    operations = [migrations.RunPython(forwards, backwards)]
