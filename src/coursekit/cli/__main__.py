"""``python -m coursekit.cli``: the same as the ``coursekit`` command."""

from coursekit.cli import main

raise SystemExit(main())
