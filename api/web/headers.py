"""Response headers for the pages: everything comes from this origin, nothing inline."""

from __future__ import annotations

# The page keeps an access token in the browser, so scripts may only come from our own
# files (no inline script, no CDN); the login callback URL holds a code, so no referrer.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Always revalidate: a new deployment's page must not run with yesterday's scripts.
    "Cache-Control": "no-cache",
}
