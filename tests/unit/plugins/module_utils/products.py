# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each product's CONNECTION (API path, name, error-body parser) and pager by name, for tests that build a bare Client.

The client is product-neutral: what it knows of a product is what the product's API layer passes in.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import CONNECTION as ICO, paged as ico_pages
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import CONNECTION as VCF, paged as vcf_pages
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import CONNECTION as VRO, paged as vro_pages

CONNECTIONS = {'vro': VRO, 'vcf': VCF, 'ico': ICO}
PAGERS = {'vro': vro_pages, 'vcf': vcf_pages, 'ico': ico_pages}
