"""State changes of the meetings app: one function per use case (see EXAMPLES.md B3)."""
