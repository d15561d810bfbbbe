"""User-controlled display strings (user and team names): what is accepted, and how they are
neutralised where they leave the platform (CSV cells, log lines, file names). HTML is escaped
by the templates' autoescaping."""
from __future__ import annotations

import re
import unicodedata

from .errors import ErrorKind, PlatformError

NAME_MAX = 100  # characters; the column size of users.name and teams.name
class Rejected(PlatformError, ValueError):
    """A user-supplied value that is refused; the message says why and how to fix it (HTTP 422)."""
    kind = ErrorKind.REJECTED


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell that starts with these


def _invisible(ch: str) -> bool:
    # Cc: control characters; Cf: format characters (the right-to-left override U+202E and the
    # other bidi controls, zero-width joiners) that make a name read as something else.
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_name(value: str, what: str) -> str:
    """``value`` stripped, if it is an acceptable name; else Rejected (422) saying why.
    Markup and formula characters are accepted (they are escaped on output); control and
    bidi-override characters and names over NAME_MAX characters are not."""
    value = unicodedata.normalize("NFC", value or "").strip()
    if not value:
        raise Rejected(f"{what} is empty; type one")
    if len(value) > NAME_MAX:
        raise Rejected(f"{what} is {len(value)} characters long; use at most {NAME_MAX}")
    bad = sorted({f"U+{ord(c):04X}" for c in value if _invisible(c)})
    if bad:
        raise Rejected(f"{what} contains invisible or direction-changing characters ({', '.join(bad)}); "
                             "remove them")
    return value


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string starting with a formula character gets
    a leading apostrophe (OWASP's CSV-injection advice). Other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def for_log(value: str, limit: int = 120) -> str:
    """A string as one safe log token: repr-escaped (no newlines or control characters), cut."""
    text = ascii(value[:limit])
    return text + ("..." if len(value) > limit else "")


def file_part(value: str, limit: int = 60) -> str:
    """A string reduced to [A-Za-z0-9._-] for use inside a file name ('x' if nothing is left)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", value)[:limit].strip("._") or "x"
