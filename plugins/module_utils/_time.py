# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one date and epoch parser of the collection, for the three products and the options.

Internal use only: this file may change without notice between releases.

The one rule for numbers (:func:`number_ms`): a number (or a string of digits) below 10**10 is epoch **seconds**,
one of 10**10 or more is epoch **milliseconds**. Ten digits of seconds reach the year 2286, and 10**10 ms is
1970-04-26, so no real date is ambiguous: SDDC Manager, ICO and vRO write milliseconds (13 digits) and users may
write either. Text is ISO 8601 (``Z``, ``+HH``, ``+HHMM`` or ``+HH:MM``; a time without a zone is UTC).
"""

from __future__ import annotations

import datetime
import math
import re

# Below this a number is epoch seconds; from it on, epoch milliseconds.
SECONDS_BELOW = 1e10
_NUMBER = re.compile(r'^\s*-?\d+(\.\d+)?\s*$')
_ISO_DATE = re.compile(
    r'^\s*(\d{4})-(\d{2})-(\d{2})'
    r'(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?'
    r'\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?\s*$'
)


def parse_date(value):
    """Return an aware UTC datetime for an ISO-8601 string, a date or a datetime; None if unparseable.

    A value without a zone is taken as UTC.
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc)
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value)
    if not m:
        return None
    year, month, day, hour, minute, second, frac, zone = m.groups()
    micro = int((frac or '0')[:6].ljust(6, '0'))
    tz = datetime.timezone.utc
    if zone and zone not in ('Z', 'z'):
        sign = -1 if zone[0] == '-' else 1
        digits = zone[1:].replace(':', '')
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        tz = datetime.timezone(sign * offset)
    try:
        parsed = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0), micro, tzinfo=tz)
    except ValueError:
        return None
    return parsed.astimezone(datetime.timezone.utc)


def format_date(moment):
    """Format an aware datetime as vRO's canonical ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (UTC)."""
    moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S') + '.%03dZ' % (moment.microsecond // 1000)


def number_ms(value):
    """Epoch milliseconds of a number or a string of digits, by the rule above; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.match(value)):
        number = float(value)
        return int(number * 1000) if number < SECONDS_BELOW else int(number)
    return None


def moment_from_ms(ms):
    """An aware UTC datetime from epoch milliseconds; None when out of range."""
    try:
        return datetime.datetime.fromtimestamp(float(ms) / 1000.0, tz=datetime.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def to_epoch_ms(value, option=None):
    """Epoch milliseconds from a number or digit string (see :func:`number_ms`), or an ISO 8601 time; None for None.

    Raises ValueError naming the value (and ``option``, the option it came from, when given) when it is none of those.
    """
    prefix = '%s: ' % option if option else ''
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        raise ValueError('%s%r is not a time' % (prefix, value))
    ms = number_ms(value)
    if ms is not None:
        return ms
    when = parse_date(value)
    if when is None:
        raise ValueError("%s%r is not an ISO 8601 time (e.g. '2026-05-01T12:00:00Z') nor epoch milliseconds"
                         % (prefix, value))
    return int(when.timestamp() * 1000)


def iso_from_ms(ms):
    """ISO 8601 (UTC) from epoch milliseconds; None when there is none."""
    if ms is None or isinstance(ms, bool):
        return None
    moment = moment_from_ms(ms)
    return moment.isoformat() if moment else None


# -- durations (wait_timeout, poll_interval, timeout, ...) ------------------------------------------------------
#
# The one duration grammar of the options (the user's version: "Durations" in docs/docsite/rst/waiting_idempotency_check_mode.rst):
#   * a number of seconds: an int or a float, or text that reads as one ('90', ' 1.5 ', '1e3');
#   * or text with units: one or more "<number><unit>" parts, case-insensitive, spaces allowed around and
#     between them, added up: '90s', '10m', '1h30m', '1h 30m', '500ms', '1.5h', '2 minutes', '1d'.
#     Units: ms (msec, millisecond[s]), s (sec[s], second[s]), m (min[s], minute[s]), h (hr[s], hour[s]),
#     d (day[s]). Every part needs its unit ('1m30' is refused, not read as 1m30s).
# Refused, with one line naming the option, the value and these forms: booleans, negatives, nan and infinity,
# unknown units, empty text and anything else.
def after_timeout(timeout, margin, default):
    """Seconds a request's effect may take to show: its ``timeout`` (``default`` when it has none, or one that is not
    a positive finite number) plus ``margin``, for a server slower than the timeout, or whose nodes are not in step."""
    try:
        timeout = float(timeout)
    except (TypeError, ValueError):
        timeout = default
    if not (math.isfinite(timeout) and timeout > 0):  # NaN, infinite, zero or negative
        timeout = default
    return timeout + margin


DURATION_FORMS = 'a number of seconds (90, 1.5) or a number with units ms, s, m, h, d (500ms, 90s, 10m, 1h30m)'
DURATION_UNITS = {
    'ms': 0.001, 'msec': 0.001, 'msecs': 0.001, 'millisecond': 0.001, 'milliseconds': 0.001,
    's': 1.0, 'sec': 1.0, 'secs': 1.0, 'second': 1.0, 'seconds': 1.0,
    'm': 60.0, 'min': 60.0, 'mins': 60.0, 'minute': 60.0, 'minutes': 60.0,
    'h': 3600.0, 'hr': 3600.0, 'hrs': 3600.0, 'hour': 3600.0, 'hours': 3600.0,
    'd': 86400.0, 'day': 86400.0, 'days': 86400.0,
}
_DURATION_PART = re.compile(r'\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)\s*')


def parse_duration(value, name, origin=''):
    """Seconds (a float) of one duration option's value, by the grammar above; None for None.

    Raises ValueError with one line naming ``name``, the value (followed by ``origin``, such as
    `` (from the environment variable VRO_TIMEOUT)``) and the accepted forms. Plain numbers give exactly what
    ansible-core's float gave them before; the bounds of each option (greater than 0, ...) are checked elsewhere.
    """
    if value is None:
        return None

    def refuse(what, shown=None):
        shown = str(repr(value) if shown is None else shown)
        shown = shown if len(shown) <= 60 else shown[:40] + '...' + shown[-10:]
        return ValueError('%s must %s, got %s%s: give %s' % (name, what, shown, origin, DURATION_FORMS))

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise refuse('be a duration', '%r (%s)' % (value, 'a boolean' if isinstance(value, bool) else type(value).__name__))
    if isinstance(value, str):
        shown = repr(value)
        text = value.strip().lower()
        if not text:
            raise refuse('be a duration', '%r (empty)' % value)
        try:
            seconds = float(text)
        except ValueError:
            seconds = _duration_with_units(text[1:] if text[0] in '+-' else text)
            if seconds is None:
                raise refuse('be a duration') from None
            seconds = -seconds if text[0] == '-' else seconds
    else:
        shown = value
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf if value > 0 else -math.inf
    if not math.isfinite(seconds):
        raise refuse('be a finite number of seconds', shown)
    if seconds < 0:
        raise refuse('not be negative', shown)
    return seconds + 0.0  # -0.0 reads 0.0


def _duration_with_units(text):
    """Seconds of lower-case text made of "<number><unit>" parts; None when it is not that."""
    total = 0.0
    position = 0
    while position < len(text):
        part = _DURATION_PART.match(text, position)
        if part is None or part.group(2) not in DURATION_UNITS:
            return None
        total += float(part.group(1)) * DURATION_UNITS[part.group(2)]
        position = part.end()
    return total
