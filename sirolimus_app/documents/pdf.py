"""HTML → PDF with WeasyPrint: A4, DejaVu fonts (Debian's fonts-dejavu-core) embedded.

The PDF templates carry everything they need (styles, inline SVG), so WeasyPrint is given a
fetcher that refuses every URL: no file or network access can be triggered from a document.
"""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from sirolimus_app.collector import collector_paused

# Loading the system fonts is the slow part of a first rendering; done once per process.
_FONTS = FontConfiguration()
_NO_FETCH = URLFetcher(allowed_protocols=())
# Tagged PDF (PDF/UA-1: structure tree, reading order, /Lang and /Title from the template's
# <html lang> and <title>) so that screen readers read the documents (RGAA 4.1).
PDF_VARIANT = "pdf/ua-1"


def render(template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    with collector_paused():  # WeasyPrint's burst of short-lived objects
        return HTML(string=html, url_fetcher=_NO_FETCH).write_pdf(font_config=_FONTS,
                                                                   pdf_variant=PDF_VARIANT)
