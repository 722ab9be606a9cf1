.PHONY: start test test-fast bench lint
start:      ## set everything up and start the dashboard
	bash scripts/start.sh
test:       ## the whole test suite (what CI runs)
	bash scripts/test.sh
test-fast:  ## everything but the browser tests
	bash scripts/test.sh -m "not e2e"
bench:      ## lime_core beside eli5 and lime; prints figures
	bash scripts/bench.sh
lint:
	.venv/bin/ruff check .
