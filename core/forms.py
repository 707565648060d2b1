"""Form helpers shared by every app's views: a service's errors on a form (or a page), the
confirmation a move asks for, and the message a posted action leaves."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .money_input import parse_won
from .permissions import Refused

MAX_WON = 10**15  # beyond any envelope: a larger figure is a typing error, not an amount


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


class MoneyInput(forms.TextInput):
    """A cell where an amount of won is typed as people write it (static/js/money-input.js echoes
    it in 억원 and keeps the totals; the server reads it with core.money_input.parse_won)."""

    def __init__(self, attrs=None):
        super().__init__({"class": "form-control text-end money-input", "autocomplete": "off",
                          "spellcheck": "false", **(attrs or {})})


class WonField(forms.Field):
    """An amount of won: "1,000,000", "１００", "1억 2천만", "5천만원" → integer won. Blank is None.
    Negative amounts and amounts over `max_won` are refused at the field; the form keeps what
    was typed (a bound field shows the posted text)."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": gettext_lazy("Type an amount in won, e.g. 1,000,000 or 1억 2천만."),
        "negative": gettext_lazy("Amounts cannot be negative."),
        "too_large": gettext_lazy("At most %(max)s won."),
    }

    def __init__(self, *, max_won: int = MAX_WON, **kwargs):
        self.max_won = max_won
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_won(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < 0:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if value > self.max_won:
            raise ValidationError(self.error_messages["too_large"], code="too_large",
                                  params={"max": f"{self.max_won:,}"})

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "data-max": str(self.max_won)}
