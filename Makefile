# CTIP: the commands a developer and CI use. `make demo` and `make test` are all a newcomer needs.
#
#   make demo    install, migrate the SQLite database under var/, load demo data, serve on :8000
#   make test    the whole suite (unit, API, browser); on PostgreSQL when DATABASE_URL says so
#   make check   the gate: formatting, lint, migrations, deploy checks, compiled translations
#   make lint    rewrites formatting and applies ruff's safe fixes

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Re-install only when the lock file changes.
STAMP := $(VENV)/.installed-from-lock
# pytest-xdist: one worker per core; browser tests share one server on one worker (loadgroup).
PYTEST_ARGS ?= -n auto --dist loadgroup

# Settings for the local demo only: never like this with real data (the pages say so).
DEMO_ENV := DEBUG=1 CTIP_REQUIRE_2FA=0
# `check --deploy` needs the production profile to load: throwaway keys, never used to sign.
DEPLOY_ENV := DJANGO_SETTINGS_MODULE=ctip.settings.production DEBUG=0 CTIP_REQUIRE_2FA=1 \
	SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	CTIP_AUDIT_KEYS=check:check-deploy-only-audit-key-0123456789-abcdef

.PHONY: demo test check lint venv clean-venv runtime-debs test-debs journeys

venv: $(STAMP)

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "CTIP needs Python 3.11 ($(PYTHON) was not found)."; \
		echo "On Debian or Ubuntu: apt-get install python3.11 python3.11-venv"; exit 1; }
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null || { \
		echo "$(PYTHON) is not Python 3.11. Set PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
		echo "$(PYTHON) cannot create virtual environments: its ensurepip module is missing."; \
		echo "On Debian or Ubuntu: apt-get install python3.11-venv"; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) --version)"
	@rm -rf $(VENV)
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Creating $(VENV) failed. On Debian or Ubuntu: apt-get install python3.11-venv"; \
		exit 1; }

# The lock is complete (every transitive dependency, pinned and hashed), so pip installs exactly
# it with --no-deps and resolves nothing: a new upstream release, or an old pip that would pick
# one for an extra such as fonttools[woff], cannot change or break the install. `pip check` then
# proves the locked set is consistent.
$(STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements.lock
	$(PY) -m pip check
	@touch $@

demo: $(STAMP) runtime-debs
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo
	@echo "Serving CTIP at http://127.0.0.1:8000  (the logins are listed above; Ctrl-C stops)"
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP) test-debs
	$(PY) -m pytest $(PYTEST_ARGS)

# The ten stories of a child's journey across organisations, walked in Chromium as each role
# (part of `make test`; this runs only them). See README, "The journeys".
JOURNEYS := ctip/intake/tests/test_journey_rescue.py ctip/cases/tests/test_journey_care.py \
	ctip/justice/tests/test_journey_justice_return.py \
	ctip/prevention/tests/test_journey_prevention_statistics.py
journeys: $(STAMP) test-debs
	$(PY) -m pytest -n 1 $(JOURNEYS)

# Debian packages CTIP uses at run time (PDFs: Pango and Khmer fonts) and in tests (Chromium,
# poppler). Installed when missing if we are root with apt-get; otherwise we say what to install.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-khmeros
TEST_DEBS := $(RUNTIME_DEBS) chromium fonts-liberation poppler-utils gettext

define install_debs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q "install ok installed" || echo $$p; done); \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Missing Debian packages: $$missing"; \
		echo "Install them with: sudo apt-get install $$missing"; exit 1; \
	fi
endef

runtime-debs:
	$(call install_debs,$(RUNTIME_DEBS))

test-debs:
	$(call install_debs,$(TEST_DEBS))

check: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) .ci/check_translations.py

lint: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-venv:
	rm -rf $(VENV)
