"""Stored files (上传文件): photos, scans and evidence, checked by content, images re-encoded,
kept in the database or a shared directory, and served only to whom their kind admits."""
