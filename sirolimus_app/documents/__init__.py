"""Printable documents and exports: data gathering, SVG charts, PDF, iCalendar, cohort CSV.

One module per job; the views in `sirolimus_app.views.documents` only chain them.
"""
