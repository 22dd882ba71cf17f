"""CSV import of supporters from another tool: all or nothing.

The file is read and checked whole first; if any row is wrong, nothing is written and every
wrong row is reported with its line number. Consent is never invented: only rows whose
consent column says yes are subscribed, with the wording the organizer attested (its sha256
prefix is the consent text version) and the date they gave. Everyone else comes in
unsubscribed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pycountry
from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.signatures.canonical import canonical_email
from organizer.supporters.models import ConsentEvent
from organizer.supporters.services import IMPORT, record_action

MAX_ROWS = 50_000
ACTION = "supporters.imported"

_HEADERS = {
    "email": ("email", "emailaddress", "mail", "courriel", "adressemail", "adresseemail"),
    "name": ("name", "fullname", "nom", "nomcomplet", "displayname"),
    "first_name": ("firstname", "givenname", "prenom", "first"),
    "last_name": ("lastname", "surname", "familyname", "nomdefamille", "last"),
    "country": ("country", "countrycode", "pays", "country_code"),
    "postal_code": ("postalcode", "zip", "zipcode", "postcode", "codepostal", "cp"),
    "language": ("language", "lang", "langue", "locale", "languagecode"),
    "consent": ("consent", "optin", "subscribed", "updates", "consentement", "emailoptin"),
}
_YES = {"yes", "y", "true", "1", "oui", "o", "x", "subscribed", "opted in", "optin"}


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    canonical: str
    name: str
    country: str | None
    postal_code: str | None
    language: str
    consent: bool


@dataclass
class ImportCheck:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    columns: dict[str, str] = field(default_factory=dict)  # our field -> the file's header

    @property
    def consenting(self) -> int:
        return sum(1 for r in self.rows if r.consent)


def text_version(wording: str) -> str:
    """What each consent event records: the attested wording's fingerprint."""
    normalized = " ".join(wording.split())
    return "import:" + hashlib.sha256(normalized.encode()).hexdigest()[:16]


def _key(header: str) -> str:
    folded = header.strip().lower()
    for accented, plain in (("é", "e"), ("è", "e"), ("ê", "e"), ("à", "a")):
        folded = folded.replace(accented, plain)
    return re.sub(r"[^a-z0-9]", "", folded)


def map_headers(headers: list[str]) -> dict[str, int]:
    """Our field -> column index, leniently: "E-mail", "Zip code", "Code postal" all match."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _key(header)
        for name, aliases in _HEADERS.items():
            if name not in found and key in {_key(a) for a in aliases}:
                found[name] = index
    if "first_name" in found and "last_name" not in found and "name" in found:
        # "Prénom, Nom": next to a first name, "name" is the family name.
        found["last_name"] = found.pop("name")
    return found


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _country(value: str) -> str | None:
    if not value:
        return None
    try:
        found = pycountry.countries.lookup(value.strip())
    except LookupError:
        raise ValueError(_l("%(value)s is not a country we know.", value=value)) from None
    return str(found.alpha_2)


def _language(value: str, default: str) -> str:
    if not value:
        return default
    try:
        return Locale.parse(value.strip().replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        raise ValueError(_l("%(value)s is not a language code.", value=value)) from None


def check(data: bytes, *, default_language: str = "en") -> ImportCheck:
    result = ImportCheck()
    text = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    headers = next(reader, None)
    if not headers:
        result.errors.append((1, str(_l("The file is empty."))))
        return result
    columns = map_headers(headers)
    result.columns = {name: headers[i].strip() for name, i in columns.items()}
    if "email" not in columns:
        result.errors.append((1, str(_l("No column of email addresses was found."))))
        return result
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(
                (line, str(_l("A file can have at most %(max)s rows.", max=MAX_ROWS)))
            )
            break
        _check_row(result, row, line, columns, seen, default_language)
    return result


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _check_row(
    result: ImportCheck,
    row: list[str],
    line: int,
    columns: dict[str, int],
    seen: dict[str, int],
    default_language: str,
) -> None:
    raw = _cell(row, columns, "email")
    try:
        email = validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        result.errors.append((line, str(_l("%(value)s is not an email address.", value=raw))))
        return
    canonical = canonical_email(email)
    if canonical in seen:
        result.errors.append(
            (
                line,
                str(_l("%(email)s is already on line %(line)s.", email=raw, line=seen[canonical])),
            )
        )
        return
    seen[canonical] = line
    name = _cell(row, columns, "name") or " ".join(
        p for p in (_cell(row, columns, "first_name"), _cell(row, columns, "last_name")) if p
    )
    try:
        country = _country(_cell(row, columns, "country"))
        language = _language(_cell(row, columns, "language"), default_language)
    except ValueError as exc:
        result.errors.append((line, str(exc)))
        return
    result.rows.append(
        ImportRow(
            line=line,
            email=email,
            canonical=canonical,
            name=name[:120],
            country=country,
            postal_code=_cell(row, columns, "postal_code")[:16] or None,
            language=language,
            consent=_cell(row, columns, "consent").lower() in _YES,
        )
    )


def apply(
    group: Group, checked: ImportCheck, *, actor: User, wording: str, agreed_on: date | None
) -> int:
    """Write every row (the caller has made sure there is no error); returns how many."""
    version = text_version(wording) if checked.consenting else None
    entry = record(
        actor,
        ACTION,
        "group",
        group.id,
        {
            "rows": len(checked.rows),
            "subscribed": checked.consenting,
            "text_version": version,
            "consent_wording": " ".join(wording.split()) if checked.consenting else None,
            "agreed_on": agreed_on.isoformat() if agreed_on and checked.consenting else None,
        },
    )
    at = datetime.combine(agreed_on, time(), tzinfo=UTC) if agreed_on else None
    for row in checked.rows:
        record_action(
            group_id=group.id,
            email=row.email,
            canonical_email=row.canonical,
            name=row.name,
            country=row.country,
            postal_code=row.postal_code,
            language=row.language,
            source_type=IMPORT,
            source_id=entry.id,
            # No consent: a new supporter comes in unsubscribed, an existing one keeps the
            # consent they gave through an action of their own.
            updates=True if row.consent else None,
            text_version=version if row.consent else None,
        )
    if at is not None and version is not None:
        # The events record when people agreed, which is the attested date, not today.
        db.session.execute(
            update(ConsentEvent)
            .where(ConsentEvent.source_type == IMPORT, ConsentEvent.source_id == entry.id)
            .values(at=at)
        )
    return len(checked.rows)
