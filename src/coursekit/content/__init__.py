"""A course's content as validated data: module manifests, reading cards, instruments,
question sets, evidence, and the notebooks built from them (check and sync).

Nothing here draws, shows a widget or runs nbgrader.
"""
