"""The data migration projects/0010: each part's single "spent" totals become "unclassified" lines,
the sums unchanged."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("projects", "0009_spending_by_category")]
AFTER = [("projects", "0010_spending_lines_from_totals")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_totals_move_to_unclassified_lines_with_the_sums_unchanged(reference_data, report, gwangju_id,
                                                                            jeonnam_id):
    try:
        apps = migrate(BEFORE)
        ReportPart = apps.get_model("projects", "ReportPart")
        SpendingLine = apps.get_model("projects", "SpendingLine")
        SpendingLine.objects.all().delete()
        ReportPart.objects.filter(report_id=report.pk, region_id=gwangju_id).update(
            national_spent_won=900_000_001, local_spent_won=200_000_003)
        ReportPart.objects.filter(report_id=report.pk, region_id=jeonnam_id).update(
            national_spent_won=7, local_spent_won=0)
        before = {pk: (n, loc) for pk, n, loc in ReportPart.objects.values_list(
            "pk", "national_spent_won", "local_spent_won")}

        apps = migrate(AFTER)
        ReportPart = apps.get_model("projects", "ReportPart")
        SpendingLine = apps.get_model("projects", "SpendingLine")
        after = {}
        for pk in before:
            lines = SpendingLine.objects.filter(part_id=pk)
            assert set(lines.values_list("category", flat=True)) <= {"unclassified"}
            after[pk] = (sum(lines.filter(source="national").values_list("amount_won", flat=True)),
                         sum(lines.filter(source="local").values_list("amount_won", flat=True)))
        assert after == before
        assert sorted(after.values()) == [(7, 0), (900_000_001, 200_000_003)]
        assert SpendingLine.objects.filter(amount_won=0).count() == 0  # a zero total makes no line
        assert {pk: (n, loc) for pk, n, loc in ReportPart.objects.values_list(
            "pk", "national_spent_won", "local_spent_won")} == before
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
