"""Forms of the public boards: they take what was typed and hand it to public/boards.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TEXT_MAX_LENGTH


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class QuestionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            widget=forms.TextInput(attrs={"class": "form-control"}))
    body = forms.CharField(label=_("Question"), max_length=TEXT_MAX_LENGTH, widget=_textarea(8),
                           help_text=_("Plain text. Do not write personal data: a published answer shows "
                                       "your question to everyone, without your name or region."))


class AnswerForm(forms.Form):
    PUBLIC, PRIVATE = "public", "private"

    title = forms.CharField(label=_("Title as published"), max_length=200,
                            widget=forms.TextInput(attrs={"class": "form-control"}))
    body = forms.CharField(label=_("Question as published"), max_length=TEXT_MAX_LENGTH, widget=_textarea(6),
                           help_text=_("You may reword the question before it is published; your change is recorded."))
    answer = forms.CharField(label=_("Answer"), max_length=TEXT_MAX_LENGTH, widget=_textarea(8))
    visibility = forms.ChoiceField(
        label=_("Who reads the answer"), widget=forms.RadioSelect, initial=PUBLIC,
        choices=[(PUBLIC, _("Everyone (published on the call's questions and answers board)")),
                 (PRIVATE, _("Only the asker (a question about one region's own case)"))])


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    body = forms.CharField(label=_("Text"), max_length=TEXT_MAX_LENGTH, widget=_textarea(12),
                           help_text=_("Plain text; line breaks are kept."))
    call = forms.ModelChoiceField(label=_("Call"), queryset=None, required=False, empty_label=_("No call"),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    attachment = forms.FileField(label=_("Attachment"), required=False,
                                 widget=forms.FileInput(attrs={"class": "form-control"}),
                                 help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG."))
    remove_attachment = forms.BooleanField(label=_("Remove the attached file"), required=False,
                                           widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, **kwargs):
        from .board_selectors import public_calls

        super().__init__(*args, **kwargs)
        # Only published calls: a notice is public, and so is the call it names.
        self.fields["call"].queryset = public_calls().order_by("-year", "-id")
