"""Security headers on every response: a Content-Security-Policy our pages satisfy, and the rest."""

from __future__ import annotations

from flask import Flask, Response

# Every page loads only our own files (the front-end libraries are vendored under static/),
# and no template holds inline script, style or event handlers, so nothing needs
# 'unsafe-inline' or 'unsafe-eval'; tests/core/test_headers.py keeps the templates that way.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # data: for the small SVG images inlined in Bootstrap's and Swagger UI's stylesheets
        # (the navbar toggler, close button, select arrow, check marks).
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Everything off except what our pages use: the camera (scanning a code at the counter),
# the position (geofenced check-ins) and full screen (the leader's code page).
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "camera=(self)",
        "display-capture=()",
        "encrypted-media=()",
        "fullscreen=(self)",
        "geolocation=(self)",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "usb=()",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # For browsers that ignore frame-ancestors.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}

# A year, subdomains included: only said over HTTPS, or a laptop on plain HTTP would be
# told to refuse it.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    headers = dict(HEADERS)
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

    # after_request also runs for error handlers' answers and for static files.
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            # A view that truly needs a different value may set its own.
            response.headers.setdefault(name, value)
        return response
