"""Volunteers (志愿者): registration and profiles; teams and memberships follow."""
