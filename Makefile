# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test test-slow bench docs setup dot clean

setup: $(STAMP) dot

# torch is pinned to the CPU build (2.13.0); installing it first keeps pip from
# resolving a newer CUDA build for anything that depends on torch.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# graphviz's `dot` binary: apt-get where we can, otherwise say how.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null); \
	  else \
	    echo "graphviz's dot is missing: install it (apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/) and run make again." >&2; exit 1; \
	  fi; }

demo: setup
	$(BIN)/explainer demo -o demo-out

test: setup
	$(BIN)/python -m pytest

test-slow: setup
	$(BIN)/python -m pytest -m slow

clean:
	rm -rf $(VENV) demo-out
