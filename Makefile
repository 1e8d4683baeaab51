# Dangjian — the two commands are `make run` and `make test` (README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
DJ := $(VENV)/bin/dangjian
PYTEST := $(VENV)/bin/pytest
SCALE ?= city
# The local PostgreSQL of this machine kind (trust auth); `make test` uses it when it answers.
LOCAL_PG_URL := postgres://postgres@127.0.0.1:5432/test

.PHONY: install run test test-fast test-sqlite test-postgres lint format bench clean python chromium libreoffice

# Python: the version in .python-version (3.13), from pyenv or the PATH; 3.12 at least.
PYTHON_BIN := $(shell scripts/find-python.sh 2>/dev/null)

python:
	@if [ -z "$(PYTHON_BIN)" ]; then \
	  echo "错误：未找到 Python 3.12 或更高版本（需要 $$(cat .python-version)）。" >&2; \
	  echo "Error: Python >= 3.12 not found (wanted $$(cat .python-version)). Install it, e.g. 'pyenv install $$(cat .python-version)'." >&2; \
	  exit 1; fi

install: python $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "错误：需要 Node.js 与 npm 安装前端资源 / Error: npm is required" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The browser tests drive Debian's chromium; install it with apt where it is missing (never a
# browser downloaded by a test tool), with a Chinese font for the screenshots they save
# (docs/screenshots/; without one every character shows as a box).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装 Debian 的 chromium（浏览器测试用）/ installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "错误：浏览器测试需要 /usr/bin/chromium，请以 root 运行 apt-get install chromium / Error: install Debian's chromium (apt-get install chromium)" >&2; exit 1; \
	  fi; \
	fi
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装中文字体（浏览器测试截图用）/ installing a Chinese font for the screenshots"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }; \
	  else \
	    echo "提示：没有中文字体，截图中的汉字将显示为方框（apt-get install fonts-wqy-microhei）/ Note: no Chinese font, the screenshots will show boxes" >&2; \
	  fi; \
	fi

# One test prints the official table (report org-building --format xlsx) with LibreOffice, as
# an officer would, and counts the pages: Debian's headless Calc, installed with apt where
# it is missing.
libreoffice:
	@# Calc converts the official table, Writer the minutes and letters (.docx): both print-tested.
	@if ! command -v soffice >/dev/null || [ ! -e /usr/lib/libreoffice/program/libswlo.so ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装 LibreOffice Calc 与 Writer（打印测试用）/ installing LibreOffice Calc and Writer for the print tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui libreoffice-writer-nogui >/dev/null \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui libreoffice-writer-nogui >/dev/null; }; \
	  else \
	    echo "错误：打印测试需要 LibreOffice（apt-get install libreoffice-calc-nogui libreoffice-writer-nogui）/ Error: install LibreOffice Calc and Writer (apt-get install libreoffice-calc-nogui libreoffice-writer-nogui)" >&2; exit 1; \
	  fi; \
	fi

run: install
	$(DJ) init
	@# demo prints the demo users, saved beside the database (var/dangjian.demo-users.txt)
	$(DJ) demo --scale city --no-serve --if-empty
	$(DJ) collectstatic --noinput --verbosity 0
	@# The daily full check (periods that ran out): run by the worker, at once and every day.
	$(DJ) daily --schedule
	@echo "打开 / open http://127.0.0.1:8000/"
	@# The background worker (web imports) runs beside the server and stops with it.
	$(DJ) db_worker --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(DJ) runserver 127.0.0.1:8000 --noreload

test: install chromium libreoffice test-sqlite test-postgres

test-sqlite:
	env -u DATABASE_URL $(PYTEST)

# The edit-test loop (CONTRIBUTING.md): SQLite only, no browser, without the tests marked
# `slow` (long property tests, the large demos), stopping at the first failure. CI runs
# `make test`, which runs everything on both databases.
test-fast: install
	env -u DATABASE_URL $(PYTEST) -m "not slow" --ignore=tests/browser -x $(ARGS)

# On PostgreSQL when DATABASE_URL points at one, or when the local server answers.
test-postgres:
	@url="$${DATABASE_URL:-}"; \
	if [ -z "$$url" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then url="$(LOCAL_PG_URL)"; fi; \
	case "$$url" in \
	  postgres*) echo "== PostgreSQL: $$url"; \
	    DATABASE_URL="$$url" DATABASE_TEST_NAME="test_dangjian_$$$$" $(PYTEST) --create-db ;; \
	  *) echo "== PostgreSQL: not available, skipped (set DATABASE_URL=postgres://…)" ;; \
	esac

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy dangjian tests bench scripts

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) -m bench --scale $(SCALE)

clean:
	rm -rf $(VENV) node_modules var
