# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Attributes shared by the modules."""

    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
'''

    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    details: This module never changes anything.
  diff_mode:
    support: N/A
    details: This module never changes anything.
'''

    VRO_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/cloudops.orchestrator.vro) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudops.orchestrator.vro
'''

    VCF_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/cloudops.orchestrator.vcf) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudops.orchestrator.vcf
'''

    ICO_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/cloudops.orchestrator.ico) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudops.orchestrator.ico
'''
