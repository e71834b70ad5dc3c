"""Seasonal campaigns, activities, shifts, sign-ups and check-ins."""
