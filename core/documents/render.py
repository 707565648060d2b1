"""HTML → PDF with WeasyPrint, as a pure function, with the portal's URL fetcher.

WeasyPrint is imported inside the functions (its import costs ~0.5 s). A document
may load `data:` URIs and the portal's own static files (read from disk, never over
the network); every other URL (file://, http(s)://, any other path) is refused,
which WeasyPrint reports as a warning and renders without the resource. Fonts come
from the system (fonts-nanum, embedded in the PDF). Official documents are PDF/A-3b
(`PDF_VARIANT`), then signed (core.documents.signing) by the build pipeline.
"""

import functools
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings


class FetchRefused(ValueError):
    pass


def _base_url() -> str:
    """Relative URLs in a document (`/static/…`) resolve against the portal's own address."""
    return f"{settings.PORTAL_BASE_URL}/"


def static_file(path: str) -> Path | None:
    """The file on disk behind a static path (`img/logo.png`): the staticfiles finders
    first (the apps' and STATICFILES_DIRS' files), then STATIC_ROOT; None outside them."""
    from django.contrib.staticfiles import finders

    relative = posixpath.normpath(unquote(path)).lstrip("/")
    if relative in ("", ".") or relative == ".." or relative.startswith("../"):
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


@functools.cache
def _fetcher_class():
    """The portal's `weasyprint.urls.URLFetcher` subclass (WeasyPrint reads the fetcher's
    attributes, such as `_fail_on_errors`, so a plain function will not do)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PortalURLFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data",), fail_on_errors=False)
            self.static_prefix = urljoin(_base_url(), settings.STATIC_URL)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(self.static_prefix):
                path = static_file(urlsplit(url[len(self.static_prefix):]).path)
                if path is not None:
                    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
            raise FetchRefused(f"blocked resource: {url[:80]}")

    return PortalURLFetcher


def url_fetcher():
    """A new fetcher for one render."""
    return _fetcher_class()()


# The archival variant of every official PDF: PDF/A-3b (WeasyPrint embeds every font it uses,
# subsetted, adds the sRGB output intent and the XMP metadata naming the part and conformance).
PDF_VARIANT = "pdf/a-3b"


def render_pdf(html: str, *, variant: str | None = PDF_VARIANT) -> bytes:
    """The HTML as a PDF (PDF/A-3b unless `variant` says otherwise; None: WeasyPrint's plain PDF)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=url_fetcher(), base_url=_base_url()).write_pdf(pdf_variant=variant)
