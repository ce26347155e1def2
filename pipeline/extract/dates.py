"""Dates as pages print them, to ISO 8601 strings (python-dateutil).

A date with no time stays a date ("2008-03-05"); a time is added only when the page gives
one ("2008-03-05T08:15:00"), and a timezone offset only when the page gives one.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from dateutil import parser as dateparser

# The web starts here; an earlier year is a parse of something that is not a date.
MIN_YEAR = 1991
MAX_YEAR = 2100
# Two different defaults: a field that changes with the default was not in the text.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2001, 2, 2, 1, 1, 1)
# A date text longer than this is a sentence, not a timestamp.
MAX_DATE_TEXT = 120

# Month names of the languages met on blogs, mapped to English for dateutil.
MONTHS = {
    "januar": "January", "jänner": "January", "janvier": "January", "enero": "January",
    "gennaio": "January", "januari": "January", "janeiro": "January",
    "februar": "February", "février": "February", "fevrier": "February", "febrero": "February",
    "febbraio": "February", "februari": "February", "fevereiro": "February",
    "märz": "March", "maerz": "March", "mars": "March", "marzo": "March", "maart": "March",
    "março": "March", "marco": "March",
    "avril": "April", "abril": "April", "aprile": "April",
    "mai": "May", "mayo": "May", "maggio": "May", "mei": "May", "maio": "May",
    "juni": "June", "juin": "June", "junio": "June", "giugno": "June", "junho": "June",
    "juli": "July", "juillet": "July", "julio": "July", "luglio": "July", "julho": "July",
    "august": "August", "août": "August", "aout": "August", "agosto": "August",
    "augustus": "August",
    "septembre": "September", "septiembre": "September", "settembre": "September",
    "setembro": "September",
    "oktober": "October", "octobre": "October", "octubre": "October", "ottobre": "October",
    "outubro": "October",
    "novembre": "November", "noviembre": "November", "novembro": "November",
    "dezember": "December", "décembre": "December", "decembre": "December",
    "diciembre": "December", "dicembre": "December", "dezembro": "December",
}
MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b", re.I)
# Words between date parts that dateutil's fuzzy mode would misread ("de" as a token).
FILLER_WORDS = re.compile(r"\b(um|de|del|à|a las|alle|om|às|at|on|le|el|den|der)\b", re.I)
ISO_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
DOTTED_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
# Zone abbreviations printed by US and European blogs; others are ignored (naive time).
TIMEZONES = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
        "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2,
    }.items()
}
HAS_DIGIT = re.compile(r"\d")
EPOCH_MS = re.compile(r"showComment=(\d{12,13})")


# Parsed date texts kept per process: a page prints its post's date in several places, and
# dateutil parses each text twice (see to_iso), at about a tenth of a millisecond a time.
DATE_CACHE_SIZE = 4096


@lru_cache(maxsize=DATE_CACHE_SIZE)
def to_iso(text: str | None, dayfirst: bool | None = None) -> str | None:
    """Parse a printed date ("Wednesday, March 5, 2008", "4/19/2005 02:47:00 AM") to ISO 8601."""
    if not text or not HAS_DIGIT.search(text) or len(text) > MAX_DATE_TEXT:
        return None
    text = text.strip()
    if ISO_LIKE.match(text):
        return _iso_text(text)
    prepared = FILLER_WORDS.sub(" ", MONTH_WORD.sub(lambda m: MONTHS[m.group(1).lower()], text))
    if dayfirst is None:
        dayfirst = bool(DOTTED_DATE.search(prepared))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
            options = dict(fuzzy=True, dayfirst=dayfirst, tzinfos=TIMEZONES)
            first = dateparser.parse(prepared, default=_DEFAULT_A, **options)
            second = dateparser.parse(prepared, default=_DEFAULT_B, **options)
    except (ValueError, OverflowError, TypeError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    if not MIN_YEAR <= first.year <= MAX_YEAR:
        return None
    if (first.hour, first.minute) != (second.hour, second.minute):
        return first.date().isoformat()
    return first.isoformat()


def _iso_text(text: str) -> str | None:
    """Normalise an ISO-looking string (keeps a date-only value a date)."""
    try:
        value = dateparser.isoparse(text.strip())
    except (ValueError, OverflowError):
        return to_iso(text.replace("T", " ")[:40], dayfirst=False) if "T" in text else None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    if len(text.strip()) <= 10:
        return value.date().isoformat()
    return value.isoformat()


def parse_time(text: str | None) -> tuple[int, int, int] | None:
    """The clock time in a text ("8:15 AM", "at 02:47:00 PM"), or None."""
    if not text:
        return None
    match = re.search(r"\b(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", text, re.I)
    if not match:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    meridian = (match.group(4) or "").lower().replace(".", "")
    if meridian == "pm" and hour < 12:
        hour += 12
    elif meridian == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def combine(day: str | None, time_text: str | None) -> str | None:
    """Join a date ("2008-03-05") with the time printed elsewhere ("8:15 AM")."""
    if not day:
        return None
    if "T" in day:
        return day
    clock = parse_time(time_text)
    if clock is None:
        return day
    try:
        return datetime.combine(date.fromisoformat(day[:10]), datetime.min.time()).replace(
            hour=clock[0], minute=clock[1], second=clock[2]
        ).isoformat()
    except ValueError:
        return day


def from_epoch_ms(value: str | int) -> str | None:
    """A UTC timestamp in milliseconds (Blogger's showComment=...) to ISO 8601."""
    try:
        moment = datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return moment.replace(microsecond=0).isoformat()


def from_comment_link(href: str | None) -> str | None:
    """The time in a Blogger comment permalink (?showComment=<ms>), or None."""
    match = EPOCH_MS.search(href or "")
    return from_epoch_ms(match.group(1)) if match else None
