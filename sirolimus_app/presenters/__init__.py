"""The display layer: what the engine and the records say, shaped for a page, a document or
a template tag (labels, colours, numbers, dates, the engine's text in the interface language).

Pure functions and small classes: no query, no state change. They import only `protocol`,
the models and the base modules (i18n, localtime); views, documents and template tags use
them and never each other (tests/web/test_layers.py).
"""
