# cloudops.orchestrator -- build, test and demo. `make help` lists the targets.
# Everything runs from a fresh clone: the venv, the collection trees and ansible-test's pip cache are set up here.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# pipefail: never pipe into `grep -q` or `head` here (the writer may die of SIGPIPE and fail the pipeline, at random);
# test a command's captured output instead, e.g. `[ -n "$$(find ... -print -quit)" ]`.
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT      := $(CURDIR)
VENV      ?= .venv
PY        := $(ROOT)/$(VENV)/bin/python
BIN       := $(ROOT)/$(VENV)/bin
STAMP     := $(VENV)/.stamp-tools
COLL      := build/ansible_collections/cloudops/orchestrator
PLAYTREE  := build/playbook
DIST      := build/dist
INSTALLED := build/installed
STEP      := tools/step.sh
# The venv's bin first: ansible-test looks up python3.X on PATH, and pyenv shims for unselected versions fail.
export PATH := $(BIN):$(PATH)
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# ansible-test walks up to the first .git; pinning the content root keeps the build tree self-contained.
AT_ENV    = ANSIBLE_TEST_CONTENT_ROOT=$(ROOT)/$(COLL)
PYVER     = $$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PYTEST_ARGS ?=
# A run narrowed with PYTEST_ARGS (-k, a file) may leave a gate's suite with nothing selected: not a failure then.
export STEP_ALLOW_EMPTY := $(if $(strip $(PYTEST_ARGS)),1,)
# Both suites wait on simulated runs more than they compute: two workers (one simulator each) halve the wall time.
# `make integration PYTEST_XDIST=` runs them serially.
PYTEST_XDIST ?= -n 2 --dist worksteal
# tests/integration (both stages) ran two workers per core, at most 8 (4 on 2 cores: 37 tests of test_vro_core/
# test_ico/test_vcf took 105 s instead of 153 s at -n 2). More do not help now: the whole stage took 809 s at -n 4
# and 800 s at -n 6 on 2 cores (1.86 cores busy at -n 4). `make integration PYTEST_XDIST=` runs everything serially.
INTEGRATION_WORKERS ?= $(shell n=$$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1); echo $$(( 2 * n < 8 ? 2 * n : 8 )))
INTEGRATION_XDIST ?= $(if $(strip $(PYTEST_XDIST)),-n $(INTEGRATION_WORKERS) --dist worksteal)
BENCH_ARGS ?=
SOAK_ARGS ?=
COMPAT_VENV ?= .venv-2.19
COMPAT_CORE ?= ansible-core==2.19.14
# The unit suite on the oldest requests stack supported (requirements/old-stack.txt: RHEL 9's), Python 3.11.
OLD_STACK_VENV ?= .venv-old-stack
# ansible-rulebook for the event sources (extensions/eda): its own venv, Java 17 from apt when missing.
EDA_VENV  ?= .venv-eda
EDA_STAMP := $(EDA_VENV)/.stamp-eda

.PHONY: help test ci venv eda tree playtree seed-ansible-test sanity units units-old-stack old-stack-venv integration integration-quirks integration-old-stack lint docs docs-lint changelog-lint \
        build compat bench soak demo simulator clean summary-reset summary

help:
	@echo "make demo          start the simulator, run playbooks/demo.yml against it, stop it"
	@echo "make test          every quality gate in order (what .ci/run does)"
	@echo "  venv             .venv from the newest Python >= 3.11 + requirements/tools.txt"
	@echo "  eda              $(EDA_VENV) with ansible-rulebook (requirements/eda.txt), and Java 17 via apt when missing"
	@echo "  sanity           ansible-test sanity --venv (build tree copy)"
	@echo "  units            ansible-test units --venv (tests/unit)"
	@echo "  units-old-stack  tests/unit on Python 3.11 with requests 2.25.1 and urllib3 1.26.5 (RHEL 9's) ($(OLD_STACK_VENV))"
	@echo "  integration      pytest bench, tests/simulator, tests/integration (simulator + real playbooks)"
	@echo "  integration-quirks  tests/integration again, every simulator playing every quirk (issue 13)"
	@echo "  integration-old-stack  the lost-answer and bounded-read integration tests, modules on $(OLD_STACK_VENV)"
	@echo "  lint             ansible-lint --profile production roles/ playbooks/"
	@echo "  docs-lint        antsibull-docs lint-collection-docs --plugin-docs"
	@echo "  changelog-lint   antsibull-changelog lint"
	@echo "  build            ansible-galaxy collection build + install + ansible-doc of every module"
	@echo "  docs             HTML docs site into docs/build (offline)"
	@echo "  compat           unit tests and the demo on ansible-core 2.19 / Python 3.11 in $(COMPAT_VENV)"
	@echo "  bench, soak      bench/run.py, tests/soak/run.py against a simulator (BENCH_ARGS=--quick, SOAK_ARGS=...)"
	@echo "  simulator        run the simulator in the foreground (Ctrl-C stops it)"
	@echo "  clean            remove build output (keeps .venv)"

