# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one date rule: every reader of a number (options, SDDC Manager, ICO, vRO) reads it the same way."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms, number_ms, to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_date


@pytest.mark.parametrize('value, ms', [
    (1772323200, 1772323200000),          # ten digits: seconds
    ('1772323200', 1772323200000),
    (1772323200000, 1772323200000),       # thirteen digits: milliseconds
    ('1772323200000', 1772323200000),
    (9999999999, 9999999999000),          # the last second read as seconds
    (10000000000, 10000000000),           # the first number read as milliseconds
])
def test_small_numbers_are_seconds_everywhere(value, ms):
    assert number_ms(value) == ms
    assert to_epoch_ms(value) == ms
    # vRO's decoder follows the same rule (it used to read every number as milliseconds).
    assert decode_date(value) == iso_from_ms(ms).replace('+00:00', '').split('.')[0][:19] + '.%03dZ' % (ms % 1000)


def test_text_is_not_a_number():
    assert number_ms('2026-03-01T00:00:00Z') is None
    assert number_ms(True) is None
    assert to_epoch_ms('2026-03-01T00:00:00Z') == 1772323200000
