# jkit's two commands: `make report` (set up, make the sample data, render every report)
# and `make test` (set up, run the tests). Everything lives in a local virtual environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SAMPLE := data/sample
# Extra arguments for `jkit run`, e.g. make report RUN_ARGS="--config reports.yaml"
RUN_ARGS ?=
# Extra arguments for pytest, e.g. make test TEST_ARGS="-k funnels"
TEST_ARGS ?=

.PHONY: report test setup sample lab bench lint browser java clean docs-images

report: setup sample
	$(BIN)/jkit run --data $(SAMPLE) $(RUN_ARGS)

test: setup browser java
	$(BIN)/python -m pytest $(TEST_ARGS)

setup: $(VENV)/.jkit-installed

# Extras installed by `make setup`; transformers (for score_sentiment(model=...)) needs torch, installed
# first as TORCH: torch==2.13.0 is the CPU wheel pip finds on our machines (760 MB installed; with no
# torch yet, a plain `torch` takes a CUDA build of several GB); interactive is plotly (76 MB installed), for
# the hover charts of report 07. Elsewhere pass e.g. TORCH= EXTRAS=dev,spark.
EXTRAS ?= dev,spark,transformers,interactive
TORCH  ?= torch==2.13.0

$(VENV)/.jkit-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(TORCH),$(BIN)/python -m pip install --quiet '$(TORCH)')
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	$(BIN)/python -m ipykernel install --sys-prefix --name jkit --display-name "Python (jkit)" >/dev/null
	touch $@

sample: setup $(SAMPLE)/truth.json

$(SAMPLE)/truth.json:
	$(BIN)/jkit sample-data --out $(SAMPLE)

# Debian's chromium for the browser checks of the reports (skipped when it cannot be installed).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not found (apt-get install chromium); browser tests will be skipped"; fi; }

# Java for the Spark engine's tests (skipped when it cannot be installed).
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
	      || echo "warning: could not install Java; Spark tests will be skipped"; \
	  else echo "note: java not found (apt-get install openjdk-17-jre-headless); Spark tests will be skipped"; fi; }

# JupyterLab in the project's environment, with the "jkit" kernel.
lab: setup sample
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Benchmarks at quick sizes; `make bench BENCH_ARGS=--full` for the sizes the README quotes.
BENCH_ARGS ?=
bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check jkit tests benchmarks

# The README's picture of the journey map, from the sample data.
docs-images: setup sample
	$(BIN)/python -c "import matplotlib; matplotlib.use('Agg'); import jkit; from jkit.journey_map import journey_map; \
	journey_map(jkit.load('$(SAMPLE)')).plot(title='Customer journey map — sample data').savefig('docs/images/journey-map.png', dpi=90)"

clean:
	rm -rf $(VENV) $(SAMPLE) reports/20* reports/.run-* reports/latest reports/index.html
