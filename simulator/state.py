"""Seeding and resetting the simulator's state (``/_sim/reset`` and a fresh data directory).

Every product module listed in ``ctx.modules`` (``[(product, module)]``, set by ``app.create_app``) has a
``seed(ctx)`` that stores its built-in catalogue.
"""

from __future__ import annotations

_SEED_KIND = "sim_meta"


def seed_all(ctx):
    """Seed every product module's built-in catalogue and mark the store as seeded."""
    for _product, module in ctx.modules:
        module.seed(ctx)
    ctx.store.put(_SEED_KIND, "seeded", {"at": ctx.now()})


def is_seeded(ctx):
    """True when this data directory was seeded before (a restart keeps its state)."""
    return ctx.store.get(_SEED_KIND, "seeded") is not None


def reset_state(ctx, settings=False):
    """Clear all state, faults and counters, then re-seed (``settings=True`` also restores default settings)."""
    keep = () if settings else ("sim_setting",)
    ctx.store.reset(keep_kinds=keep)
    if settings:
        ctx.reset_settings()
    ctx.faults.clear()
    ctx.request_log.clear()
    seed_all(ctx)
