"""What programmes announces to the layers above it (they subscribe; programmes imports none of them)."""

from django.dispatch import Signal

# Sent inside the status change's transaction, once a call's results are announced:
# receivers' writes (the regions' notifications of their now visible results) commit
# or roll back with it. Arguments: call, actor.
call_announced = Signal()
