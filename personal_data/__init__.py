"""A person's own data: the export of everything held about them, and closing the account."""
