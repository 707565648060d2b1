"""System checks of the foundation: `check --deploy` warns when official documents would go out unsigned."""

from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def signing_certificate_configured(app_configs=None, **kwargs):
    from .documents import signing

    if signing.configured():
        return []
    return [checks.Warning(
        "No document signing certificate: award letters and reports are issued unsigned (marked “not signed”).",
        hint="Set DOCUMENT_SIGNING_PKCS12 (the ministry's PKCS#12 file) and DOCUMENT_SIGNING_PASSWORD; "
             "see README, “Signed documents”.",
        id="core.W001")]
