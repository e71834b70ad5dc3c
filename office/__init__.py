"""The civilization office: seasonal participation dashboard, reports, exports, service
records and the office's work in one place."""