# ---------------------------------------------------------------------------------------------------------------
# environment

venv: $(STAMP)

$(STAMP): requirements/tools.txt
	@if [ ! -x "$(PY)" ]; then \
	    py=$$(tools/find_python.sh); \
	    echo "creating $(VENV) with $$py ($$($$py --version))"; \
	    "$$py" -m venv "$(VENV)"; \
	fi
	$(PY) -m pip install --quiet --upgrade-strategy only-if-needed -r requirements/tools.txt 2>&1 \
	    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	@touch $@

# ansible-rulebook needs a JDK 17 or later (drools); it gets its own venv so that its pins never touch .venv.
eda: $(EDA_STAMP)

$(EDA_STAMP): requirements/eda.txt
	@if ! grep -qE 'version "(1[7-9]|[2-9][0-9])' <<< "$$(java -version 2>&1 || true)"; then \
	    echo "eda: installing Java 17 (openjdk-17-jre-headless) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; \
	fi
	@if [ ! -x "$(EDA_VENV)/bin/python" ]; then \
	    py=$$(tools/find_python.sh); echo "creating $(EDA_VENV) with $$py"; "$$py" -m venv "$(EDA_VENV)"; \
	fi
	$(EDA_VENV)/bin/python -m pip install --quiet -r requirements/eda.txt 2>&1 \
	    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	@touch $@

# A real copy for ansible-test (it resolves symlinks to the real cwd).
tree: $(STAMP)
	@$(PY) tools/sync_tree.py . $(COLL)

# A symlink for ansible-playbook/ansible-lint: edits are live without a re-sync.
playtree:
	@mkdir -p $(PLAYTREE)/ansible_collections/cloudops
	@ln -sfn $(ROOT) $(PLAYTREE)/ansible_collections/cloudops/orchestrator

seed-ansible-test: $(STAMP)
	@$(PY) tools/seed_ansible_test.py

# ---------------------------------------------------------------------------------------------------------------
# quality gates (make test runs them in this order and stops at the first failure)

test: summary-reset venv sanity units units-old-stack integration integration-quirks integration-old-stack lint docs-lint changelog-lint build summary

ci: test

summary-reset:
	@mkdir -p build && : > build/summary.txt && : > build/summary-tests.txt

summary:
	@echo
	@echo "================================ make test summary ================================"
	@cat build/summary.txt build/summary-tests.txt
	@awk '{ for (i = 2; i <= NF; i++) { w = $$i; sub(/[,=]+$$/, "", w); \
	        if (w == "passed") p += $$(i-1); else if (w == "failed") f += $$(i-1); else if (w == "skipped") s += $$(i-1); } } \
	      END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }' build/summary-tests.txt

sanity: tree seed-ansible-test
	@cd $(COLL) && $(AT_ENV) $(ROOT)/$(STEP) sanity sanity -- ansible-test sanity --venv --python $(PYVER) --color no

units: tree seed-ansible-test
	@if [ -z "$$(find $(COLL)/tests/unit -name 'test_*.py' -print -quit 2>/dev/null)" ]; then \
	    echo "units: FAILED, no test_*.py under $(COLL)/tests/unit (the build tree is incomplete)" | tee -a build/summary.txt; \
	    exit 1; \
	else \
	    cd $(COLL) && $(AT_ENV) $(ROOT)/$(STEP) units pytest -- ansible-test units --venv --python $(PYVER) --color no; \
	fi

# Modules run on the host's Python with the host's requests: urllib3 1.26 (RHEL 9, Debian 12) reads answers
# differently from urllib3 2, so the unit suite runs once more on that stack (the oldest ansible-core, 2.19).
old-stack-venv:
	@$(call py311_venv,$(OLD_STACK_VENV),old-stack-venv)
	@$(OLD_STACK_VENV)/bin/python -m pip install --quiet -r requirements/old-stack.txt

units-old-stack: playtree old-stack-venv
	@cd $(PLAYTREE) && $(ROOT)/$(STEP) units-old-stack pytest -- $(ROOT)/$(OLD_STACK_VENV)/bin/python -m pytest \
	    -p no:cacheprovider ansible_collections/cloudops/orchestrator/tests/unit $(PYTEST_XDIST) $(PYTEST_ARGS)

