# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blind audit: finding workflows and runs on vRO, against a fake written from public evidence only.

The fake (``CatalogVro``) plays, one knob each, the readings that public material leaves open:

- The workflow list ``GET /workflows`` (and ``/catalog/System/Workflow``) is an inventory-items body
  ``{"link": [{"href", "rel", "attributes": [{"name", "value"}]}], "total": N}`` (Jonathan Medd, "Querying vRO
  Workflows with the REST API and Multiple Conditions", 2015; vaquero-io/vcoworkflows
  ``spec/vcoworkflows/workflowservice_spec.rb``). ``total`` is optional in the 8.18 spec (``inventory-items``) and
  ``queryCount`` defaults to false there, so a server may send no ``total``. Older guides (vCenter Orchestrator 5.5
  "Search for the Send Hello Workflow") show entries whose ``href`` is ``/catalog/System/Workflow/<id>/`` and that
  carry no ``categoryName``.
- Conditions are split at commas and are case-sensitive (Medd); the spec types ``conditions`` as an array, so the
  parameter may also come repeated. ``maxResult`` defaults to 2147483647 in the spec.
- The executions list ``GET /workflows/{id}/executions`` is ``{"relations": {"total", "link": [...]}}`` with ``up``
  and ``add`` links beside the ``down`` entries, attributes ``id, startDate, endDate, startedBy, state, name,
  currentItemDisplayName``, an attribute sometimes without a ``value`` (``{"name": "currentItemDisplayName"}``), and
  the runs oldest first (vcoworkflows, same spec file; PowervRO ``Get-vROWorkflowExecution`` keeps only links with
  attributes and takes ``Select-Object -Last 1`` as the newest run).
- One run has ``start-date``/``end-date`` as epoch milliseconds in the same capture, ISO text in the 8.18 spec;
  ``/state`` answers ``{"value": ...}`` (PowervRO ``Get-vROWorkflowExecutionState``), ``{"state": ...}`` in the spec.
- VMware's own vrealize-developer-tools (``VroRestClient.getWorkflows``) reads ``GET workflows`` unpaged and skips
  links without ``attributes``; the Broadcom reference pages render a link's list as ``attribute`` (the XML name);
  mgovedarov/mcp-vcf-orchestrator (``src/client/workflow-client.ts``) accepts ``@id``/``@name`` attribute names.
- Public scripts disagree on the executions order: one reads ``maxResult=1`` as the latest run, another sorts because
  "the order is not newest first".
- No public source gives a syntax for date conditions or ``sortOrders`` on the executions list
  (/work/shared/API-NOTES.md), so the fake either rejects them (400) or ignores them.
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.parse

import pytest

from _harness import BasicJsonApi, run_playbook, write_playbook

USER = 'vcoadmin'
PASSWORD = 'Blind-Catalog-Pw-7781'
PREFIX = '/vco/api'

BASE_TIME = datetime.datetime(2026, 11, 20, 0, 0, tzinfo=datetime.timezone.utc)

WORKFLOWS = [
    # id, name, category
    ('wf-echo-lib', 'Echo typed inputs', 'Library'),
    ('wf-echo-demo', 'Echo typed inputs', 'Demo'),
    ('wf-amp', 'Backup & restore, daily', 'Ops'),
    ('wf-tilde', 'Résumé ~ copy', 'Ops'),
] + [('wf-filler-%02d' % i, 'Filler %02d' % i, 'Bulk') for i in range(30)]

RUN_COUNT = 24
# The smallest PNG the module accepts as whole: signature, then an IEND chunk.
PNG = b'\x89PNG\r\n\x1a\n' + b'\x00\x00\x00\x00IEND\xaeB`\x82'


