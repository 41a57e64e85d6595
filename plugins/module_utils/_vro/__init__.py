# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRealize/Aria Orchestrator: api.py (endpoints), decode.py / encode.py (parameters), one runner per module."""
