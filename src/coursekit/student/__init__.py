"""What a student's notebook uses: the answer store, forms, plots, completion checks
and the portfolio.

The response store and the checks import no plotting or widget library; forms
(``coursekit.student.widgets``) and plots (``coursekit.student.plots``) do.

Importing it in a kernel shows an exercise not written yet (nbgrader's
``raise NotImplementedError()``) as one sentence, not a traceback
(``coursekit.student.exercises``).
"""

from coursekit.student import exercises as _exercises

_exercises.install()
