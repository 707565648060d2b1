"""The Korean catalogue is complete: every message translated, nothing fuzzy, placeholders kept."""

import re
from pathlib import Path

import pytest

from tests import po

KO = Path(__file__).resolve().parents[2] / "locale" / "ko" / "LC_MESSAGES" / "django.po"
NAMED = re.compile(r"%\((\w+)\)[sdif]")
POSITIONAL = re.compile(r"%[sdif]")


@pytest.fixture(scope="module")
def entries():
    if not KO.exists():
        pytest.fail(f"the Korean catalogue is missing: {KO} (run makemessages -l ko and translate it)")
    return [e for e in po.parse(KO) if not e.obsolete]


def describe(entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


def test_the_catalogue_has_messages(entries):
    assert len([e for e in entries if not e.is_header]) > 0


def test_the_header_declares_korean_utf8_and_one_plural_form(entries):
    header = next(e for e in entries if e.is_header).msgstr[0]
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines() if ": " in line)
    assert (fields.get("Language"), fields.get("Content-Type"), fields.get("Plural-Forms")) == (
        "ko", "text/plain; charset=UTF-8", "nplurals=1; plural=0;",
    )


def test_no_message_is_left_untranslated(entries):
    untranslated = [describe(e) for e in entries if not e.is_header and not e.translated]
    assert untranslated == [], f"{len(untranslated)} untranslated:\n" + "\n".join(untranslated)


def test_no_entry_is_fuzzy(entries):
    fuzzy = [describe(e) for e in entries if e.fuzzy]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy:\n" + "\n".join(fuzzy)


def placeholders(text: str) -> tuple[set, int]:
    """The named %(x)s placeholders and the number of positional %s / %d ones."""
    named = set(NAMED.findall(text))
    positional = len(POSITIONAL.findall(NAMED.sub("", text.replace("%%", ""))))
    return named, positional


def test_every_translation_keeps_the_placeholders_of_its_source(entries):
    broken = []
    for e in entries:
        if e.is_header or e.fuzzy or not e.translated or "python-format" not in e.flags:
            continue
        source_named, source_positional = placeholders(e.msgid + " " + (e.msgid_plural or ""))
        for text in e.msgstr.values():
            named, positional = placeholders(text)
            if named != source_named or (e.msgid_plural is None and positional != source_positional):
                broken.append(f"{describe(e)} → {text!r}")
    assert broken == [], "\n".join(broken)


def test_no_message_appears_twice(entries):
    keys = [(e.msgctxt, e.msgid) for e in entries]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []


# Both forms of a particle written at once read as machine-made: core.josa chooses one.
BOTH_FORMS = re.compile(r"을\(를\)|를\(을\)|은\(는\)|는\(은\)|이\(가\)|가\(이\)|\(으\)로|와\(과\)|과\(와\)")


def test_no_translation_writes_both_forms_of_a_particle(entries):
    machine_made = [f"{describe(e)} → {text!r}" for e in entries if not e.is_header
                    for text in e.msgstr.values() if BOTH_FORMS.search(text)]
    assert machine_made == [], "write one form and let core.josa choose:\n" + "\n".join(machine_made)


PORTAL_APPS = {"accounts", "api", "audit", "core", "evaluations", "funding", "megaproject", "programmes",
               "projects", "proposals", "public_pages", "reports", "trail"}


def _portal_models():
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label in PORTAL_APPS and not model.__name__.startswith("Historical"):
            yield model


def _lazy_message(value):
    """(context, msgid) of a gettext_lazy / pgettext_lazy value, or None when it is a plain string."""
    from django.utils.functional import Promise

    if not isinstance(value, Promise):
        return None
    args = value._args
    return (None, args[0]) if len(args) == 1 else (args[0], args[1])


def _names():
    for model in _portal_models():
        label = model._meta.label
        yield f"{label} (verbose_name)", model._meta.original_attrs.get("verbose_name")
        yield f"{label} (verbose_name_plural)", model._meta.original_attrs.get("verbose_name_plural")
        for field in model._meta.get_fields():
            if field.auto_created or not field.concrete or field.name == "id":
                continue
            yield f"{label}.{field.name}", getattr(field, "_verbose_name", None) or field.verbose_name


def _django_translates(name) -> bool:
    """Fields inherited from Django (AbstractUser) are translated by Django's own Korean catalogue."""
    from django.utils import translation

    with translation.override("ko"):
        return str(name) != _lazy_message(name)[1]


def test_every_model_and_field_of_the_portal_has_a_translated_name(entries):
    translated = {(e.msgctxt, e.msgid) for e in entries if not e.is_header and e.translated}
    unnamed, untranslated = [], []
    for where, name in _names():
        message = _lazy_message(name)
        if message is None:
            unnamed.append(where)
        elif message not in translated and not _django_translates(name):
            untranslated.append(f"{where}: {message!r}")
    assert unnamed == [], "give these an explicit verbose_name=_(\"…\"):\n" + "\n".join(unnamed)
    assert untranslated == [], "translate these names in the Korean catalogue:\n" + "\n".join(untranslated)


def test_the_check_sees_models_and_fields():
    names = dict(_names())
    assert "programmes.Region.name_ko" in names and "audit.AuditEvent (verbose_name)" in names
