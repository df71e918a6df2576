"""The home page per role, the language switcher and the health check."""