def run_states():
    """The runs of wf-echo-lib, oldest first: (id, state, start, end or None, started_by)."""
    cycle = ['completed', 'failed', 'completed', 'canceled']
    runs = []
    for i in range(RUN_COUNT):
        start = BASE_TIME + datetime.timedelta(hours=i)
        state = cycle[i % len(cycle)]
        if i >= RUN_COUNT - 2:
            state = 'running' if i == RUN_COUNT - 1 else 'waiting'
        end = None if state in ('running', 'waiting') else start + datetime.timedelta(minutes=5)
        runs.append(('run-%02d' % i, state, start, end, 'svc-ansible' if i % 2 else 'alice@corp.local'))
    return runs


def iso_z(when):
    return when.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (when.microsecond // 1000)


def epoch_ms(when):
    return int(when.timestamp() * 1000)


class CatalogVro(BasicJsonApi):
    """A vRO as the public evidence allows it to be; ``knobs`` pick the open readings (see the module docstring)."""

    DEFAULTS = {
        'total': 'always',          # always | absent | page (the count of this page)
        'paging': 'honoured',       # honoured | ignored (maxResult/startIndex ignored: every match on each page)
        'hrefs': 'workflows',       # workflows | catalog (5.5 guide: /catalog/System/Workflow/<id>/, no categoryName)
        'contains': 'insensitive',  # insensitive | sensitive (name~X)
        'bad_condition': 'ignore',  # ignore | 400: a condition piece without an operator (after a comma split)
        'order': 'asc',             # asc | desc: the executions list
        'list_dates': 'iso_z',      # iso_z | offset | epoch: startDate/endDate attributes of the executions list
        'run_dates': 'epoch',       # epoch | iso: start-date/end-date of one run
        'date_conditions': '400',   # 400 | ignore: startDate>/</>= conditions and sortOrders on executions
        'state_field': 'value',     # value | state: the /state answer
        'params': 'dashed',         # dashed | camel: input-parameters / inputParameters
        'attr_names': 'plain',      # plain | at: '@id', '@name', '@type' attribute names (tolerated by a public client)
        'attr_key': 'attributes',   # attributes | attribute: the list's key in a link (the reference pages' XML name)
        'bare_link': False,         # a link without attributes on each page of the workflow list (skipped by VMware's tools)
    }

    def __init__(self, **knobs):
        super().__init__(PREFIX, USER, PASSWORD)
        unknown = set(knobs) - set(self.DEFAULTS)
        assert not unknown, unknown
        self.knobs = dict(self.DEFAULTS, **knobs)
        self.runs = run_states()
        self.started = []
        self.fresh = {}

    # ---- helpers
    def api_url(self, rel):
        return self.url + PREFIX + rel

    def conditions(self, query):
        """The conditions of a query, split at commas as vRO does: [(attribute, operator, value)]; None when refused."""
        parsed = urllib.parse.parse_qs(query, keep_blank_values=True)
        pieces = []
        for raw in parsed.get('conditions', []):
            pieces.extend(raw.split(','))
        found = []
        for piece in pieces:
            match = re.match(r'^([A-Za-z]+)(>=|<=|=|~|>|<)(.*)$', piece, re.S)
            if not match:
                if self.knobs['bad_condition'] == '400':
                    return None
                continue
            found.append(match.groups())
        return found

    @staticmethod
    def paging(query):
        parsed = urllib.parse.parse_qs(query)
        start = int(parsed.get('startIndex', ['0'])[0])
        count = int(parsed.get('maxResult', ['2147483647'])[0])
        return start, count

    def page(self, entries, query):
        start, count = self.paging(query)
        if self.knobs['paging'] == 'ignored':
            return entries
        return entries[start:start + count]

    def with_total(self, body, total, page_len, query):
        if self.knobs['total'] == 'always':
            body['total'] = total
        elif self.knobs['total'] == 'page':
            body['total'] = page_len
        return body

    def match(self, value, operator, wanted):
        value = value or ''
        if operator == '=':
            return value == wanted
        if operator == '~':
            if self.knobs['contains'] == 'insensitive':
                return wanted.lower() in value.lower()
            return wanted in value
        return False

    # ---- workflows
    def workflow_entry(self, wid, name, category):
        href = self.api_url('/workflows/%s/' % wid)
        attributes = [
            {'name': 'itemHref', 'value': href},
            {'name': 'id', 'value': wid},
            {'name': 'categoryName', 'value': category},
            {'name': 'canExecute', 'value': 'true'},
            {'name': 'description', 'value': ''},
            {'name': 'name', 'value': name},
            {'name': 'type', 'value': 'Workflow'},
            {'name': 'version', 'value': '1.0.0'},
        ]
        if self.knobs['hrefs'] == 'catalog':
            href = self.api_url('/catalog/System/Workflow/%s/' % wid)
            attributes = [a for a in attributes if a['name'] not in ('itemHref', 'categoryName', 'version')]
        if self.knobs['attr_names'] == 'at':
            attributes = [dict(a, name='@' + a['name']) if a['name'] in ('id', 'name', 'type') else a for a in attributes]
        return {'href': href, 'rel': 'down', self.knobs['attr_key']: attributes}

    def workflow_list(self, h, query):
        conditions = self.conditions(query)
        if conditions is None:
            return self.error(h, 400, 'Invalid condition')
        fields = {'name': 1, 'categoryName': 2, 'id': 0}
        matches = []
        for row in WORKFLOWS:
            ok = True
            for attribute, operator, wanted in conditions:
                if attribute not in fields:
                    ok = False
                    break
                ok = ok and self.match(row[fields[attribute]], operator, wanted)
            if ok:
                matches.append(row)
        entries = [self.workflow_entry(*row) for row in self.page(matches, query)]
        links = ([{'href': self.api_url('/catalog/System/'), 'rel': 'up'}] if self.knobs['bare_link'] else []) + entries
        return h.send(200, self.with_total({'link': links}, len(matches), len(entries), query))

    def definition(self, h, wid):
        row = next((r for r in WORKFLOWS if r[0] == wid), None)
        if row is None:
            return self.error(h, 404, "Workflow with id '%s' not found" % wid)
        inputs = [{'name': 'str', 'type': 'string', 'description': 'a text'}, {'name': 'num', 'type': 'number'}]
        outputs = [{'name': 'result', 'type': 'string'}]
        body = {'id': wid, 'name': row[1], 'version': '1.0.0', 'description': '', 'href': self.api_url('/workflows/%s/' % wid),
                'customized-icon': False,
                'relations': {'link': [{'rel': 'up', 'href': self.api_url('/inventory/System/Workflows/%s/' % row[2])}]}}
        dashed = self.knobs['params'] == 'dashed'
        body['input-parameters' if dashed else 'inputParameters'] = inputs
        if wid != 'wf-amp':  # a workflow without outputs: the key is absent
            body['output-parameters' if dashed else 'outputParameters'] = outputs
        return h.send(200, body)

    # ---- executions
    def run_attributes(self, run, wname):
        rid, state, start, end, by = run
        stamp = {'iso_z': iso_z,
                 'offset': lambda t: t.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat(timespec='milliseconds'),
                 'epoch': lambda t: str(epoch_ms(t))}[self.knobs['list_dates']]
        attributes = [{'name': '@id' if self.knobs['attr_names'] == 'at' else 'id', 'value': rid},
                      {'name': 'startDate', 'value': stamp(start)}]
        if end is not None:
            attributes.append({'name': 'endDate', 'value': stamp(end)})
        attributes += [{'name': 'startedBy', 'value': by}, {'name': 'state', 'value': state}, {'name': 'name', 'value': wname},
                       {'name': 'currentItemDisplayName'}]
        return attributes

    def execution_list(self, h, wid, query):
        if wid != 'wf-echo-lib':
            runs = []
        else:
            runs = list(self.runs)
        conditions = self.conditions(query)
        if conditions is None:
            return self.error(h, 400, 'Invalid condition')
        parsed = urllib.parse.parse_qs(query)
        dated = [c for c in conditions if c[0] in ('startDate', 'endDate')]
        if (dated or parsed.get('sortOrders')) and self.knobs['date_conditions'] == '400':
            return self.error(h, 400, 'Unsupported query condition')
        fields = {'id': 0, 'state': 1, 'startedBy': 4}
        kept = []
        for run in runs:
            ok = True
            for attribute, operator, wanted in conditions:
                if attribute in ('startDate', 'endDate'):
                    continue  # ignored (knob): the server does not filter on dates
                if attribute == 'name':
                    ok = ok and self.match('Echo typed inputs', operator, wanted)
                elif attribute in fields:
                    ok = ok and self.match(run[fields[attribute]], operator, wanted)
            if ok:
                kept.append(run)
        if self.knobs['order'] == 'desc':
            kept.reverse()
        page = self.page(kept, query)
        links = [{'href': self.api_url('/workflows/%s/' % wid), 'rel': 'up'},
                 {'href': self.api_url('/workflows/%s/executions/' % wid), 'rel': 'add'}]
        for run in page:
            links.append({'href': self.api_url('/workflows/%s/executions/%s/' % (wid, run[0])), 'rel': 'down',
                          self.knobs['attr_key']: self.run_attributes(run, 'Echo typed inputs')})
        relations = self.with_total({'link': links}, len(kept), len(page), query)
        return h.send(200, {'relations': relations, 'href': self.api_url('/workflows/%s/executions/' % wid)})

    def find_run(self, wid, eid):
        if (wid, eid) in self.fresh:
            return self.fresh[(wid, eid)]
        if wid != 'wf-echo-lib':
            return None
        return next((r for r in self.runs if r[0] == eid), None)

    def execution(self, h, wid, eid):
        run = self.find_run(wid, eid)
        if run is None:
            return self.error(h, 404, "Workflow execution with id '%s' not found" % eid)
        rid, state, start, end, by = run
        stamp = epoch_ms if self.knobs['run_dates'] == 'epoch' else iso_z
        body = {'id': rid, 'state': state, 'name': 'Echo typed inputs', 'href': self.api_url('/workflows/%s/executions/%s/' % (wid, rid)),
                'start-date': stamp(start), 'started-by': by,
                'input-parameters': [{'name': 'str', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'hello'}}}],
                'output-parameters': [] if end is None else [
                    {'name': 'result', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'done %s' % rid}}}]}
        if end is not None:
            body['end-date'] = stamp(end)
        if state == 'failed':
            body['content-exception'] = 'TypeError: Cannot read property "x" from undefined'
        return h.send(200, body)

    def route(self, h, method, rel, query, body):
        if method == 'GET' and rel == '/about':
            return h.send(200, {'version': '8.18.0', 'build-number': '24029603', 'build-date': '2024-07-10T12:00:00Z', 'api-version': '2.0'})
        if method == 'GET' and rel in ('/workflows', '/catalog/System/Workflow'):
            return self.workflow_list(h, query)
        parts = rel.strip('/').split('/')
        if parts[0] == 'catalog' and parts[1:3] == ['System', 'Workflow'] and len(parts) == 4:
            row = next((r for r in WORKFLOWS if r[0] == parts[3]), None)
            if row is None:
                return self.error(h, 404, 'not found')
            entry = self.workflow_entry(*row)
            return h.send(200, {'href': entry['href'], 'attributes': entry[self.knobs['attr_key']], 'relations': {'link': []}})
        if parts[0] != 'workflows' or len(parts) < 2:
            return self.error(h, 404, 'Not found: %s' % rel)
        wid = parts[1]
        if len(parts) == 2 and method == 'GET':
            return self.definition(h, wid)
        if len(parts) == 3 and parts[2] == 'schema' and method == 'GET':
            return h.send(200, PNG, content_type='image/png')
        if len(parts) == 3 and parts[2] == 'executions' and method == 'GET':
            return self.execution_list(h, wid, query)
        if len(parts) == 3 and parts[2] == 'executions' and method == 'POST':
            if not any(r[0] == wid for r in WORKFLOWS):
                return self.error(h, 404, 'not found')
            self.started.append(wid)
            eid = 'new-%d' % len(self.started)
            self.fresh[(wid, eid)] = (eid, 'running', datetime.datetime.now(datetime.timezone.utc), None, USER)
            return h.send(202, None, headers={'Location': self.api_url('/workflows/%s/executions/%s/' % (wid, eid))})
        if len(parts) == 4 and parts[2] == 'executions' and method == 'GET':
            return self.execution(h, wid, parts[3])
        if len(parts) == 5 and parts[2] == 'executions' and parts[4] == 'state' and method == 'GET':
            run = self.find_run(wid, parts[3])
            if run is None:
                return self.error(h, 404, 'not found')
            return h.send(200, {self.knobs['state_field']: run[1]})
        if len(parts) == 5 and parts[2] == 'executions' and parts[4] in ('logs', 'syslogs') and method == 'GET':
            return h.send(200, {'logs': []})
        return self.error(h, 404, 'Not found: %s' % rel)


