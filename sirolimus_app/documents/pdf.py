"""HTML → PDF with WeasyPrint: A4, DejaVu fonts (Debian's fonts-dejavu-core) embedded.

The PDF templates carry everything they need (styles, inline SVG), so WeasyPrint is given a
fetcher that refuses every URL: no file or network access can be triggered from a document.
"""

import gc
from contextlib import contextmanager

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# Loading the system fonts is the slow part of a first rendering; done once per process.
_FONTS = FontConfiguration()
_NO_FETCH = URLFetcher(allowed_protocols=())
# Tagged PDF (PDF/UA-1: structure tree, reading order, /Lang and /Title from the template's
# <html lang> and <title>) so that screen readers read the documents (RGAA 4.1).
PDF_VARIANT = "pdf/ua-1"


@contextmanager
def _cyclic_gc_paused():
    """WeasyPrint allocates hundreds of thousands of short-lived objects, and each burst makes
    the cyclic collector rescan the whole process heap: about a sixth of a summary's time.
    It is paused for one document; the cycles the document leaves are collected afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    with _cyclic_gc_paused():
        return HTML(string=html, url_fetcher=_NO_FETCH).write_pdf(font_config=_FONTS,
                                                                   pdf_variant=PDF_VARIANT)
