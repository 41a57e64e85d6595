# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The soak (``make soak``): 200 workflow runs and 50 VCF retries while every request meets a random fault with
probability 0.1. Seeded and reproducible (``--seed``). Prints a summary and writes tests/soak/results.json.

Counted from the server's side, not from what the modules say:

- runs started: runs that exist on the simulator (each soak run has unique inputs);
- runs reported: started runs whose id the module reported (in its result, or in its failure);
- duplicates: extra runs for one requested input set (and VCF tasks retried more than once);
- lost: runs (or accepted VCF retries) that exist but that no result or failure message names;
- tracebacks: module results holding a Python traceback or a module crash.

The target is 0 duplicates, 0 lost and 0 tracebacks. Clean failures (a fault beyond the retry budget, an HTML page,
a garbled body) are allowed and counted. Run it under tools/with_simulator.py (``make soak`` does).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / 'tests' / 'integration'))

from _harness import run_playbook  # noqa: E402  # pylint: disable=wrong-import-position

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
KINDS = [
    {'kind': 'status', 'status': 502}, {'kind': 'status', 'status': 503}, {'kind': 'status', 'status': 504},
    {'kind': 'throttle', 'retry_after': 1}, {'kind': 'reset_before'}, {'kind': 'reset_after'},
    {'kind': 'latency', 'latency': 1.5}, {'kind': 'html'}, {'kind': 'bad_json'}, {'kind': 'token_expired'},
]
TRACEBACK = ('Traceback (most recent call last)', 'MODULE FAILURE', 'module_stderr')
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')


class Sim:
    def __init__(self):
        self.url = os.environ['SIM_URL'].rstrip('/')
        self.ca = os.environ.get('SIM_CA_PATH') or True
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers['X-Sim-Admin-Token'] = os.environ.get('SIM_ADMIN_TOKEN', '')  # tools/with_simulator.py sets it
        self.vro_auth = (os.environ['VRO_USERNAME'], os.environ['VRO_PASSWORD'])

    def admin(self, method, path, body=None):
        resp = self.session.request(method, '%s/_sim/%s' % (self.url, path), json=body, verify=self.ca, timeout=60)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def run_inputs(self, eid):
        """The ``str`` input of one run, read straight from the vRO API (no fault is installed by then)."""
        resp = self.session.get('%s/vco/api/workflows/%s/executions/%s' % (self.url, ECHO, eid), auth=self.vro_auth,
                                verify=self.ca, timeout=60, headers={'Accept': 'application/json'})
        resp.raise_for_status()
        for param in resp.json().get('input-parameters') or []:
            if param.get('name') == 'str':
                return param['value']['string']['value']
        return None


def fault_specs(seed, probability):
    """One fault per kind on every API route; together they fire on about ``probability`` of the requests."""
    each = 1 - (1 - probability) ** (1.0 / len(KINDS))
    return [dict(spec, route='*', probability=round(each, 6), seed=seed * 100 + i) for i, spec in enumerate(KINDS)]


def plan(seed, runs, batch):
    """The vRO calls: single runs and batches (``runs:``) mixed, every run with unique inputs."""
    rng = random.Random(seed)
    calls, wanted, n = [], [], 0
    while n < runs:
        size = 1 if rng.random() < 0.3 else min(batch, runs - n)
        inputs = [{'str': 'soak-%d-%03d' % (seed, n + i), 'num': rng.randint(0, 10 ** 6)} for i in range(size)]
        wanted += [i['str'] for i in inputs]
        call = {'workflow_id': ECHO, 'label': inputs[0]['str']}
        if size == 1:
            call['inputs'] = inputs[0]
        else:
            call['runs'] = inputs
        calls.append(call)
        n += size
    return calls, wanted


def ids_in(result):
    """The ids a module result reports: its id fields, its per-run entries, and ids its message names outside a
    quoted body (a body excerpt that happens to hold an id does not count as reporting the run)."""
    found = set()
    for key in ('execution_id', 'execution_ids', 'retried', 'task_id'):
        value = result.get(key)
        found.update([value] if isinstance(value, str) else value or [])
    for entry in result.get('executions') or []:
        if entry.get('execution_id'):
            found.add(entry['execution_id'])
    for entry in result.get('tasks') or []:
        if entry.get('id'):
            found.add(entry['id'])
    msg = re.sub(r"body starts with: '.*?'(;|$)", '', str(result.get('msg', '')))
    return found | set(UUID.findall(msg))


