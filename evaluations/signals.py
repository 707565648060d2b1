"""What the evaluations app announces to the apps above it (they subscribe in their
AppConfig.ready(); evaluations never imports them).

- `objection_answered(sender=Objection, objection=…)`: sent after commit whenever staff
  answer an objection (upheld — with a re-evaluation or a corrected decision — or
  dismissed) or close its re-evaluation. A corrected decision is recorded on the
  objection (`correction`); an app that keeps the decision itself (funding) may act on it.
"""

from django.dispatch import Signal

objection_answered = Signal()
