# The two commands a newcomer needs (see README.md); `make help` lists every target. The suite is noxfile.py; the rest is in tools/
PYTHON ?= python3
EMULATOR_PORT ?= 4566

.PHONY: demo test help venv emulator emulator-stop benchmark clean

## make demo: create .venv (Python >= 3.12, pinned), start the emulator, run the demo playbook, stop it
demo:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python tools/demo.py

## make test: every nox session (what CI runs; `.venv/bin/nox -l` lists them), ending on `sessions: N passed, N failed`.
## It checks as CI does (CI=true): antsibull-nox's formatters session reformats only when CI is not true.
test:
	$(PYTHON) tools/bootstrap.py
	CI=$${CI:-true} .venv/bin/python noxfile.py

## make help: list the targets, one line each: the first line of the `## make NAME:` comment above each target
help:
	@awk '/^## make [a-z-]+: / { name = $$3; sub(":", "", name); if (!(name in said)) said[name] = substr($$0, length("## make " name ": ") + 1) } \
		/^[a-z][a-z-]*:/ { name = substr($$0, 1, index($$0, ":") - 1); targets[++count] = name } \
		END { for (i = 1; i <= count; i++) printf "make %-14s %s\n", targets[i], \
			(targets[i] in said) ? said[targets[i]] : "(no ## make comment: add one above the target)" }' $(firstword $(MAKEFILE_LIST)) \
		| sed 's/$$(EMULATOR_PORT)/$(EMULATOR_PORT)/g'

## make venv: all three environments (.venv; .venv-min and .venv-importer, which the suite builds when it needs them)
venv:
	$(PYTHON) tools/bootstrap.py dev floor importer

## make emulator: start the local AWS emulator in the background on 127.0.0.1:$(EMULATOR_PORT), with sample resources
## (EMULATOR_PORT= to change it), and print the exports that point the modules (and boto3, the AWS CLI) at it.
emulator:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python tools/emulator.py start --port $(EMULATOR_PORT)

## make emulator-stop: stop the emulator make emulator started, by its PID
emulator-stop:
	.venv/bin/python tools/emulator.py stop

## make benchmark: API calls per task, ad hoc wall time, region-wide listing under the quota
benchmark:
	$(PYTHON) tools/bootstrap.py
	.venv/bin/python benchmarks/run.py

## make clean: remove what the targets build: build/ (with the throwaway HOME of integration runs), the venvs, .nox
clean:
	rm -rf build .venv .venv-min .venv-importer .venv-eda .nox