def is_failure(result):
    # Loop items lose their 'failed' key in the recorded results; ansible adds 'exception' to every failure.
    return bool(result.get('failed')) or 'exception' in result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--seed', type=int, default=20261125)
    parser.add_argument('--runs', type=int, default=200)
    parser.add_argument('--vcf', type=int, default=50)
    parser.add_argument('--probability', type=float, default=0.1)
    parser.add_argument('--batch', type=int, default=5)
    parser.add_argument('--output', default=str(HERE / 'results.json'))
    args = parser.parse_args(argv)

    sim = Sim()
    sim.admin('POST', 'reset', {})
    created = sim.admin('POST', 'vcf/tasks', {
        'count': args.vcf, 'prefix': 'Soak remediation', 'status': 'Failed', 'type': 'REMEDIATION', 'retry_seconds': 0.5})
    vcf_ids = created['ids']
    calls, wanted = plan(args.seed, args.runs, args.batch)
    specs = fault_specs(args.seed, args.probability)
    for spec in specs:
        sim.admin('POST', 'faults', spec)

    env = {k: v for k, v in os.environ.items() if k.startswith(('VRO_', 'VCF_', 'ICO_'))}
    os.environ.pop('CLOUDOPS_PLAYBOOK_VERBOSITY', None)
    started_at = time.time()
    res = run_playbook(HERE / 'playbooks' / 'soak.yml', env=env, extra_vars={'vro_calls': calls, 'vcf_tasks': vcf_ids},
                       timeout=7200)
    elapsed = time.time() - started_at
    fired = sim.admin('GET', 'faults')['faults']
    sim.admin('DELETE', 'faults')
    counters = sim.admin('GET', 'counters')

    results = [r for r in res.results if r['task'] in ('Workflow runs', 'VCF retries')]
    per_item = []
    for record in results:
        items = record['result'].get('results') if 'results' in record['result'] else [record['result']]
        per_item += [(record['task'], item) for item in items]
    vro_items = [item for task, item in per_item if task == 'Workflow runs']
    vcf_items = [item for task, item in per_item if task == 'VCF retries']
    tracebacks = [item.get('msg', '')[:200] for _task, item in per_item if any(m in json.dumps(item) for m in TRACEBACK)]

    # vRO, from the server's side.
    server_runs = sim.admin('GET', 'vro/runs?workflow=%s&limit=100000' % ECHO)['runs']
    reported = set()
    for item in vro_items:
        reported |= ids_in(item)
    by_input = {}
    for run in server_runs:
        by_input.setdefault(sim.run_inputs(run['id']), []).append(run['id'])
    duplicates = sum(len(ids) - 1 for key, ids in by_input.items() if key in wanted and len(ids) > 1)
    lost = [run['id'] for run in server_runs if run['id'] not in reported]
    not_started = [key for key in wanted if key not in by_input]
    vro_failed = sum(1 for item in vro_items if is_failure(item))

    # VCF: accepted retries per task, from the simulator's own count.
    vcf_dupes, vcf_lost, vcf_accepted = 0, [], 0
    for task_id, item in zip(vcf_ids, vcf_items):
        attempts = sim.admin('GET', 'vcf/tasks/%s/attempts' % task_id)
        vcf_accepted += 1 if attempts['attempts'] else 0
        vcf_dupes += max(0, attempts['attempts'] - 1)
        if attempts['attempts'] and task_id not in ids_in(item):
            vcf_lost.append(task_id)
    if os.environ.get('SOAK_DEBUG'):
        Path(os.environ['SOAK_DEBUG']).write_text(json.dumps({'items': vro_items, 'by_input': by_input}, indent=1))
    vcf_failed = sum(1 for item in vcf_items if is_failure(item))

    summary = {
        'seed': args.seed, 'fault_probability': args.probability, 'elapsed_seconds': round(elapsed, 1),
        'requests': counters['total'], 'faults_fired': {'%s %s' % (f['kind'], f.get('status') or ''): f['fired'] for f in fired},
        'workflow_runs': {'requested': len(wanted), 'module_calls': len(vro_items), 'started': len(server_runs),
                          'reported': len(server_runs) - len(lost), 'duplicates': duplicates, 'lost': len(lost),
                          'not_started_clean_failures': len(not_started), 'failed_calls': vro_failed},
        'vcf_retries': {'requested': len(vcf_ids), 'retried': vcf_accepted, 'duplicates': vcf_dupes,
                        'lost': len(vcf_lost), 'failed_calls': vcf_failed},
        'tracebacks': len(tracebacks),
        'lost_ids': lost + vcf_lost, 'traceback_messages': tracebacks[:20], 'not_started': not_started,
        'failure_messages': [item.get('msg', '')[:400] for item in vro_items + vcf_items if is_failure(item)],
    }
    summary['faults_fired_total'] = sum(summary['faults_fired'].values())
    summary['ok'] = duplicates == 0 and not lost and vcf_dupes == 0 and not vcf_lost and not tracebacks
    Path(args.output).write_text(json.dumps(summary, indent=2, sort_keys=True) + '\n', encoding='utf-8')
    wr, vr = summary['workflow_runs'], summary['vcf_retries']
    print('soak (seed %d, fault probability %.2f, %d requests, %d faults fired, %.0fs)' % (
        args.seed, args.probability, summary['requests'], summary['faults_fired_total'], elapsed))
    print('  workflow runs: requested %d, started %d, reported %d, duplicates %d, lost %d, not started (clean '
          'failures) %d, failed calls %d of %d' % (wr['requested'], wr['started'], wr['reported'], wr['duplicates'],
                                                   wr['lost'], wr['not_started_clean_failures'], wr['failed_calls'],
                                                   wr['module_calls']))
    print('  VCF retries:   requested %d, retried %d, duplicates %d, lost %d, failed calls %d' % (
        vr['requested'], vr['retried'], vr['duplicates'], vr['lost'], vr['failed_calls']))
    print('  tracebacks:    %d' % len(tracebacks))
    print('  %s; details in %s' % ('TARGET MET (0 duplicates, 0 lost, 0 tracebacks)' if summary['ok'] else 'TARGET MISSED',
                                   args.output))
    return 0 if summary['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
