"""What "Indonesian first" means to the tests (issue 13, item 11): texts a
user reads in Indonesian hold no English sentence and no raw catalogue key.

english(text) returns the English words found (empty: the text is fine).
The words below never appear in proper Indonesian interface text; product
names (WhatsApp, LAPOR!, Meta) and the API's own codes (field names before a
colon, quoted values, paths) are left out of the check."""

import re

ENGLISH = [
    "the", "not found", "invalid", "must", "attachment", "received", "in progress",
    "supervisor", "required", "expected", "unknown", "only", "may not", "belongs",
    "another", "your", "please", "cannot", "is not", "no such", "too many", "at most",
    "error", "field officer", "viewer", "request", "report", "reporter", "submit",
    "cancel", "loading", "case", "file", "agency", "team", "not allowed", "missing",
    "forbidden", "wrong", "failed", "should", "already", "allowed", "body is", "limited to",
    "bytes", "session", "expired", "log in", "sign in", "accept", "forwarded to",
    "photo saved", "noted", "call-out", "on site", "resolved", "dispatched", "closed",
    "rejected", "on hold", "reopened", "submitted", "issued", "processing", "checking",
    "incomplete", "verified", "officer", "leadership", "emergency", "complaint",
]
_WORDS = re.compile(r"\b(%s)\b" % "|".join(re.escape(w) for w in ENGLISH), re.I)
# A catalogue key shown instead of its text: "a_document_view", "err.not_found".
_SNAKE = re.compile(r"(?<![\w./{-])[a-z]+(?:_[a-z]+)+(?![\w/}])")
_DOTTED = re.compile(r"(?<![\w./])[a-z]+\.[a-z_]+(?:\.[a-z_]+)*(?![\w/(])")


def _strip_codes(text):
    text = re.sub(r'"[^"]*"', " ", text)                 # quoted values
    text = re.sub(r"\S*/\S*", " ", text)                  # paths, content types, URLs
    text = re.sub(r"\{[^}]*\}", " ", text)                # {placeholders}
    return text


def english(text):
    """The English words of text, a page's visible text or a detail."""
    return sorted({m.group(1).lower() for m in _WORDS.finditer(_strip_codes(text))})


def keys(text):
    """Raw catalogue keys in visible page text (snake_case or dotted)."""
    t = _strip_codes(text)
    return sorted(set(_SNAKE.findall(t)) | set(_DOTTED.findall(t)))


def detail_english(detail):
    """English in an API error detail: the API's field names at its start
    ("team_id: ...", "lat dan lon: ...") and within it are codes, not words."""
    d = re.sub(r"^[\w.\[\]/-]+(?:(?:, | dan | atau )[\w.\[\]/-]+)*: ", "", detail)
    d = re.sub(r"\b\w*_\w*\b", " ", d)                    # field names mid-sentence
    d = re.sub(r"[\w.]+(?:,[\w.]+)+", " ", d)              # lists of codes: "id,status,agency"
    return english(d)


def visible_text(html):
    """The text of an HTML page, without its tags, scripts and styles."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html.replace("&nbsp;", " ").replace("&amp;", "&"))
