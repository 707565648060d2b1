# The call's rubric for a stage evaluation becomes a call setting (stage_call and
# stage_number) instead of a foreign key up to projects.StageRound. Step 1 of 3:
# the new fields, and the old check constraint goes (re-added on the way back only
# once projects 0002 has restored stage_round); projects 0002 copies each stage
# criterion's round into them; programmes 0006 drops stage_round.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0004_rubriccriterion_stage_round_and_more'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='rubriccriterion',
            name='criterion_of_call_or_stage_round',
        ),
        migrations.AddField(
            model_name='rubriccriterion',
            name='stage_call',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='stage_criteria', to='programmes.call', verbose_name='call (stage evaluation)'),
        ),
        migrations.AddField(
            model_name='rubriccriterion',
            name='stage_number',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='stage evaluated'),
        ),
    ]
