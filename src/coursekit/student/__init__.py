"""What a student's notebook uses: the answer store, forms, plots, completion checks
and the portfolio.

The response store and the checks import no plotting or widget library; forms
(``coursekit.student.widgets``) and plots (``coursekit.student.plots``) do.
"""
