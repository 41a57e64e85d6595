"""A local vRO 7/8 + vRA login + VCF SDDC Manager + ICO 2.5 server for tests, demos and benchmarks.

Start it with ``python -m simulator`` (see ``simulator/README.md``). The pieces: ``store`` (SQLite document
store), ``context`` (the runtime context handed to API modules), ``app`` (the Flask factory), ``server``
(keep-alive HTTP server), ``faults``, ``tls``, ``admin`` (``/_sim/``) and one module per API.
"""

from __future__ import annotations


def __getattr__(name):
    # Lazy, so that importing simulator.store does not pull in Flask.
    if name == "Simulator":
        from simulator.__main__ import Simulator  # pylint: disable=import-outside-toplevel
        return Simulator
    raise AttributeError(name)
