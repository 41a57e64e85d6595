# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Epoch-millisecond times, as SDDC Manager and ICO write them.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import datetime
import re


def to_epoch_ms(value, option=None):
    """Epoch milliseconds from an int/float (seconds if small, else ms), a digit string or an ISO 8601 time.

    Raises ValueError naming the value (and ``option``, the option it came from, when given) when it is none of those.
    """
    prefix = '%s: ' % option if option else ''
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        raise ValueError('%s%r is not a time' % (prefix, value))
    if isinstance(value, (int, float)) or re.match(r'^\s*\d+(\.\d+)?\s*$', str(value)):
        number = float(value)
        # Ten digits or fewer is epoch seconds; later than 2286 in seconds is not a plausible input.
        return int(number * 1000) if number < 1e10 else int(number)
    text = str(value).strip()
    if text.endswith(('Z', 'z')):
        text = text[:-1] + '+00:00'
    # Python < 3.11 wants +HH:MM; SDDC Manager and ICO also write +HHMM.
    text = re.sub(r'([+-]\d\d)(\d\d)$', r'\1:\2', text)
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("%s%r is not an ISO 8601 time (e.g. '2026-05-01T12:00:00Z') nor epoch milliseconds"
                         % (prefix, value)) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return int(when.timestamp() * 1000)


def iso_from_ms(ms):
    """ISO 8601 (UTC) from epoch milliseconds; None when there is none."""
    if ms is None or isinstance(ms, bool):
        return None
    try:
        return datetime.datetime.fromtimestamp(float(ms) / 1000.0, tz=datetime.timezone.utc).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None
