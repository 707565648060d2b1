# Step 2 of 3 (between programmes 0005 / evaluations 0004 and programmes 0006 /
# evaluations 0005): each stage criterion moves from its round to the round's
# (call, stage number); each stage assignment records its round's stage number.
# A round is unique per (call, stage number) and a project has one proposal and
# one evaluation per round, so nothing is lost and the reverse restores the keys.

from django.db import migrations


def forwards(apps, schema_editor):
    RubricCriterion = apps.get_model('programmes', 'RubricCriterion')
    Assignment = apps.get_model('evaluations', 'Assignment')
    for criterion in RubricCriterion.objects.filter(stage_round__isnull=False).select_related('stage_round'):
        criterion.stage_call_id = criterion.stage_round.call_id
        criterion.stage_number = criterion.stage_round.stage_number
        criterion.save(update_fields=['stage_call', 'stage_number'])
    for assignment in Assignment.objects.filter(stage_evaluation__isnull=False).select_related(
            'stage_evaluation__round'):
        assignment.stage_number = assignment.stage_evaluation.round.stage_number
        assignment.save(update_fields=['stage_number'])


def backwards(apps, schema_editor):
    RubricCriterion = apps.get_model('programmes', 'RubricCriterion')
    Assignment = apps.get_model('evaluations', 'Assignment')
    StageRound = apps.get_model('projects', 'StageRound')
    StageEvaluation = apps.get_model('projects', 'StageEvaluation')
    for criterion in RubricCriterion.objects.filter(stage_call__isnull=False):
        criterion.stage_round_id = StageRound.objects.values_list('pk', flat=True).get(
            call_id=criterion.stage_call_id, stage_number=criterion.stage_number)
        criterion.save(update_fields=['stage_round'])
    for assignment in Assignment.objects.filter(stage_number__isnull=False).select_related('proposal'):
        assignment.stage_evaluation_id = StageEvaluation.objects.values_list('pk', flat=True).get(
            project__proposal_id=assignment.proposal_id, round__call_id=assignment.proposal.call_id,
            round__stage_number=assignment.stage_number)
        assignment.save(update_fields=['stage_evaluation'])


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0001_initial'),
        ('programmes', '0005_rubriccriterion_stage_call_stage_number'),
        ('evaluations', '0004_assignment_stage_number'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
