"""``python -m simulator``: parse the arguments, start a :class:`simulator.runner.Simulator` and print the
first-line JSON contract on stdout.

The runner (and with it Flask) is imported only once the arguments are parsed, so that ``--help`` and a refused
``--host`` stay fast.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import signal
import sys
import threading

from simulator import catalog as catalog_mod
from simulator import faults as faults_mod
from simulator import quirks as quirks_mod


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
    parser.add_argument("--quirk", action="append", default=[], metavar="NAME[=VALUE]",
                        help="play the other reading of an open behaviour (repeatable; 'all'): %s"
                             % ", ".join(sorted(quirks_mod.KNOWN)))
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
    # Imported here so that `--help` and a refused --host stay fast (no Flask).
    from simulator.runner import Simulator  # pylint: disable=import-outside-toplevel
    try:
        sim = Simulator(host=args.host, port=args.port, tls=not args.no_tls, data_dir=args.data_dir,
                        vro_version=args.vro_version, catalog=args.catalog, faults=args.fault,
                        admin_token=args.admin_token, quirks=args.quirk)
    except (catalog_mod.CatalogError, faults_mod.FaultError, quirks_mod.QuirkError) as exc:
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
