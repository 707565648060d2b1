# Step 3 of 3: evaluations no longer points up to projects. One stage assignment per
# expert, proposal and stage number; kind "stage" if and only if a stage number.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0004_assignment_stage_number'),
        ('projects', '0002_stage_rubric_and_panels_by_stage_number'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='assignment',
            name='stage_evaluation',
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.UniqueConstraint(condition=models.Q(('stage_number', None)), fields=('kind', 'expert', 'proposal'), name='one_assignment_per_purpose'),
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'stage')), fields=('expert', 'proposal', 'stage_number'), name='one_assignment_per_stage_evaluation'),
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'stage'), ('stage_number__isnull', False)), models.Q(models.Q(('kind', 'stage'), _negated=True), ('stage_number__isnull', True)), _connector='OR'), name='stage_assignment_has_stage_number'),
        ),
    ]