# bench/test_*.py (the benchmark's statistics and report layout, no simulator) runs first, in a second.
# tests/simulator and tests/integration run separately: both have test_vcf.py/test_ico.py and a conftest.py.
# tests/integration runs in two steps: everything on the xdist workers, then INTEGRATION_LAST in one process --
# test_secrets.py scans the transcripts of every run (CLOUDOPS_TRANSCRIPT_DIR, shared by the workers) and the
# ansible-runner artifacts under its own session's basetemp, so the AWX runner tests go with it.
INTEGRATION_LAST ?= test_awx_runner.py test_secrets.py
integration: $(STAMP) eda playtree
	@$(STEP) bench-tests pytest -- $(PY) -m pytest bench $(PYTEST_ARGS)
	@if [ -d tests/simulator ]; then $(STEP) simulator-tests pytest -- $(PY) -m pytest tests/simulator $(PYTEST_XDIST) $(PYTEST_ARGS); fi
	@rm -rf build/transcripts; export CLOUDOPS_TRANSCRIPT_DIR=$(ROOT)/build/transcripts; \
	last=""; ignore=""; for f in $(INTEGRATION_LAST); do \
	    if [ -f tests/integration/$$f ]; then last="$$last tests/integration/$$f"; ignore="$$ignore --ignore=tests/integration/$$f"; fi; done; \
	$(STEP) integration pytest -- $(PY) -m pytest tests/integration $$ignore $(INTEGRATION_XDIST) $(PYTEST_ARGS); \
	if [ -n "$$last" ]; then $(STEP) integration-last pytest -- $(PY) -m pytest $$last $(PYTEST_ARGS); fi

# The integration suite once more with every simulator playing every quirk (simulator/README.md, "Quirks"): the
# modules must work under both readings of each open behaviour. Tests marked default_reading are skipped, and so are
# those marked answer_replaced (no answer of the simulator decides what they assert: the proof is beside each).
# test_secrets.py and test_awx_runner.py run once, in `integration`. Only the tests marked uses_simulator run
# (-m uses_simulator): nothing else reads CLOUDOPS_SIM_QUIRKS, so a test that starts no simulator (docs, builds,
# fake servers) cannot differ; tests/integration/conftest.py marks them and refuses a simulator to any other test.
# Of a test's quirk/quirks parametrizations that start the very same simulator once 'all' is added (None or () and
# the quirks 'all' plays), one runs, the others are deselected (conftest.same_as_unquirked): 31 runs.
integration-quirks: $(STAMP) eda playtree
	@export CLOUDOPS_SIM_QUIRKS=all CLOUDOPS_TRANSCRIPT_DIR=$(ROOT)/build/transcripts-quirks; rm -rf $$CLOUDOPS_TRANSCRIPT_DIR; \
	ignore=""; for f in $(INTEGRATION_LAST); do ignore="$$ignore --ignore=tests/integration/$$f"; done; \
	$(STEP) integration-quirks pytest -- $(PY) -m pytest tests/integration $$ignore -m uses_simulator $(INTEGRATION_XDIST) $(PYTEST_ARGS)

# The integration tests where urllib3 1.26 and 2 differ most (lost and cut-short answers, requests never resent,
# bounded reads, idle keep-alive connections), their modules run on the old stack's Python (CLOUDOPS_MODULE_PYTHON);
# the controller stays on .venv. test_faults.py is no longer among them: its matrix (5xx, 429, HTML, JSON, latency,
# resets on every module) took 75-90 s of this stage, and what in it depends on urllib3 (a reset before or after a
# request was sent, a read timeout) is what test_at_most_once.py and test_never_resent.py play here one by one; the
# client's unit tests run on this stack in full (units-old-stack).
INTEGRATION_OLD_STACK ?= test_at_most_once.py test_never_resent.py test_bounds.py test_idle_keepalive.py
integration-old-stack: $(STAMP) playtree old-stack-venv
	@files=""; for f in $(INTEGRATION_OLD_STACK); do if [ -f tests/integration/$$f ]; then files="$$files tests/integration/$$f"; fi; done; \
	CLOUDOPS_MODULE_PYTHON=$(ROOT)/$(OLD_STACK_VENV)/bin/python $(STEP) integration-old-stack pytest -- \
	    $(PY) -m pytest $$files $(INTEGRATION_XDIST) $(PYTEST_ARGS)

lint: $(STAMP) playtree
	@targets=""; for d in roles playbooks; do \
	    if [ -n "$$(find $$d \( -name '*.yml' -o -name '*.yaml' \) -print -quit 2>/dev/null)" ]; then targets="$$targets $$d"; fi; done; \
	if [ -z "$$targets" ]; then \
	    echo "ansible-lint: roles/ and playbooks/ hold no YAML yet, skipped" | tee -a build/summary.txt; \
	else \
	    ANSIBLE_COLLECTIONS_PATH=$(ROOT)/$(PLAYTREE) $(STEP) ansible-lint plain -- \
	        ansible-lint --offline --nocolor --profile production $$targets; \
	fi

