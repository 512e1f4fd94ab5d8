"""Statistics of change in therapy: sudden gains, reliable and clinically significant
change, the dose-effect curve, and simulated clients calibrated to published rates.

numpy only at import; scipy is loaded when a function needs it.
"""
