"""Security headers through flask-talisman: a strict CSP, no framing, no sniffing, a careful referrer policy."""

from __future__ import annotations

from dash import Dash
from flask_talisman import Talisman


def content_security_policy(app: Dash) -> dict[str, str | list[str]]:
    """The CSP for the dashboard. Call after every callback is registered, so Dash's inline script hashes are known.

    `'unsafe-eval'`: plotly's WebGL traces (used above a few thousand points) compile shaders through the
    Function constructor; without it they fail silently. `style-src 'unsafe-inline'`: Dash and plotly set
    inline styles.
    """
    return {
        "default-src": "'self'",
        "script-src": ["'self'", "'unsafe-eval'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def secure(app: Dash) -> Talisman:
    """Put the security headers on every response of `app`."""
    return Talisman(
        app.server,
        content_security_policy=content_security_policy(app),
        force_https=False,  # TLS is the reverse proxy's job; the app also runs on plain localhost
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=False,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
