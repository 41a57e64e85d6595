# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documentation site (tools/build_docs.py, what `make docs` runs): it builds offline, with the module and role
reference and the guides, and only "no network" warnings are tolerated."""

from __future__ import annotations

import re
import subprocess
import sys
from html import escape as html_escape

import pytest

from _harness import PYTHON, REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / 'tools'))
import build_docs  # noqa: E402  # pylint: disable=wrong-import-position

GUIDES = ['getting_started', 'typed_inputs', 'waiting_idempotency_check_mode', 'roles_and_playbooks', 'awx_aap',
          'simulator', 'troubleshooting', 'reliability', 'performance', 'migrating']
UNREACHABLE = ("WARNING: failed to reach any of the inventories with the following issues:\n"
               "intersphinx inventory 'https://docs.ansible.com/objects.inv' not fetchable due to ConnectionError")


def test_offline_warnings_are_tolerated_and_others_are_not():
    log = '\n'.join([
        UNREACHABLE,
        "/x/rst/vro_task_module.rst:1000: WARNING: undefined label: 'common_return_values' [ref.ref]",
        "/x/rst/docsite/awx_aap.rst:12: WARNING: undefined label: "
        "'ansible_collections.cloudops.orchestrator.docsite.nope' [ref.ref]",
        "/x/rst/docsite/simulator.rst:4: WARNING: Title underline too short.",
        "",
        "Title",
        "==== [docutils]",
    ])
    fatal, tolerated = build_docs.classify(log)
    assert len(tolerated) == 2
    assert len(fatal) == 2
    assert 'docsite.nope' in fatal[0] and 'Title underline too short' in fatal[1]


def test_external_labels_are_errors_when_online():
    fatal, tolerated = build_docs.classify("/x/a.rst:1: WARNING: undefined label: 'common_return_values' [ref.ref]")
    assert tolerated == [] and len(fatal) == 1


def test_site_builds_offline(tmp_path):
    collection = tmp_path / 'ansible_collections' / 'cloudops' / 'orchestrator'
    sync = subprocess.run([PYTHON, str(REPO_ROOT / 'tools' / 'sync_tree.py'), str(REPO_ROOT), str(collection)],
                          capture_output=True, text=True, check=False)
    if sync.returncode:
        pytest.fail('sync_tree.py failed:\n%s%s' % (sync.stdout, sync.stderr))
    out = tmp_path / 'site'
    proc = subprocess.run([PYTHON, str(REPO_ROOT / 'tools' / 'build_docs.py'), str(collection), str(out)],
                          capture_output=True, text=True, timeout=600, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = out / 'html'
    index = (html / 'index.html').read_text(encoding='utf-8')
    for guide in GUIDES:
        assert (html / 'docsite' / ('%s.html' % guide)).exists(), guide
        assert 'docsite/%s.html' % guide in index
    for role in ('vro_workflow', 'vcf_task_remediation', 'vro_schedules', 'ico_task_housekeeping'):
        assert (html / ('%s_role.html' % role)).exists(), role
    for module in ('vro_workflow_run', 'vcf_task_retry', 'orch_task'):
        assert (html / ('%s_module.html' % module)).exists(), module
    cookbook = (html / 'docsite' / 'typed_inputs.html').read_text(encoding='utf-8')
    assert 'MimeAttachment' in cookbook and 'REPLACE_WITH_VC_VIRTUALMACHINE_ID' in cookbook
    migrating = (html / 'docsite' / 'migrating.html').read_text(encoding='utf-8')
    assert migrating.count('highlight-yaml') == 6 and 'output-parameters' in migrating  # three uri / module pairs
    performance = (html / 'docsite' / 'performance.html').read_text(encoding='utf-8')
    # Every scenario title the page's source holds (the benchmark rewrites it) is rendered in its table.
    source = (REPO_ROOT / 'docs' / 'docsite' / 'rst' / 'performance.rst').read_text(encoding='utf-8')
    titles = re.findall(r'\*\*(Scenario \d+: [^*]+?)\*\*', source)
    assert performance.count('<table') == 2 and titles
    assert [t for t in titles if html_escape(t, quote=False) not in performance] == []
