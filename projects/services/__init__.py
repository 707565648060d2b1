"""Every state change of a funded project: one function each (permission →
validation → atomic write → who did it → notifications after commit).

- lifecycle: opening a project from its approved funding decision, the ten-year rule
- reports: annual progress reports (regions' parts, KPI results, submit/accept/return)
- stages: stage evaluation rounds, panels (through evaluations), outcomes, conditions
- plans: the follow-up support plan of the next stage (four eyes, envelope)
- documents: the stage-evaluation report PDF (built by a Celery worker)
"""
