# Build, test and demo entry points of the apsaramq.rocketmq collection.
# `make help` lists the targets; the work is done by the scripts in scripts/.
#
# Everything a target needs is installed by the targets themselves: `make venv` creates .venv
# from requirements-dev.txt with the newest working Python 3.12+ (else the system python3), and
# ansible-test keeps its caches and virtual environments under .build/.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV ?= .venv
# The oldest ansible-core the collection supports (requirements-oldest.txt), for `make cores`.
OLDEST_VENV ?= .venv-oldest
BUILD ?= .build
# Interpreter for the venv; found by scripts/find_python.sh unless given, e.g. PYTHON=python3.12.
PYTHON ?=
# Bundled emulator scenario for `make demo` (a file name in emulator/scenarios/, without .yml).
SCENARIO ?= healthy
# Integration targets to run (default: all), e.g. TARGETS=ons_trace_info.
TARGETS ?=
# Python version for the sanity tests. Empty: the controller tests run on the venv's Python and
# compile/import run on every Python 3.9+ found (the supported range of the modules).
SANITY_PYTHON ?=
# Python version for the unit tests (default: the venv's).
UNITS_PYTHON ?= $(shell $(VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Extra arguments: ansible-test (sanity, units, integration) and pytest (emulator-test).
ANSIBLE_TEST_ARGS ?=
PYTEST_ARGS ?= -q -n 2
# `make integration`: how many ansible-test runs share the targets out, side by side, each with
# its own copy and emulator (1: one run, all targets in turn).
INTEGRATION_JOBS ?= 2
# `make demo-scenarios`: how many demos run side by side (most of a demo is waiting).
DEMO_JOBS ?= 3
# `make repeat`: the pytest file, folder or node to run, and how many times in a row.
TEST ?=
COUNT ?= 20
LINT_ARGS ?=

STAMP := $(VENV)/.requirements-dev.stamp
OLDEST_STAMP := $(OLDEST_VENV)/.requirements-oldest.stamp
# The scripts take the venv and build folders from the environment, as absolute paths.
RUN := VENV="$(abspath $(VENV))" OLDEST_VENV="$(abspath $(OLDEST_VENV))" BUILD_DIR="$(abspath $(BUILD))" \
	INTEGRATION_JOBS="$(INTEGRATION_JOBS)" DEMO_JOBS="$(DEMO_JOBS)"

# What `make test` (and so CI) runs: venv first (`::` waits for it), then the checks, TEST_JOBS
# at a time, each starting when one before it ends, longest first; each check stages its own copy
# of the collection, so that none sees another's files. demo-scenarios runs the demo of every
# bundled scenario, rehearsal the README's install-and-rehearse commands from the built artifact.
# TEST_JOBS=1 runs them one after the other, each one's output as it comes.
TEST_STEPS ?= venv :: integration sanity units cores lint demo-scenarios build rehearsal importer emulator-test docs-lint
TEST_JOBS ?= 2

.PHONY: help venv cores sanity units emulator-test repeat integration build importer demo lint docs-lint test clean distclean

help: ## Show this help
	@echo "Targets (make TARGET [VARIABLE=value ...]):"
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z_-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo "Variables: PYTHON (venv interpreter), SCENARIO=$(SCENARIO) (demo), TARGETS (integration),"
	@echo "  SANITY_PYTHON, UNITS_PYTHON, ANSIBLE_TEST_ARGS, PYTEST_ARGS='$(PYTEST_ARGS)' (emulator-test),"
	@echo "  INTEGRATION_JOBS=$(INTEGRATION_JOBS), DEMO_JOBS=$(DEMO_JOBS), LINT_ARGS, TEST and COUNT=$(COUNT) (repeat),"
	@echo "  TEST_STEPS='$(TEST_STEPS)', TEST_JOBS=$(TEST_JOBS) (test)"

venv: $(STAMP) ## Create .venv and install requirements-dev.txt (again only when that file changes)

$(STAMP): requirements-dev.txt
	scripts/make_venv.sh "$(VENV)" requirements-dev.txt "$(or $(PYTHON),$$(scripts/find_python.sh))"
	@touch "$@"

$(OLDEST_STAMP): requirements-oldest.txt
	scripts/make_venv.sh "$(OLDEST_VENV)" requirements-oldest.txt "$$(scripts/find_python.sh --between 10 12)"
	@touch "$@"

cores: $(STAMP) $(OLDEST_STAMP) ## The gate's rules, the template-injection test, and the Jinja-rule target and demos on the oldest supported ansible-core too
	$(RUN) scripts/cores.sh

sanity: $(STAMP) ## ansible-test sanity on a fresh copy in .build/stage/sanity/
	@# The collection passes sanity without exceptions (see tests/sanity/README.md).
	@if grep -Hnv '^[[:space:]]*\(#.*\)\?$$' tests/sanity/ignore-*.txt 2>/dev/null; then \
		echo "tests/sanity/ignore-*.txt has entries (above): fix the findings instead" >&2; exit 1; fi
	$(RUN) scripts/ansible_test.sh sanity --venv $(if $(SANITY_PYTHON),--python $(SANITY_PYTHON)) --color auto $(ANSIBLE_TEST_ARGS)

units: $(STAMP) ## ansible-test units (tests/unit, installs tests/unit/requirements.txt)
	$(RUN) scripts/ansible_test.sh units --venv --python $(UNITS_PYTHON) --requirements --color auto $(ANSIBLE_TEST_ARGS)

emulator-test: $(STAMP) ## The emulator's own test suite (pytest tests/emulator)
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS) tests/emulator

repeat: $(STAMP) ## Run a pytest file, folder or node COUNT times in a row, stop at the first failure (TEST=tests/unit COUNT=20)
	@if [ -z "$(TEST)" ]; then echo "repeat: set TEST to a pytest file, folder or node, e.g. TEST=tests/emulator/test_faults.py" >&2; exit 2; fi
	@case "$(COUNT)" in ''|*[!0-9]*|0) echo "repeat: COUNT must be a positive whole number, not '$(COUNT)'" >&2; exit 2;; esac
	@# The unit tests import the collection as ansible_collections.apsaramq.rocketmq: run from a
	@# link laid out that way, so that tests/unit and tests/emulator alike can be repeated.
	@mkdir -p "$(BUILD)/repeat-collections/ansible_collections/apsaramq"
	@ln -sfn "$(CURDIR)" "$(BUILD)/repeat-collections/ansible_collections/apsaramq/rocketmq"
	@# No cache: a run must not depend on what the previous one left behind.
	@cd "$(BUILD)/repeat-collections/ansible_collections/apsaramq/rocketmq" && for run in $$(seq 1 $(COUNT)); do \
		echo "== run $$run of $(COUNT): $(TEST)"; \
		if ! PYTHONPATH="$(abspath $(BUILD))/repeat-collections" "$(abspath $(VENV))/bin/python" -m pytest $(PYTEST_ARGS) -p no:cacheprovider $(TEST); then \
			echo "repeat: run $$run of $(COUNT) failed" >&2; exit 1; fi; \
	done; \
	echo "repeat: $(COUNT) of $(COUNT) runs passed: $(TEST)"

