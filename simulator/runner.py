"""One simulator instance: store, context, Flask app and the keep-alive server.

``python -m simulator`` (``__main__.py``) parses its arguments and runs one; tests and benchmarks use it
in-process::

    sim = Simulator(data_dir=tmp, tls=True).start()
    sim.url, sim.ca_path, sim.users ...
    sim.stop()
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading

from simulator import catalog as catalog_mod
from simulator import faults as faults_mod
from simulator import quirks as quirks_mod
from simulator import tls as tls_mod
from simulator.app import create_app
from simulator.context import SimContext
from simulator.server import build_server
from simulator.store import Store


class Simulator:
    """One simulator instance: store, context, Flask app and the keep-alive server."""

    def __init__(self, host="127.0.0.1", port=0, tls=True, data_dir=None, vro_version=None, catalog=None, faults=(),
                 admin_token=None, quirks=None):
        self.data_dir = os.path.abspath(data_dir or tempfile.mkdtemp(prefix="orchestrator-sim-"))
        os.makedirs(self.data_dir, mode=0o700, exist_ok=True)
        os.chmod(self.data_dir, 0o700)  # it holds the TLS key and every password: owner only
        self.store = Store(os.path.join(self.data_dir, "simulator.sqlite"))
        extra = catalog_mod.load(catalog) if catalog else catalog_mod.check({})
        self.ctx = SimContext(self.store, catalog=extra)
        self.ctx.data_dir = self.data_dir
        # /_sim (every password, reset, faults) answers only requests carrying this token (admin.py).
        self.admin_token = admin_token or secrets.token_urlsafe(24)
        self.ctx.admin_token = self.admin_token
        if vro_version:
            self.ctx.set_setting("vro_version", str(vro_version))
            self.ctx.startup_vro_version = str(vro_version)
        if quirks:
            # --quirk NAME[=VALUE] / all (simulator/quirks.py); a data dir's stored quirks stay when none is given.
            names, values = quirks_mod.parse(quirks)
            self.ctx.startup_settings = dict(values, quirks=names)
            for key, value in self.ctx.startup_settings.items():
                self.ctx.set_setting(key, value)
        self.ctx.faults = faults_mod.FaultSet()
        for spec in faults or ():
            self.ctx.faults.add(faults_mod.parse_spec(spec) if isinstance(spec, str) else spec)
        self.app = create_app(self.ctx)
        ssl_context, self.ca_path = None, None
        if tls:
            self.ca_path, cert_path, key_path = tls_mod.ensure_certificates(self.data_dir)
            ssl_context = tls_mod.server_context(cert_path, key_path)
        self.server = build_server(host, port, self.app, ssl_context=ssl_context)
        self.host = host
        self.port = self.server.server_port
        shown = "[%s]" % host if ":" in host else host
        self.url = "%s://%s:%d" % ("https" if tls else "http", shown, self.port)
        self.ctx.base_url = self.url
        self._thread = None

    @property
    def users(self):
        return self.ctx.users

    def info(self):
        """The first-line JSON contract."""
        return {
            "url": self.url, "ca_path": self.ca_path, "vro_version": self.ctx.vro_version,
            "data_dir": self.data_dir, "pid": os.getpid(), "users": self.ctx.users,
            "admin_token": self.admin_token, "admin_header": "X-Sim-Admin-Token",
            "quirks": list(self.ctx.settings.get("quirks") or []),
        }

    def serve_forever(self):
        self.ctx.start_tickers()
        self.server.serve_forever(poll_interval=0.2)

    def start(self):
        """Serve from a background thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, name="sim-server", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving, stop the tickers and close the store."""
        self.server.shutdown()
        self.server.server_close()
        self.ctx.stop_tickers()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()
