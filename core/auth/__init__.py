"""Accounts, roles, sign-in (session and bearer token) and the authorization decorators."""