integration: $(STAMP) ## ansible-test integration against the emulator (TARGETS=... for a subset)
	$(RUN) scripts/integration.sh $(TARGETS) $(ANSIBLE_TEST_ARGS)

build: $(STAMP) ## Build the artifact into .build/dist, check its entries, install it, check its docs and a module run
	$(RUN) scripts/build_check.sh

importer: $(STAMP) ## galaxy-importer (Galaxy's upload checks, offline) on a fresh artifact; fails on any warning
	$(RUN) scripts/importer.sh

demo: $(STAMP) ## Run the deployment gate against the emulator (SCENARIO=healthy|rollout_half_done|rollout_completes|...)
	$(RUN) scripts/demo.sh $(SCENARIO)

.PHONY: demo-scenarios rehearsal
demo-scenarios: $(STAMP) ## Run the demo of every bundled scenario; each must pass or fail for its own reason (SCENARIOS=... for some)
	$(RUN) $(VENV)/bin/python scripts/demo_scenarios.py $(SCENARIOS)

rehearsal: $(STAMP) ## Run README.md's install and rehearsal commands as written, from the built artifact, in a clean venv and HOME
	$(RUN) $(VENV)/bin/python scripts/readme_rehearsal.py

lint: $(STAMP) ## ansible-lint of roles, playbooks and integration targets (.ansible-lint)
	@if [ ! -x "$(VENV)/bin/ansible-lint" ]; then \
		echo "ansible-lint is not in $(VENV) (requirements-dev.txt installs it on Python 3.12+ only)" >&2; exit 1; fi
	@# --offline leaves the collection itself unresolved; a symlink to this checkout provides it.
	@mkdir -p "$(BUILD)/lint-collections/ansible_collections/apsaramq"
	@ln -sfn "$(CURDIR)" "$(BUILD)/lint-collections/ansible_collections/apsaramq/rocketmq"
	ANSIBLE_COLLECTIONS_PATH="$(abspath $(BUILD))/lint-collections" PATH="$(abspath $(VENV))/bin:$$PATH" \
		$(VENV)/bin/ansible-lint --offline $(LINT_ARGS)

docs-lint: $(STAMP) ## antsibull-docs lint of docs/docsite and every plugin's docs, and scripts/docs_check.py
	$(RUN) scripts/docs_lint.sh

test: ## Run the TEST_STEPS (venv, then every check above), TEST_JOBS at a time, timed; stop at a failure
	@# `units` runs the gate's unit tests on the pinned core: `cores` then runs them on the oldest only.
	@$(RUN) CORES_PINNED_UNITS=$(if $(filter units,$(TEST_STEPS)),no,yes) TEST_JOBS="$(TEST_JOBS)" \
		scripts/run_steps.sh $(TEST_STEPS)

clean: ## Remove .build (copies, artifacts, ansible-test caches) and tests/output
	rm -rf "$(BUILD)" tests/output

distclean: clean ## clean, and remove .venv and .venv-oldest too
	rm -rf "$(VENV)" "$(OLDEST_VENV)"
