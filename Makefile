# docai: `make run` starts the app on embedded defaults, `make test` runs the test suite.
# Both install what is missing first (a virtualenv in .venv, Debian packages, local services).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch first, pinned: a bare `torch` requirement pulls several GB of CUDA packages on a CPU machine.
# On a CPU machine without a local wheel, pass TORCH_INDEX=https://download.pytorch.org/whl/cpu.
TORCH_VERSION ?= 2.13.0
TORCH_INDEX   ?=
APT_PACKAGES  := tesseract-ocr tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-nld poppler-utils chromium docker-compose
STAMP := $(VENV)/.installed

.PHONY: run test install system-deps services lint bench clean

run: install system-deps
	$(BIN)/docai up

test: install system-deps services
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || \
	  $(BIN)/pip install -q torch==$(TORCH_VERSION) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Debian packages, installed only when a command is missing (needs root or sudo).
system-deps:
	@missing=""; \
	command -v tesseract >/dev/null || missing="$$missing tesseract"; \
	command -v pdftoppm >/dev/null || missing="$$missing pdftoppm"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	for lang in deu fra nld; do [ -f /usr/share/tesseract-ocr/5/tessdata/$$lang.traineddata ] || missing="$$missing tesseract-$$lang"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages (missing:$$missing)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

# The tests use the real PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379): start them if they are down.
services:
	@pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || \
	  { pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start && sleep 2; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@pg_isready -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 -p 6379 ping

lint: install
	$(BIN)/ruff check docai workers schemas model ui tests benchmarks

bench: install
	$(BIN)/python benchmarks/rasterize_bench.py

clean:
	rm -rf $(VENV) docai-data .pytest_cache
