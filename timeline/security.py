"""Security headers through flask-talisman: strict CSP, framing only for `/embed/`, no sniffing, no referrer leaks."""

from __future__ import annotations

import functools

from dash import Dash
from flask_talisman import Talisman

from .embed import PREFIX as EMBED_PREFIX
from .present import PREFIX as PRESENT_PREFIX


def content_security_policy(app: Dash, *, webgl: bool, frame_ancestors: list[str]) -> dict[str, str | list[str]]:
    """The CSP for one Dash app. Call after its callbacks are registered, so Dash's inline script hashes are known.

    `'unsafe-eval'` only when `webgl`: plotly's WebGL traces compile shaders through the Function constructor
    and fail silently without it. `style-src 'unsafe-inline'`: Dash and plotly set inline styles.
    """
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *(["'unsafe-eval'"] if webgl else []), *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }


def secure(dashboard: Dash, embed: Dash, present: Dash, *, webgl: bool, embed_ancestors: list[str]) -> Talisman:
    """Headers on every route: the dashboard and everything else refuse framing; `/embed/` may be framed by
    `embed_ancestors` (`*` for any site) and never needs `'unsafe-eval'`, since it draws SVG only."""
    talisman = Talisman(
        dashboard.server,
        content_security_policy=content_security_policy(dashboard, webgl=webgl, frame_ancestors=["'none'"]),
        force_https=False,  # TLS is the reverse proxy's job; the app also runs on plain localhost
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=False,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    embeddable = talisman(
        frame_options=None,
        content_security_policy=content_security_policy(embed, webgl=False, frame_ancestors=embed_ancestors),
    )
    # Each Dash app has its own inline-script hashes; the presentation draws SVG only.
    presentation = talisman(
        content_security_policy=content_security_policy(present, webgl=False, frame_ancestors=["'none'"])
    )
    server = dashboard.server
    for rule in server.url_map.iter_rules():
        for prefix, options in ((EMBED_PREFIX, embeddable), (PRESENT_PREFIX, presentation)):
            if rule.rule.startswith(prefix):
                view = server.view_functions[rule.endpoint]
                server.view_functions[rule.endpoint] = options(functools.wraps(view)(functools.partial(view)))
    return talisman