docs-lint: tree
	@cd $(COLL) && ANSIBLE_COLLECTIONS_PATH=$(ROOT)/build $(ROOT)/$(STEP) docs-lint plain -- \
	    antsibull-docs lint-collection-docs --plugin-docs .

changelog-lint: $(STAMP)
	@$(STEP) changelog-lint plain -- antsibull-changelog lint

build: tree
	@rm -rf $(DIST) $(INSTALLED) && mkdir -p $(DIST) $(INSTALLED)
	@$(STEP) galaxy-build plain -- bash -c 'cd $(COLL) && ansible-galaxy collection build --force --output-path $(ROOT)/$(DIST) && \
	    ansible-galaxy collection install --offline --force -p $(ROOT)/$(INSTALLED) $(ROOT)/$(DIST)/cloudops-orchestrator-*.tar.gz'
	@$(STEP) ansible-doc plain -- $(PY) tools/check_module_docs.py $(INSTALLED)

# $(call py311_venv,DIR,WHO): a venv in DIR from the first Python 3.11 found, unless DIR has one already.
define py311_venv
if [ ! -x $(1)/bin/python ]; then \
	    py=""; for c in python3.11 $$(pyenv root 2>/dev/null)/versions/3.11*/bin/python3 /usr/bin/python3; do \
	        if [ -x "$$(command -v $$c)" ] && "$$c" -c 'import sys, venv; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then py=$$c; break; fi; done; \
	    [ -n "$$py" ] || { echo "$(2): no Python 3.11 found"; exit 1; }; \
	    echo "creating $(1) with $$py"; "$$py" -m venv $(1); \
	fi
endef

# ---------------------------------------------------------------------------------------------------------------
# docs, compatibility, demo and long runs

docs: $(STAMP) tree
	@$(PY) tools/build_docs.py $(COLL) docs/build

compat: $(STAMP) tree playtree
	@$(call py311_venv,$(COMPAT_VENV),compat)
	@$(COMPAT_VENV)/bin/python -m pip install --quiet "$(COMPAT_CORE)" requests
	@$(COMPAT_VENV)/bin/python tools/seed_ansible_test.py
	@cd $(COLL) && PATH=$(ROOT)/$(COMPAT_VENV)/bin:$$PATH $(AT_ENV) $(ROOT)/$(STEP) compat-units pytest -- \
	    $(ROOT)/$(COMPAT_VENV)/bin/ansible-test units --venv --python 3.11 --color no
	@mkdir -p build/logs
	@# The demo tour end to end on the oldest supported ansible-core, against the simulator.
	@ANSIBLE_COLLECTIONS_PATH=$(ROOT)/$(PLAYTREE) PATH=$(ROOT)/$(COMPAT_VENV)/bin:$$PATH \
	    $(PY) tools/with_simulator.py -- ansible-playbook -i localhost, -c local \
	    -e ansible_python_interpreter=$(ROOT)/$(COMPAT_VENV)/bin/python playbooks/demo.yml > build/logs/compat-demo.log 2>&1 \
	    && echo "compat-demo: $$(grep -E '^localhost +:' build/logs/compat-demo.log)" \
	    || { tail -40 build/logs/compat-demo.log; echo "compat-demo: FAILED, see build/logs/compat-demo.log"; exit 1; }

demo: $(STAMP) playtree
	@if [ ! -f playbooks/demo.yml ]; then \
	    echo "make demo: playbooks/demo.yml is not there yet -- the demo is not ready."; \
	else \
	    $(PY) tools/with_simulator.py -- ansible-playbook -i localhost, -c local \
	        -e ansible_python_interpreter=$(PY) playbooks/demo.yml; \
	fi

bench: $(STAMP) playtree
	@if [ -f bench/run.py ]; then $(PY) tools/with_simulator.py --sim-arg --catalog --sim-arg $(CURDIR)/bench/catalog.yml -- $(PY) bench/run.py $(BENCH_ARGS); \
	else echo "make bench: bench/run.py is not there yet -- the benchmark is not ready."; fi

soak: $(STAMP) playtree
	@if [ -f tests/soak/run.py ]; then $(PY) tools/with_simulator.py -- $(PY) tests/soak/run.py $(SOAK_ARGS); \
	else echo "make soak: tests/soak/run.py is not there yet -- the soak test is not ready."; fi

simulator: $(STAMP)
	$(PY) -m simulator --port $${PORT:-8443} --data-dir $${DATA_DIR:-.sim-data}

clean:
	rm -rf build docs/build tests/output $(COMPAT_VENV)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
