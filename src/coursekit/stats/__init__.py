"""Statistics of change in therapy: sudden gains, reliable and clinically significant
change, the dose-effect curve, and simulated clients calibrated to published rates.

One module per question a clinician asks of outcome data:

* :mod:`~coursekit.stats.sudden_gains`: did this client improve in one large,
  stable jump between two sessions (Tang & DeRubeis 1999), or worsen in one?
* :mod:`~coursekit.stats.reliable_change`: is the change from start to end
  larger than measurement error, and did the client end up in the range of
  people without the problem (Jacobson & Truax 1991)?
* :mod:`~coursekit.stats.dose_effect`: how many sessions does it take for
  half of the clients to improve (Howard, Kopta, Krause & Orlinsky 1986)?
* :mod:`~coursekit.stats.simulated_clients`: realistic BDI-like data with
  known patterns to try all of this on.
* :mod:`~coursekit.stats.caseload`: a monitored caseload (outcome and session
  alliance every session) with deterioration and drop-out at published rates;
* :mod:`~coursekit.stats.expected_response`: is this client on track, against
  the change of similar clients by the same session?

Scores are a clients x sessions array, one row per client and one column per
session in order, ``NaN`` for a session with no score; column 0 is the first
score you have (often the intake). Every function works on all clients at
once, so 100,000 clients take well under a second. :mod:`~coursekit.stats.scores`
holds the input checks the modules share.

numpy only at import; scipy is loaded when a function needs it. This package
imports none of its modules, so import the one you need.
"""
