"""The simulator's shared runtime context, handed to every product module's ``setup(ctx)`` and ``seed(ctx)`` and
reached from views with ``simulator.routing.context()``.

Contract (API modules rely on exactly these names):

- ``ctx.store``: the :class:`simulator.store.Store`;
- ``ctx.settings`` / ``ctx.get_setting(name, default)`` / ``ctx.set_setting(name, value)``: runtime settings,
  persisted in the store (``vro_version``, ``vcf_access_token_lifetime``, ``vcf_refresh_token_lifetime``,
  ``vra_token_lifetime``, ``ico_status_step_seconds`` ...);
- ``ctx.quirk(name)``: True when the named quirk is enabled (``simulator/quirks.py``, setting ``quirks``);
- ``ctx.now()``: wall-clock seconds (float). Derive every state from stored timestamps, never from timers;
- ``ctx.users``: ``{'vro': {...}, 'vcf': {...}, 'ico': {...}}`` user name -> ``{'password', 'roles', ...}``;
- ``ctx.catalog``: extra catalogue sections from ``--catalog`` (``workflows``, ``vcf_tasks``, ``ico_tasks``);
- ``ctx.add_ticker(fn)``: ``fn(ctx)`` runs about every 0.2 s on one background thread;
- ``ctx.base_url``: the server's own base URL, e.g. ``https://127.0.0.1:PORT``;
- ``ctx.tokens_valid_after()``: tokens issued at or before this time (float seconds) count as expired
  (``POST /_sim/tokens/expire`` moves it to now);
- ``ctx.set_request_user(name)``: call after authenticating, so the request log names the user;
- ``same_secret(expected, given)`` (module function): constant-time comparison of a password or token, any text.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time

from simulator import quirks as quirks_mod

LOG = logging.getLogger("simulator")

DEFAULT_SETTINGS = {
    "vro_version": "8.18",
    "vcf_access_token_lifetime": 3600,
    "vcf_refresh_token_lifetime": 86400,
    "vra_token_lifetime": 28800,
    "vra_login_latency": 0.0,
    "vra_tenant": "vsphere.local",  # the one tenant of the OAuth tenant login (simulator/vra.py)
    "ico_status_step_seconds": 2,
    "tokens_valid_after": 0.0,
    "quirks": [],
}
DEFAULT_SETTINGS.update(quirks_mod.defaults())

_SETTING_KIND = "sim_setting"


def same_secret(expected, given):
    """True when ``given`` equals ``expected``, compared in constant time as UTF-8 (hmac.compare_digest refuses
    non-ASCII text, which made a non-ASCII password a 500 instead of a 401); a non-string ``given`` is False."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(str(expected).encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass"))


def _flask_g():
    # Imported late so that the store and context stay usable without Flask.
    from flask import g  # pylint: disable=import-outside-toplevel
    return g


class SimContext:
    """Runtime state shared by the core and the API modules (see the module docstring for the contract)."""

    def __init__(self, store, base_url="", catalog=None, clock=time.time):
        self.store = store
        self.base_url = base_url
        self.catalog = catalog or {}
        self.users = {}
        self._clock = clock
        self._tickers = []
        self._ticker_thread = None
        self._stop = threading.Event()
        self.settings = dict(DEFAULT_SETTINGS)
        # Settings chosen on the command line that a reset of the settings restores (the runner fills it).
        self.startup_settings = {}
        self._load_settings()
        # The flavour at start-up (the data dir's, or --vro-version: see runner.py): what a reset of the settings
        # restores, whatever a test set at run time.
        self.startup_vro_version = self.settings.get("vro_version", DEFAULT_SETTINGS["vro_version"])

    # -- time and settings --------------------------------------------------------------------------
    def now(self):
        """Wall-clock time in float seconds."""
        return self._clock()

    def _load_settings(self):
        docs, _total = self.store.query(_SETTING_KIND)
        for doc in docs:
            self.settings[doc["name"]] = doc["value"]

    def get_setting(self, name, default=None):
        """A runtime setting, or ``default`` (then the built-in default) when unset."""
        if name in self.settings:
            return self.settings[name]
        return default

    def set_setting(self, name, value):
        """Set and persist a runtime setting."""
        self.settings[name] = value
        self.store.put(_SETTING_KIND, name, {"name": name, "value": value}, name=name)

    def reset_settings(self):
        """Back to the defaults (keeping the flavour chosen on the command line)."""
        self.store.delete_where(_SETTING_KIND)
        self.settings = dict(DEFAULT_SETTINGS)
        self.set_setting("vro_version", self.startup_vro_version)
        # The quirks given on the command line (``--quirk``) come back too.
        for name, value in self.startup_settings.items():
            self.set_setting(name, value)

    def quirk(self, name):
        """True when the quirk ``name`` (``simulator/quirks.py``) is enabled."""
        return name in (self.settings.get("quirks") or ())

    def tokens_valid_after(self):
        """Tokens issued at or before this time are expired (moved by ``POST /_sim/tokens/expire``)."""
        return float(self.settings.get("tokens_valid_after") or 0.0)

    def expire_tokens(self):
        """Expire every token issued so far."""
        self.set_setting("tokens_valid_after", self.now())

    @property
    def vro_version(self):
        """The vRO flavour: '8.18' or '7.6'."""
        return str(self.settings.get("vro_version", "8.18"))

    @property
    def vro7(self):
        """True when simulating vRO 7.x."""
        return self.vro_version.startswith("7")

    # -- request bookkeeping ------------------------------------------------------------------------
    @staticmethod
    def set_request_user(name):
        """Record the authenticated user of the current request for the request log."""
        try:
            _flask_g().sim_user = name
        except RuntimeError:
            pass

    # -- tickers ------------------------------------------------------------------------------------
    def add_ticker(self, fn):
        """Call ``fn(ctx)`` about every 0.2 s from the background thread (exceptions are logged)."""
        self._tickers.append(fn)

    def tick(self):
        """Run every ticker once (the background thread calls this; tests may call it directly)."""
        for fn in list(self._tickers):
            try:
                fn(self)
            except Exception:  # pylint: disable=broad-except
                LOG.exception("ticker %r failed", fn)

    def start_tickers(self, interval=0.2):
        """Start the background ticker thread (idempotent)."""
        if self._ticker_thread is not None:
            return

        def loop():
            while not self._stop.wait(interval):
                self.tick()

        self._ticker_thread = threading.Thread(target=loop, name="sim-ticker", daemon=True)
        self._ticker_thread.start()

    def stop_tickers(self):
        """Stop the background ticker thread."""
        self._stop.set()
        if self._ticker_thread is not None:
            self._ticker_thread.join(timeout=2)
            self._ticker_thread = None
