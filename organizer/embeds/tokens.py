"""The embedded sign form's token: signed and time-limited, with no session behind it.

The embed pages set no cookie, so Flask-WTF's session-bound token is out. The form carries
instead a token signed with the app's secret that names the campaign and the time it was
served. With the Origin check of public forms (organizer.security.public_form), a POST must
come from a form Cahier served for this campaign within ``MAX_AGE_SECONDS``.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "cahier.embed-sign-form"
# Long enough for someone who opens the page, reads it and signs after lunch.
MAX_AGE_SECONDS = 6 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(slug: str) -> str:
    return _serializer().dumps(slug)


def is_valid(token: str, slug: str) -> bool:
    try:
        return _serializer().loads(token, max_age=MAX_AGE_SECONDS) == slug
    except (SignatureExpired, BadSignature):
        return False
