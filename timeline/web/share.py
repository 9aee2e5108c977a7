"""The dashboard's "Share & embed" dialog: link, embed code with auto-height snippet, and every download."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from timeline.web import ids
from timeline.web.downloads import PREFIX as DOWNLOAD_PREFIX
from timeline.web.embed import MESSAGE_TYPE

DOWNLOADS = (
    ("png", "PNG image (print resolution)"),
    ("svg", "SVG image"),
    ("pdf", "PDF"),
    ("csv", "Events as CSV"),
    ("json", "Events as JSON"),
    ("html", "Standalone HTML page (works offline)"),
    ("timelinejs", "TimelineJS JSON"),
)

# The host page's half of the auto-height embed: it resizes the iframe that sent the message.
RESIZE_SNIPPET = (
    '<script>window.addEventListener("message",function(e){'
    f'if(!e.data||e.data.type!=="{MESSAGE_TYPE}")return;'
    'document.querySelectorAll("iframe").forEach(function(f){'
    'if(f.contentWindow===e.source)f.style.height=e.data.height+"px";});});</script>'
)


def share_button() -> html.Button:
    return html.Button("Share & embed", id=ids.SHARE_OPEN, className="share-button", n_clicks=0,
                       **{"aria-haspopup": "dialog", "aria-controls": ids.SHARE_DIALOG})  # fmt: skip


def share_dialog(query: str = "") -> html.Dialog:
    """The dialog; its links and code are filled in from the page's URL when it opens (the downloads start as
    those of the view query `query`)."""
    return html.Dialog([
        html.H2("Share & embed", id="share-heading"),
        html.Div([
            html.Label("Link to exactly this view", htmlFor=ids.SHARE_LINK),
            html.Div([dcc.Input(id=ids.SHARE_LINK, type="text", readOnly=True, className="share-input"),
                      html.Button("Copy link", id=ids.SHARE_COPY_LINK, n_clicks=0)], className="share-row"),
        ], className="field"),
        html.Div([
            html.Label("Embed code for an article (resizes itself to fit)", htmlFor=ids.SHARE_EMBED),
            dcc.Textarea(id=ids.SHARE_EMBED, readOnly=True, rows=5, className="share-code"),
            html.Button("Copy embed code", id=ids.SHARE_COPY_EMBED, n_clicks=0),
        ], className="field"),
        html.H3("Download this view"),
        html.P("Images and PDF are drawn on the server and take a few seconds.", className="hint"),
        html.Ul([html.Li(html.A(label, id={"type": ids.SHARE_DOWNLOADS, "format": fmt},
                                href=DOWNLOAD_PREFIX + fmt + query, download=""))
                 for fmt, label in DOWNLOADS], className="share-downloads"),
        html.P(id=ids.SHARE_STATUS, role="status", className="share-status", **{"aria-live": "polite"}),
        html.Button("Close", id=ids.SHARE_CLOSE, n_clicks=0, className="share-close"),
    ], id=ids.SHARE_DIALOG, className="share-dialog",
       **{"aria-labelledby": "share-heading", "data-snippet": RESIZE_SNIPPET})  # fmt: skip


def register(app: Dash) -> None:
    """Open, fill, copy and close run in the browser: no server round trip."""
    downloads = [Output({"type": ids.SHARE_DOWNLOADS, "format": fmt}, "href") for fmt, _ in DOWNLOADS]
    app.clientside_callback(ClientsideFunction(namespace="share", function_name="open"),
                            Output(ids.SHARE_LINK, "value"), Output(ids.SHARE_EMBED, "value"), *downloads,
                            Input(ids.SHARE_OPEN, "n_clicks"), State(ids.URL, "search"),
                            prevent_initial_call=True)  # fmt: skip
    app.clientside_callback(ClientsideFunction(namespace="share", function_name="copy"),
                            Output(ids.SHARE_STATUS, "children"), Input(ids.SHARE_COPY_LINK, "n_clicks"),
                            Input(ids.SHARE_COPY_EMBED, "n_clicks"), prevent_initial_call=True)  # fmt: skip
    app.clientside_callback(ClientsideFunction(namespace="share", function_name="close"),
                            Output(ids.SHARE_DIALOG, "className"), Input(ids.SHARE_CLOSE, "n_clicks"),
                            prevent_initial_call=True)  # fmt: skip
