# The two commands a newcomer needs (see README.md). The suite is noxfile.py; the rest is in tools/.
PYTHON ?= python3
EMULATOR_PORT ?= 4566

.PHONY: demo test venv emulator emulator-stop benchmark clean

## make demo: create .venv (Python >= 3.12, pinned), start the emulator, run the demo playbook, stop it
demo:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python tools/demo.py

## make test: every nox session (what CI runs; `.venv/bin/nox -l` lists them), ending on `sessions: N passed, N failed`.
## It checks as CI does (CI=true): antsibull-nox's formatters session reformats only when CI is not true.
test:
	$(PYTHON) tools/bootstrap.py
	CI=$${CI:-true} .venv/bin/python noxfile.py

## make venv: all three environments (.venv; .venv-min and .venv-importer, which the suite builds when it needs them)
venv:
	$(PYTHON) tools/bootstrap.py dev floor importer

## make emulator: the local AWS emulator in the background on 127.0.0.1:$(EMULATOR_PORT), with sample resources;
## prints the exports that point the modules (and boto3, the AWS CLI) at it. make emulator-stop stops it by PID.
emulator:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python tools/emulator.py start --port $(EMULATOR_PORT)

emulator-stop:
	.venv/bin/python tools/emulator.py stop

## make benchmark: API calls per task, ad hoc wall time, region-wide listing under the quota
benchmark:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python benchmarks/run.py

clean:
	rm -rf build .venv .venv-min .venv-importer .venv-eda .nox