def env_for(server):
    return {'VRO_URL': server.url, 'VRO_USERNAME': USER, 'VRO_PASSWORD': PASSWORD, 'VRO_AUTH': 'basic'}


def task(title, module, **args):
    return {'name': title, 'cloudops.orchestrator.%s' % module: args, 'register': title.replace(' ', '_')}


def ok(res, name):
    record = res.record(name)
    assert record['status'] == 'ok', (name, record['result'].get('msg'), record['result'])
    return record['result']


def failed(res, name):
    record = res.record(name)
    assert record['status'] in ('ignored', 'failed'), (name, record['result'])
    msg = record['result']['msg']
    assert 'Traceback' not in json.dumps(record['result']), record['result']
    assert '\n' not in msg.strip(), msg
    return record['result']


WORKFLOW_VARIANTS = {
    'evidence-8x': {},
    'no-total-paging-ignored': {'total': 'absent', 'paging': 'ignored'},
    'total-of-page': {'total': 'page'},
    'guide-5.5-catalog-hrefs': {'hrefs': 'catalog'},
    'comma-piece-refused': {'bad_condition': '400', 'params': 'camel'},
    'contains-case-sensitive': {'contains': 'sensitive'},
    'at-attribute-names': {'attr_names': 'at'},
    'reference-attribute-key': {'attr_key': 'attribute'},
    'bare-links-no-total': {'bare_link': True, 'total': 'absent'},
}


