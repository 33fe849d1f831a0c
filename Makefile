VENV ?= .venv
PYTHON ?= $(VENV)/bin/python
PROTOS := $(wildcard protos/cardscan/v1/*.proto)
GENERATED := cardscan/v1/.generated
SHARED ?= ../shared
# Options for bench/throughput.py, such as --quick or --parts pipeline,latency.
BENCH_ARGS ?=

.PHONY: setup protos test lint run up down accuracy bench

setup:
	./scripts/setup.sh

protos: $(GENERATED)

$(GENERATED): $(PROTOS)
	mkdir -p cardscan/v1
	$(PYTHON) -m grpc_tools.protoc -Iprotos --python_out=. --pyi_out=. \
		--grpc_python_out=. $(PROTOS)
	touch $@

test: setup
	$(VENV)/bin/pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

run: setup
	$(VENV)/bin/cardscan demo $(ZIP)

up: setup
	$(VENV)/bin/cardscan up

down:
	$(VENV)/bin/cardscan down

accuracy: setup
	$(PYTHON) bench/accuracy.py --pipeline $(SHARED)/cards/dev

bench: setup
	$(PYTHON) bench/throughput.py --cards $(SHARED)/cards/dev $(BENCH_ARGS)
