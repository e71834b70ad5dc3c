"""The four seasons of care (善行四季·关爱): care campaigns, their lists, budgets and visits."""
