# Two commands for a newcomer on a fresh Debian/Ubuntu machine:
#   make run    set everything up and serve the demo on http://127.0.0.1:5000
#   make test   set everything up and run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := wsgi.py
# System packages: Pango (WeasyPrint's text layout), a CJK font and HarfBuzz's subsetter for the
# PDFs (without libharfbuzz-subset0 WeasyPrint needs seconds instead of a fraction of a second per
# Chinese page), Debian's Chromium for the browser tests and libatomic1 for Playwright's bundled
# node driver (it will not start without libatomic.so.1), poppler-utils to inspect PDFs in tests,
# and venv support for Python. tools/bare-machine-test proves the list on a bare Debian root.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk libharfbuzz-subset0 chromium libatomic1 \
	poppler-utils python3-venv

.PHONY: run test setup system-packages venv translations translations-compile db demo unit integration e2e bench-quotes bench-pages bench-notices bench-ranking bench-publish clean

run: setup db demo
	$(VENV)/bin/flask run --host 127.0.0.1 --port 5000

test: setup
	$(PY) -m pytest -n 2 --dist loadfile -q tests

setup: system-packages venv translations-compile

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "System packages present."; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else \
	  echo "Missing system packages:$$missing"; \
	  echo "Install them with:  sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; fi; \
	echo "Installing system packages:$$missing"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Interface translations (Flask-Babel). `make translations` extracts every marked string from
# the code and templates into translations/messages.pot and merges it into each catalog
# (translations/<lang>/LC_MESSAGES/messages.po): new strings arrive with an empty msgstr, changed
# ones marked fuzzy; tests/integration/test_translations.py lists what still lacks English.
# The .mo files are compiled here (and by the app when a .po is newer), never committed.
translations: venv
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs ".* __pycache__ instance" --no-location --sort-output --omit-header -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -D messages --no-wrap --ignore-obsolete
	$(VENV)/bin/pybabel compile -d translations -D messages

translations-compile: venv
	$(VENV)/bin/pybabel compile -d translations -D messages --statistics

db: venv
	$(VENV)/bin/flask db upgrade

demo: db
	$(VENV)/bin/flask demo --if-empty

unit: venv
	$(PY) -m pytest -q tests/unit

integration: venv
	$(PY) -m pytest -n 2 -q tests/integration

e2e: setup
	$(PY) -m pytest -q tests/e2e

bench-quotes: setup
	$(PY) bench/quotes.py

bench-pages: setup
	$(PY) bench/pages.py

bench-notices: setup
	$(PY) bench/render_notices.py

bench-ranking: venv
	$(PY) bench/ranking.py

bench-publish: setup
	$(PY) bench/publish.py

clean:
	rm -rf $(VENV) instance
