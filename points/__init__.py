"""Civilization practice points (文明实践积分): a double-entry ledger, earning, merchants."""
