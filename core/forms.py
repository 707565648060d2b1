"""Form helpers shared by every app's views: a service's errors on a form (or a page), the
confirmation a move asks for, and the message a posted action leaves."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

from .permissions import Refused


def apply_errors(form, exc: ValidationError, *, field: str | None = None) -> None:
    """Show a service's ValidationError on the form: messages keyed by a field of the form
    sit at that field, everything else at `field` (by default the top of the form). What the
    user typed stays."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, exc.messages)


def error_texts(exc: ValidationError) -> dict[str, str]:
    """The same for a page without a Django form: each field's messages as one text, by the
    field's name ({} when the error names no field)."""
    if not hasattr(exc, "error_dict"):
        return {}
    return {name: " ".join(errors) for name, errors in exc.message_dict.items()}


class ConfirmForm(forms.Form):
    """A move that is made only once its confirmation box is ticked; `refusal` is what the page
    says when it is not."""

    confirm = forms.BooleanField()

    def __init__(self, *args, refusal: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].error_messages["required"] = refusal


def perform(request, write, done: str) -> bool:
    """Make the change a posted form asks for (`write()`); the person then reads `done`, or why it
    was refused: the service's ValidationError, or the reason the rules give (core.permissions.
    Refused, e.g. four eyes). A refusal without a reason (PermissionDenied) is not caught: a 403.
    True when the change was made."""
    try:
        write()
    except (ValidationError, Refused) as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True
