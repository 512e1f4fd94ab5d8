"""The instructor's side of nbgrader: parallel autograding, the gradebook, inspection of
submissions, and simulated classes to rehearse with.

nbgrader is imported only when a function needs it.
"""
