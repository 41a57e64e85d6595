# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO run state words outside the 8.18 spec's ExecutionState enum: other spellings of its states read as them,
``canceling`` is a known passing word, anything else is unknown and warned about once per word."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import note_state
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import (
    STATES, TERMINAL_STATES, state_value, unknown_state)


@pytest.mark.parametrize('raw, state', [
    ('cancelled', 'canceled'), ('CANCELLED', 'canceled'), ('Cancelled', 'canceled'), ({'value': 'cancelled'}, 'canceled'),
    ('CANCELED', 'canceled'), ('cancelling', 'canceling'), ('CANCELING', 'canceling'),
    ('STATE_WAITING_ON_SIGNAL', 'waiting-signal'), ('waiting_on_signal', 'waiting-signal'), ('WAITING_SIGNAL', 'waiting-signal'),
    ('COMPLETED', 'completed'), (' failed ', 'failed'),
])
def test_other_spellings_read_as_the_state_they_spell(raw, state):
    assert state_value(raw) == state
    assert not unknown_state(state)


def test_canceling_is_known_and_not_terminal():
    assert 'canceling' not in TERMINAL_STATES and not unknown_state('canceling')


@pytest.mark.parametrize('word', ['paused', 'zombie-state', 'finished', 'stopped'])
def test_other_words_are_unknown(word):
    assert unknown_state(state_value(word)) and word not in STATES


class Client(object):
    def __init__(self):
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def test_an_unknown_word_is_warned_about_once_per_word():
    client = Client()
    for state in ('running', 'paused', 'paused', 'canceling', 'zombie', 'paused', 'completed'):
        note_state(client, 'e1', state)
    assert len(client.warnings) == 2
    assert client.warnings[0].startswith("run e1 reads state 'paused', which is not a vRO run state (initializing, running")
    assert "'zombie'" in client.warnings[1]
