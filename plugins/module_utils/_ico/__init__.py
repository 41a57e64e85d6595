# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IBM Cloud Orchestrator 2.5: api.py (every endpoint), model.py (nouns, no I/O), one runner per module (task.py, task_info.py)."""
