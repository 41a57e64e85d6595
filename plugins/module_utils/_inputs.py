# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inputs known to be secret (the ``secret_inputs`` option) merged into a run's inputs, for the runners.

Internal use only: this file may change without notice between releases.

No Ansible import: the module is used through what it exposes (``params``, ``argument_spec``, ``no_log_values``,
``warn``), so that runners stay below the Ansible layer.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import MIN_SECRET_LEN, SHORT_SECRET_WARNING
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import InputError


def _leaves(value):
    """Every scalar of a nested value, as ansible-core turns it into a no_log string."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)


def inputs_with_secrets(module, inputs, label='inputs'):
    """``inputs`` with the values of the module's ``secret_inputs`` option merged in; a name in both is a ValueError.

    ansible-core masks every scalar of the no_log ``secret_inputs``, ``'e'`` or ``'1'`` included, which would mangle
    every result: those shorter than MIN_SECRET_LEN are taken off the mask list again, with a warning.
    """
    secret = (module.params or {}).get('secret_inputs') or {}
    if not secret:
        return inputs
    keep = set()
    for name, opts in (getattr(module, 'argument_spec', None) or {}).items():
        if opts.get('no_log') and name != 'secret_inputs' and module.params.get(name) is not None:
            keep.update(_leaves(module.params[name]))
    short = set(v for v in _leaves(secret) if len(v) < MIN_SECRET_LEN)
    if short:
        warn_once = getattr(module, '_warn_short_secret', None)
        if warn_once:
            warn_once()
        else:
            module.warn(SHORT_SECRET_WARNING)
        module.no_log_values.difference_update(short - keep)
    both = sorted(set(inputs or {}) & set(secret))
    if both:
        raise InputError('%s and secret_inputs both set %s: give each input in only one of them' % (label, ', '.join(both)))
    merged = dict(inputs or {})
    merged.update(secret)
    return merged
