# The two commands a newcomer needs (see README.md). Everything else is in tools/.
PYTHON ?= python3

.PHONY: demo test venv benchmark clean

## make demo: create .venv (Python >= 3.12, pinned), start the emulator, run the demo playbook, stop it
demo:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python tools/demo.py

## make test: the whole suite (what CI runs). The suite runs in .venv and builds .venv-min and .venv-importer
## itself, only for the steps that use them.
test:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python tools/suite.py

venv:
	$(PYTHON) tools/bootstrap.py --all

## make benchmark: API calls per task, ad hoc wall time, region-wide listing under the quota
benchmark:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python benchmarks/run.py

clean:
	rm -rf build .venv .venv-min .venv-importer
