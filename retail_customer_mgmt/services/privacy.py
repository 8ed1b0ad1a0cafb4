"""Rules of the privacy tools: what a forgotten customer's traces are
searched by, how they are redacted, and who is inactive long enough to be
proposed for anonymisation.

Redaction works on any text (plain or HTML): every occurrence of a term,
whatever its case, becomes ``MASK``. Terms shorter than ``MIN_TERM`` or
containing the mask's character are ignored (they would erase ordinary
words, or could never be made to disappear).
"""

import html
import re
from datetime import date

MASK = "***"
MIN_TERM = 3


def search_terms(names=(), emails=(), phones=()):
    """The strings a customer's personal data is found by, longest first.

    Names and emails as written; phone numbers as written, without their
    separators, and without the leading ``+``; each also HTML-escaped (an
    apostrophe in a name is written ``&#39;`` in a chatter message).
    """
    terms = set()
    for value in (*names, *emails):
        if value:
            terms.add(value.strip())
    for value in phones:
        if not value:
            continue
        terms.add(value.strip())
        digits = re.sub(r"[^0-9+]", "", value)
        terms.update({digits, digits.lstrip("+")})
    # Python escapes an apostrophe as &#x27;, markupsafe (Odoo's HTML) as &#39;
    escaped = {html.escape(term) for term in terms}
    terms |= escaped | {term.replace("&#x27;", "&#39;") for term in escaped}
    return sorted(
        (term for term in terms if len(term) >= MIN_TERM and MASK[0] not in term),
        key=lambda term: (-len(term), term),
    )


def redact(text, terms):
    """``text`` with every occurrence of ``terms`` (case-insensitive)
    replaced by ``MASK``; ``text`` itself when nothing matches (or it is
    empty). One pass suffices: an occurrence left would lie between two
    replacements, where the scan already looked."""
    if not text or not terms:
        return text
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    return pattern.sub(MASK, text)


def contains_any(text, terms):
    """Whether ``text`` holds one of ``terms`` (case-insensitive)."""
    if not text:
        return False
    lowered = text.lower()
    return any(term.lower() in lowered for term in terms)


def inactive_since(today, years):
    """The first day a customer last seen before is inactive for ``years``
    full years on ``today`` (29 February falls back to 28)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, today.month, 28)
