"""The anonymous cohort report: small-count suppression, the summary, the audit of
linked figures, the SVG charts and the HTML and CSV pages.
"""
