# Two commands do all set-up on a fresh machine (Python 3.11, nothing else installed):
#   make test        installs into .venv (once) and runs every check CI runs
#   make reproduce   installs into .venv (once) and reproduces Fig. 1 at the cpu profile (offline, own experts)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MUJOCO_GL ?= egl
export LP_NUM_THREADS ?= 1
# The official experts, when a folder of them sits beside the repository: 15_experts tests compatibility with them.
export LAOM_REFERENCE_EXPERTS ?= $(abspath $(wildcard ../shared/reference-experts))

.PHONY: test reproduce demo install guards clean-venv

$(STAMP): requirements.txt constraints.txt setup.py settings.ini
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	$(BIN)/pip install -q --no-deps -e .
	# The original Distracting Control Suite, only as the conformance oracle of nbs/14_envs.dcs: --no-deps
	# (it declares gym, a second RL stack) and --target outside site-packages (it ships top-level `specs` and
	# `gdc` packages). The test patches a copy for MuJoCo 3; without this folder it pip-installs into a temp dir.
	$(BIN)/pip install -q --no-deps --upgrade --target $(VENV)/oracle/distracting-control distracting-control==0.1.1rc3
	$(BIN)/python -m ipykernel install --sys-prefix --name laom >/dev/null
	touch $(STAMP)

install: $(STAMP)

guards: $(STAMP)
	$(BIN)/python tests/check_sync.py

# One thread per process: the notebooks' tiny models gain little from two, and on a busy 2-core machine
# two threads per process can slow an update 10-100x (measured here).
test: guards
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q tests

# Fig. 1 at the cpu profile with what fits in an hour on a 2-core machine: one seed, the 8-trajectory budget and 10
# evaluation episodes per policy (the output and the figure's title say so), one grid process per core, written to
# runs/figures/ beside the committed three-seed figures/fig01_summary.* (both budgets, 25 episodes). The full figure:
# `laom figures --profile cpu --only fig01 --seeds 0 1 2`, seeds in separate runs merged with --merge if need be.
reproduce: $(STAMP)
	$(BIN)/laom figures --profile cpu --only fig01 --run-root runs --seeds 0 --budgets 8 --episodes 10 --figures-dir runs/figures

# A minute: a small dataset in the official layout, nested labeled subsets, loader speeds.
demo: $(STAMP)
	$(BIN)/laom demo

clean-venv:
	rm -rf $(VENV)
