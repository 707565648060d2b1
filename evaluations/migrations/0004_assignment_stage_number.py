# A stage assignment is identified by (expert, proposal, stage number) instead of a
# foreign key up to projects.StageEvaluation. Step 1 of 3: the new field; projects
# 0002 copies each stage assignment's round stage number into it; evaluations 0005
# drops stage_evaluation and rewrites the constraints.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0003_remove_assignment_one_assignment_per_purpose_and_more'),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='stage_number',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='stage evaluated'),
        ),
    ]