@pytest.mark.parametrize('variant', sorted(WORKFLOW_VARIANTS))
def test_finding_workflows(tmp_path, variant):
    """Finding a workflow by name (duplicates, names with ',', '&', '~', unicode), listing with paging, the lookup of
    vro_workflow_run and vro_workflow_schema, on each reading of the workflow list."""
    knobs = WORKFLOW_VARIANTS[variant]
    with CatalogVro(**knobs) as server:
        tasks = [
            task('duplicate', 'vro_workflow_info', workflow_name='Echo typed inputs'),
            task('by category', 'vro_workflow_info', workflow_name='Echo typed inputs', category='Demo'),
            task('comma amp', 'vro_workflow_info', workflow_name='Backup & restore, daily'),
            task('tilde unicode', 'vro_workflow_info', workflow_name='Résumé ~ copy'),
            task('filler', 'vro_workflow_info', name_contains='Filler', max_results=100),
            task('filler few', 'vro_workflow_info', name_contains='Filler', max_results=7),
            task('lower contains', 'vro_workflow_info', name_contains='echo'),
            task('category list', 'vro_workflow_info', category='Bulk'),
            task('schema', 'vro_workflow_schema', workflow_name='Résumé ~ copy', dest=str(tmp_path / 'schema.png')),
            task('start', 'vro_workflow_run', workflow_name='Backup & restore, daily', category='Ops', wait=False),
        ]
        path = write_playbook(tmp_path, 'find', tasks, ignore_errors=True)
        res = run_playbook(path, env=env_for(server))
        started = list(server.started)
        requests = list(server.requests)
    problems = []

    def check(label, condition, detail=''):
        if not condition:
            problems.append('%s: %s' % (label, detail))

    dup = res.record('duplicate')
    check('duplicate fails', dup['status'] == 'ignored', dup['result'])
    msg = dup['result'].get('msg', '')
    check('duplicate names both', 'wf-echo-lib' in msg and 'wf-echo-demo' in msg, msg)
    for name, wid in (('by category', 'wf-echo-demo'), ('comma amp', 'wf-amp'), ('tilde unicode', 'wf-tilde')):
        record = res.record(name)
        got = (record['result'].get('workflow') or {}).get('id')
        check(name, record['status'] == 'ok' and got == wid, record['result'].get('msg') or got)
    amp = res.record('comma amp')['result'].get('workflow') or {}
    check('outputs absent read as none', amp.get('output_parameters') == [], amp.get('output_parameters'))
    check('inputs read', [p.get('name') for p in amp.get('input_parameters') or []] == ['str', 'num'], amp.get('input_parameters'))
    filler = res.record('filler')['result']
    ids = [w.get('id') for w in filler.get('workflows') or []]
    check('filler all 30, no duplicates', sorted(ids) == ['wf-filler-%02d' % i for i in range(30)], ids)
    few = res.record('filler few')['result']
    check('max_results 7', len(few.get('workflows') or []) == 7, [w.get('id') for w in few.get('workflows') or []])
    lower = res.record('lower contains')['result']
    check('name_contains is case-insensitive', sorted(w.get('id') for w in lower.get('workflows') or []) == ['wf-echo-demo', 'wf-echo-lib'],
          lower.get('msg') or [w.get('id') for w in lower.get('workflows') or []])
    bulk = res.record('category list')['result']
    check('category list', len(bulk.get('workflows') or []) == 30, bulk.get('msg') or len(bulk.get('workflows') or []))
    schema = res.record('schema')
    check('schema by odd name', schema['status'] == 'ok' and (schema['result'].get('workflow') or {}).get('id') == 'wf-tilde',
          schema['result'].get('msg'))
    start = res.record('start')
    check('run lookup starts the right one once', start['status'] == 'ok' and started == ['wf-amp'],
          (start['result'].get('msg'), started))
    for method, path_, ignored in requests:
        check('GET only in reads', method == 'GET' or path_.endswith('/workflows/wf-amp/executions'), (method, path_))
    assert not problems, '\n'.join(problems) + '\nrequests:\n' + '\n'.join('%s %s' % r[:2] for r in requests)


