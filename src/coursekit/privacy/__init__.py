"""The privacy check: flags likely client identifiers in reflections, locally."""
