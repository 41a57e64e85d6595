# -*- coding: utf-8 -*-
# Copyright (c) cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vro_workflow_schema run: download a workflow's schema image (PNG) to a file, idempotent by content.
Internal use only.

``workflow_schema(api, ..., dest, write)`` takes explicit arguments; ``write(dest, content)`` (built by ``run`` from
the module's file helpers) writes only when the content differs and returns ``(changed, content_changed)``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_api import WorkflowApi


# -- writing the image ---------------------------------------------------------------------------------------

def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def write_file(module, dest, content, file_args):
    """Write ``content`` to ``dest`` atomically when it differs, then apply ``file_args`` (mode/owner/group).

    Returns ``(changed, content_changed)``. In check mode nothing is written and both say what would change.
    """
    content_changed = _read(dest) != content
    if content_changed and not module.check_mode:
        directory = os.path.dirname(os.path.abspath(dest))
        if not os.path.isdir(directory):
            raise OperationError("cannot write the schema to '%s': directory '%s' does not exist" % (dest, directory))
        handle, tmp = tempfile.mkstemp(prefix='.vro-schema-', suffix='.png', dir=directory)
        try:
            with os.fdopen(handle, 'wb') as out:
                out.write(content)
            module.atomic_move(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    if module.check_mode and content_changed and not os.path.exists(dest):
        # Nothing to compare attributes with: the new file would get them.
        return True, True
    changed = module.set_fs_attributes_if_different(file_args, content_changed)
    return bool(changed), content_changed


def schema_destination(dest, definition):
    """``dest`` itself, or ``dest/<workflow id>.png`` when ``dest`` is an existing directory."""
    if os.path.isdir(dest):
        return os.path.join(dest, '%s.png' % definition.id)
    return dest


# -- vro_workflow_schema -------------------------------------------------------------------------------------

def workflow_schema(api, workflow_id=None, workflow_name=None, category=None, dest=None, write=None):
    """The vro_workflow_schema result: the image of the workflow (by id, or by name and category) written to ``dest``
    (``dest/<workflow id>.png`` when ``dest`` is a directory) when its content differs."""
    definition = api.resolve_workflow(workflow_id, workflow_name, category)
    content = api.schema(definition.id)
    path = schema_destination(dest, definition)
    changed, content_changed = write(path, content)
    return {'changed': changed, 'dest': path, 'size': len(content), 'sha256': hashlib.sha256(content).hexdigest(),
            'content_changed': content_changed,
            'workflow': {'id': definition.id, 'name': definition.name, 'category': definition.category}}


def run(module):
    """The vro_workflow_schema operation (see the module docs): reads the options once."""
    p = module.params

    def write(dest, content):
        return write_file(module, dest, content, module.load_file_common_arguments(p, path=dest))

    return workflow_schema(WorkflowApi(module.client()), p['workflow_id'], p['workflow_name'], p['category'], p['dest'], write)