RUN_VARIANTS = {
    'evidence-oldest-first': {},
    'newest-first-iso-run': {'order': 'desc', 'run_dates': 'iso', 'state_field': 'state'},
    'offset-dates-conditions-ignored': {'list_dates': 'offset', 'date_conditions': 'ignore'},
    'epoch-list-dates-no-total': {'list_dates': 'epoch', 'total': 'absent'},
    'paging-ignored': {'paging': 'ignored', 'total': 'page', 'order': 'desc'},
    'at-attribute-names': {'attr_names': 'at'},
    'reference-attribute-key': {'attr_key': 'attribute'},
}


@pytest.mark.parametrize('variant', sorted(RUN_VARIANTS))
def test_finding_runs(tmp_path, variant):
    """The runs of a workflow filtered by state, date, user and name, newest first; one run by id and by URL; wait_for."""
    knobs = RUN_VARIANTS[variant]
    runs = run_states()
    with CatalogVro(**knobs) as server:
        after = iso_z(BASE_TIME + datetime.timedelta(hours=18))
        url = server.api_url('/workflows/wf-echo-lib/executions/run-07/')
        tasks = [
            task('failed three', 'vro_execution_info', workflow_id='wf-echo-lib', state=['failed'], max_results=3),
            task('newest five', 'vro_execution_info', workflow_name='Echo typed inputs', category='Library', max_results=5),
            task('after', 'vro_execution_info', workflow_id='wf-echo-lib', started_after=after, max_results=50),
            task('by user', 'vro_execution_info', workflow_id='wf-echo-lib', started_by='svc-ansible', state=['completed'], max_results=50),
            task('by name', 'vro_execution_info', workflow_id='wf-echo-lib', name='Echo', max_results=2),
            task('running one', 'vro_execution_info', workflow_id='wf-echo-lib', execution_id='run-23'),
            task('done one', 'vro_execution_info', execution_url=url),
            task('wait running', 'vro_execution_info', workflow_id='wf-echo-lib', execution_id='run-23', wait_for=['running'], wait_timeout=20),
            task('wait done', 'vro_execution_info', execution_url=url, wait_for=['completed', 'failed'], wait_timeout=20),
        ]
        path = write_playbook(tmp_path, 'runs', tasks, ignore_errors=True)
        res = run_playbook(path, env=env_for(server))
        requests = list(server.requests)
    problems = []

    def check(label, condition, detail=''):
        if not condition:
            problems.append('%s: %s' % (label, detail))

    def ids(name):
        result = res.record(name)['result']
        return [e.get('execution_id') for e in result.get('executions') or []], result

    newest_first = list(reversed(runs))
    got, result = ids('failed three')
    check('failed three', got == [r[0] for r in newest_first if r[1] == 'failed'][:3], result.get('msg') or got)
    got, result = ids('newest five')
    check('newest five', got == [r[0] for r in newest_first][:5], result.get('msg') or got)
    got, result = ids('after')
    check('started_after', got == [r[0] for r in newest_first if r[2] >= BASE_TIME + datetime.timedelta(hours=18)], result.get('msg') or got)
    if result.get('executions'):
        first = result['executions'][0]
        check('list start_date ISO Z', first.get('start_date') == iso_z(runs[-1][2]).replace('.000Z', 'Z') or
              first.get('start_date') == iso_z(runs[-1][2]), first.get('start_date'))
        check('running has no end', first.get('end_date') is None and first.get('duration_seconds') is None, first)
        done = result['executions'][2]
        check('done has end', done.get('end_date') is not None and done.get('duration_seconds') == 300, done)
    got, result = ids('by user')
    check('by user', got == [r[0] for r in newest_first if r[4] == 'svc-ansible' and r[1] == 'completed'], result.get('msg') or got)
    got, result = ids('by name')
    check('by name', got == [r[0] for r in newest_first][:2], result.get('msg') or got)
    one = res.record('running one')['result']
    check('running one', one.get('state') == 'running' and one.get('end_date') is None and one.get('duration_seconds') is None,
          one.get('msg') or one)
    check('running start date', (one.get('start_date') or '').startswith('2026-11-20T23:00:00'), one.get('start_date'))
    done = res.record('done one')['result']
    check('done one', done.get('state') == 'canceled' and done.get('execution_id') == 'run-07' and done.get('duration_seconds') == 300,
          done.get('msg') or done)
    check('done one dates', (done.get('start_date') or '').startswith('2026-11-20T07:00:00') and (done.get('end_date') or '').startswith('2026-11-20T07:05:00'),
          (done.get('start_date'), done.get('end_date')))
    wait = res.record('wait running')
    check('wait running returns at once', wait['status'] == 'ok' and wait['result'].get('state') == 'running', wait['result'].get('msg'))
    wait = res.record('wait done')
    check('wait done: canceled run fails clearly', wait['status'] == 'ignored' and 'cancel' in wait['result'].get('msg', ''),
          wait['result'].get('msg'))
    for method, path_, ignored in requests:
        check('GET only', method == 'GET', (method, path_))
    assert not problems, '\n'.join(problems) + '\nrequests:\n' + '\n'.join('%s %s' % r[:2] for r in requests)
