# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRealize/Aria Orchestrator: api.py (endpoints), model.py (nouns), decode.py / encode.py (parameters), task_api.py / task_model.py
(the Task service, only for the task modules), one runner per module."""
