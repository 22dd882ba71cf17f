"""Renders an email's subject, text and HTML parts in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, locale: str, **context: Any) -> RenderedEmail:
    """``template`` names ``templates/emails/<template>.{subject.txt,txt,html}``."""
    with force_locale(locale):
        subject = render_template(f"emails/{template}.subject.txt", **context)
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    # A header may not span lines, whatever a template or a translation left in it.
    return RenderedEmail(subject=" ".join(subject.split()), text=text, html=html)
