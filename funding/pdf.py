"""HTML → PDF with WeasyPrint, as a pure function.

WeasyPrint is imported inside the function (its import costs ~0.5 s) and given a
deny-by-default URL fetcher: a letter may load nothing from outside, not even
from this server; fonts come from the system (fonts-nanum, embedded in the PDF).
"""


class FetchRefused(ValueError):
    pass


def _deny(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise FetchRefused(f"blocked resource: {url[:80]}")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_deny, base_url=None).write_pdf()
