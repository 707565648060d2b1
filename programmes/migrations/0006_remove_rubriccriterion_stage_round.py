# Step 3 of 3: programmes no longer points up to projects. A criterion belongs to
# the call's selection rubric (call) or to its rubric for one stage's evaluation
# (stage_call and stage_number), exactly one of the two.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0005_rubriccriterion_stage_call_stage_number'),
        ('projects', '0002_stage_rubric_and_panels_by_stage_number'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='rubriccriterion',
            name='stage_round',
        ),
        migrations.AddConstraint(
            model_name='rubriccriterion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('call__isnull', False), ('stage_call__isnull', True), ('stage_number__isnull', True)), models.Q(('call__isnull', True), ('stage_call__isnull', False), ('stage_number__isnull', False)), _connector='OR'), name='criterion_of_call_or_stage'),
        ),
    ]
