# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the module_utils unit tests."""

from __future__ import annotations

import os

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.spec_variants import spec_or_skip

PROXY_VARIABLES = ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy')


@pytest.fixture
def no_proxy_environment(monkeypatch):
    """The environment without any proxy variable (either case); the monkeypatch, to set some."""
    for name in list(os.environ):
        if name.lower() in PROXY_VARIABLES:
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture(scope='session')
def vcf_spec():
    """The VCF 9.0 OpenAPI document (``../shared/specs``), read once; skips when absent."""
    return spec_or_skip('vcf')


@pytest.fixture(scope='session')
def vro_spec():
    """The vRO 8.18.1 OpenAPI document (``../shared/specs``), read once; skips when absent."""
    return spec_or_skip('vro')
