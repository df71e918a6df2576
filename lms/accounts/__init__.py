"""Accounts and roles: users, password sign-in with rate limits, shared-tablet sessions."""
