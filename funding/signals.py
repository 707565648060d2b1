"""What funding announces to the layers above it (they subscribe; funding imports none of them)."""

from django.dispatch import Signal

# Sent inside the approval's transaction, after the decision is approved and the
# proposal moved to "funded": receivers' writes commit or roll back with it.
# Arguments: decision (the approved FundingDecision), actor.
decision_approved = Signal()
