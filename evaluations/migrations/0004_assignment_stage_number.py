# A stage assignment is identified by (expert, proposal, stage number) instead of a
# foreign key up to projects.StageEvaluation. Step 1 of 3: the new field, and the
# constraints naming stage_evaluation go (re-added on the way back only once projects
# 0002 has restored it); projects 0002 copies each stage assignment's round stage
# number into it; evaluations 0005 drops stage_evaluation and adds the new constraints.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0003_remove_assignment_one_assignment_per_purpose_and_more'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='assignment',
            name='one_assignment_per_purpose',
        ),
        migrations.RemoveConstraint(
            model_name='assignment',
            name='one_assignment_per_stage_evaluation',
        ),
        migrations.RemoveConstraint(
            model_name='assignment',
            name='stage_assignment_has_evaluation',
        ),
        migrations.AddField(
            model_name='assignment',
            name='stage_number',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='stage evaluated'),
        ),
    ]
