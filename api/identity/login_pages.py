"""The development authorization endpoint's pages: the login form and the refusal page."""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

from api.identity.authorization import AuthorizationRequest

PAGES_DIR = Path(__file__).parent / "pages"


# Read once at import: the routes that fill them are async and must not touch the disk.
_TEMPLATES = {
    name: Template((PAGES_DIR / name).read_text(encoding="utf-8"))
    for name in ("dev-authorize.html", "login-error.html")
}


def _template(name: str) -> Template:
    return _TEMPLATES[name]


def login_form(
    *,
    request: AuthorizationRequest,
    national_id: str = "",
    given_name: str = "",
    error: str | None = None,
) -> str:
    """The form, with the OAuth request carried along in hidden fields."""
    if error:
        invalid = 'aria-invalid="true" aria-describedby="national_id-hint national_id-error"'
        error_block = f'<p class="error" id="national_id-error" role="alert">{escape(error)}</p>'
    else:
        invalid = 'aria-describedby="national_id-hint"'
        error_block = ""
    return _template("dev-authorize.html").substitute(
        response_type=escape(request.response_type),
        client_id=escape(request.client_id),
        redirect_uri=escape(request.redirect_uri),
        state=escape(request.state),
        code_challenge=escape(request.code_challenge),
        code_challenge_method=escape(request.code_challenge_method),
        national_id=escape(national_id),
        given_name=escape(given_name),
        invalid_attributes=invalid,
        error_block=error_block,
        # Cancelling answers the page the OAuth way, so it can say that nothing happened.
        cancel_url=escape(request.redirect_with(error="access_denied")),
    )


def refusal(message: str) -> str:
    """A request that cannot be answered by redirecting (unknown client or return address)."""
    return _template("login-error.html").substitute(message=escape(message))
