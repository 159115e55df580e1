"""Template helpers of the documents: the patient's SVG charts, texts of the PDF margins."""

from django import template
from django.utils.safestring import mark_safe

from sirolimus_app.documents import data

register = template.Library()


@register.simple_tag
def patient_charts(patient):
    """`{% patient_charts patient as charts %}`: the charts of a patient fetched with
    `prefetch_clinical` (as the patient page does), drawn without further query."""
    return data.patient_charts(patient)


@register.filter
def css_string(value) -> str:
    """Text for a CSS string in the PDF templates' <style> (page headers and footers): every
    ASCII character that could end the string, the rule or the <style> element is escaped the
    CSS way, and a line break becomes a new line of the margin box."""
    out = []
    for char in str(value):
        if char == "\n":
            out.append("\\A ")
        elif char.isalnum() or char in " .,:/·()-" or ord(char) > 127:
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return mark_safe("".join(out))  # noqa: S308 (escaped above for a CSS string)
