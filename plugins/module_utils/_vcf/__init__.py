# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDDC Manager: api.py (every endpoint), model.py (nouns, no I/O), one runner per module (task_retry.py, task_info.py)."""
