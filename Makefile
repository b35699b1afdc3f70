# The two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROTO_OUT := apimachinery/_generated

.PHONY: venv run test unit lint proto bench bench-sharding clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: venv
	$(BIN)/kplane start $(ARGS)

test: venv
	$(BIN)/python -m pytest -q tests

unit: venv
	$(BIN)/python -m pytest -q tests/unit

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy apimachinery shard frontproxy cachesrv cmd/kplane cmd/kubectl_ws
	$(BIN)/lint-imports

proto: venv
	$(BIN)/python -m grpc_tools.protoc -Iproto \
		--python_out=$(PROTO_OUT) --pyi_out=$(PROTO_OUT) --grpc_python_out=$(PROTO_OUT) \
		$$(find proto -name '*.proto' | sort)
	$(BIN)/python tools/fix_proto_imports.py $(PROTO_OUT)

bench: venv
	$(BIN)/python -m bench.run

bench-sharding: venv
	$(BIN)/python -m bench.sharding

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
