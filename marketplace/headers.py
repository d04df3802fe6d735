"""Security headers on every response.

The Content-Security-Policy allows scripts only from this site or with the per-request nonce
(the NHS.UK template's one-line "js-enabled" script carries it), so injected markup cannot run.
"""

from flask import current_app, request

from .templating import csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            # NHS.UK frontend's Frutiger comes from the NHS asset host; Arial is the fallback.
            "font-src 'self' https://assets.nhs.uk",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["ENV_NAME"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not (request.endpoint or "").startswith(("assets.", "static")):
        # Pages and downloads can show one organisation's data: never keep them in any cache.
        # send_file says "no-cache" (store, but revalidate) unless told otherwise.
        if "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
    return response
