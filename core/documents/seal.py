"""What every official document prints about itself (core/_document_seal.html): its /verify
address as text and as a QR code (SVG drawn by segno, vector in the PDF), its verification
code, and who signs it — or a visible note that it is not signed."""

from django.conf import settings


def verify_url(code: str) -> str:
    return f"{settings.PORTAL_BASE_URL}/verify/{code}"


def qr_svg(data: str) -> str:
    """The QR code of `data` as inline SVG, sized by the document's CSS (no width/height)."""
    import segno

    return segno.make(data, error="m", micro=False).svg_inline(scale=1, border=0, omitsize=True,
                                                               svgclass="qr-code", lineclass=None)


def document_seal(row) -> dict:
    """The seal's context for an `OfficialDocument` row about to be rendered."""
    from . import signing

    signer = signing.current()
    url = verify_url(row.verification_code)
    return {"code": row.verification_code, "verify_url": url, "qr_svg": qr_svg(url),
            "signer": signer.name if signer else "", "demo": bool(signer and signer.is_demo)}
