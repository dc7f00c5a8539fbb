# Lotsen — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
MO     := app/translations/sv/LC_MESSAGES/messages.mo
PO     := app/translations/sv/LC_MESSAGES/messages.po

.PHONY: install run test test-fast bench translations extract-messages clean

$(BIN)/lotsen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(MO): $(PO) $(BIN)/lotsen
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -D messages

install: $(BIN)/lotsen $(MO)

translations: $(MO)

extract-messages: $(BIN)/lotsen
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location -w 100 -o app/translations/messages.pot .
	$(BIN)/pybabel update -w 100 -i app/translations/messages.pot -d app/translations -l sv --no-fuzzy-matching
	# no creation dates in the catalogue: they changed on every extract and made every merge conflict
	sed -i '/^"POT-Creation-Date: /d' app/translations/messages.pot $(PO)

run: install
	$(BIN)/lotsen db upgrade
	$(BIN)/lotsen processes deploy --message "make run"
	$(BIN)/lotsen users demo
	$(BIN)/lotsen serve

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance .pytest_cache
