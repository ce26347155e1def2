# reprints: every entry point a user or CI needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench serve crawl export lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install          ## the demo: sample web -> crawl -> clean -> reprints.db -> Datasette
	$(BIN)/reprints run

test: install
	$(BIN)/pytest -q

bench: install
	$(BIN)/reprints bench

serve: install
	$(BIN)/reprints serve

crawl: install
	$(BIN)/reprints crawl $(URLS)

export: install
	$(BIN)/reprints export --format jsonl --output reprints.jsonl

lint: install
	$(BIN)/python -m compileall -q crawler pipeline tests

clean:
	rm -rf $(VENV) reprints.db reprints.warc .pytest_cache
