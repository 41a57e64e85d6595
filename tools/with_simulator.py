# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the simulator with TLS, run one command with its connection settings in the environment, stop it.

Usage: with_simulator.py [--sim-arg ARG ...] -- COMMAND [ARGS...]

Exports VRO_URL/VRO_USERNAME/VRO_PASSWORD/VRO_CA_PATH, the same with VCF_ and ICO_ (plus ICO_DOMAIN and
ICO_PROJECT), SIM_URL, SIM_CA_PATH, SIM_DATA_DIR, SIM_INFO (the simulator's first line, JSON), SIM_ADMIN_TOKEN (the
/_sim admin token, sent as the X-Sim-Admin-Token header), and
ANSIBLE_COLLECTIONS_PATH pointing at build/playbook when unset. Certificate checks stay on: the CA comes from the
simulator. The simulator is always stopped; the exit code is the command's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'integration'))

from _harness import Simulator, ensure_playbook_collection  # noqa: E402  # pylint: disable=wrong-import-position


def main(argv):
    if '--' not in argv:
        sys.exit(__doc__)
    split = argv.index('--')
    options, command = argv[:split], argv[split + 1:]
    if not command:
        sys.exit('with_simulator.py: no command after --')
    sim_args = [options[i + 1] for i, opt in enumerate(options) if opt == '--sim-arg' and i + 1 < len(options)]
    data_dir = tempfile.mkdtemp(prefix='cloudops-sim-')
    sim = Simulator(*sim_args, data_dir=data_dir)
    try:
        sim.start()
        env = dict(os.environ)
        env.update(sim.all_env())
        env.update(SIM_URL=sim.url, SIM_CA_PATH=sim.ca_path or '', SIM_DATA_DIR=sim.data_dir, SIM_INFO=json.dumps(sim.info),
                   SIM_ADMIN_TOKEN=sim.info.get('admin_token', ''))
        env.setdefault('ANSIBLE_COLLECTIONS_PATH', str(ensure_playbook_collection()))
        env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
        print('with_simulator: simulator at %s (data dir %s); running: %s' % (sim.url, sim.data_dir, ' '.join(command)), flush=True)
        return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        sim.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
