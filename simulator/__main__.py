"""``python -m simulator``: start the simulator and print the first-line JSON contract on stdout.

Also usable in-process (tests, benchmarks)::

    sim = Simulator(data_dir=tmp, tls=True).start()
    sim.url, sim.ca_path, sim.users ...
    sim.stop()
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading

from simulator import catalog as catalog_mod
from simulator import faults as faults_mod


class Simulator:
    """One simulator instance: store, context, Flask app and the keep-alive server."""

    def __init__(self, host="127.0.0.1", port=0, tls=True, data_dir=None, vro_version=None, catalog=None, faults=(),
                 admin_token=None):
        # Imported here so that `--help` stays fast and errors surface with a clear message.
        from simulator.app import create_app  # pylint: disable=import-outside-toplevel
        from simulator.context import SimContext  # pylint: disable=import-outside-toplevel
        from simulator.server import build_server  # pylint: disable=import-outside-toplevel
        from simulator.store import Store  # pylint: disable=import-outside-toplevel
        from simulator import tls as tls_mod  # pylint: disable=import-outside-toplevel

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


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m simulator", description="vRO / vRA / VCF / ICO simulator")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind; other than loopback only with --allow-remote")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a --host that is not a loopback address (the admin API still needs its token)")
    parser.add_argument("--admin-token", default=os.environ.get("SIM_ADMIN_TOKEN") or None,
                        help="the /_sim admin token (default: SIM_ADMIN_TOKEN, else random per start)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--no-tls", action="store_true", help="serve plain HTTP")
    parser.add_argument("--data-dir", help="state directory (default: a new temporary directory)")
    parser.add_argument("--vro-version", choices=("7.6", "8.18"), help="vRO flavour (default 8.18, or the stored one)")
    parser.add_argument("--catalog", help="YAML catalogue of extra workflows, VCF tasks and ICO tasks")
    parser.add_argument("--fault", action="append", default=[], metavar="SPEC",
                        help="inject a fault, e.g. route=/vco/api/workflows/*/executions,method=POST,kind=reset_after,count=1")
    parser.add_argument("--log-level", default=os.environ.get("SIM_LOG_LEVEL", "WARNING"))
    return parser.parse_args(argv)


def is_loopback(host):
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def main(argv=None):
    args = parse_args(argv)
    if not is_loopback(args.host) and not args.allow_remote:
        print("simulator: --host %s is not a loopback address: other hosts could reach it (and its test passwords); "
              "add --allow-remote to bind it anyway" % args.host, file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        sim = Simulator(host=args.host, port=args.port, tls=not args.no_tls, data_dir=args.data_dir,
                        vro_version=args.vro_version, catalog=args.catalog, faults=args.fault,
                        admin_token=args.admin_token)
    except (catalog_mod.CatalogError, faults_mod.FaultError) as exc:
        print("simulator: %s" % exc, file=sys.stderr)
        return 2

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever, which runs in this (main) thread: call it from another one.
        threading.Thread(target=sim.server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(json.dumps(sim.info()) + "\n")
    sys.stdout.flush()
    try:
        sim.serve_forever()
    finally:
        sim.server.server_close()
        sim.ctx.stop_tickers()
        sim.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
