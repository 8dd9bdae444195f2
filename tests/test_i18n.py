"""The Chinese catalog is complete and sound, covers every translatable string in the source,
and the pages really come out in Chinese by default and in English on request."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

import gangwan

PACKAGE = Path(gangwan.__file__).resolve().parent
CATALOG = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GETTEXT_PROGRAMS = ("xgettext", "msgmerge", "msguniq", "msgattrib")

# %(name)s, %(count)d, %s, %d … (python-format); {name}, {0}, {} (python-brace-format)
PYTHON_FORMAT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
BRACE_FORMAT = re.compile(r"(?<!\{)\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
RULE_PREFIX = re.compile(r"^(R\d+(?:/R\d+)*):")


def _entries(po):
    return [e for e in po if not e.obsolete]


def _msgstrs(entry):
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _label(entry):
    where = ", ".join(f"{f}:{n}" for f, n in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


@pytest.fixture(scope="module")
def catalog():
    assert CATALOG.exists(), f"{CATALOG} is missing"
    return polib.pofile(str(CATALOG))


# 1. The committed catalog ---------------------------------------------------------------------


def test_catalog_header(catalog):
    assert not catalog.metadata_is_fuzzy, "the header is marked fuzzy"
    assert catalog.metadata.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in catalog.metadata.get("Content-Type", "")
    plural_forms = catalog.metadata.get("Plural-Forms", "").replace(" ", "")
    assert plural_forms.startswith("nplurals=1;plural=0"), plural_forms


def test_catalog_is_complete(catalog):
    assert len(_entries(catalog)) > 100, "the catalog looks empty"
    untranslated = [_label(e) for e in _entries(catalog) if not all(s.strip() for s in _msgstrs(e))]
    fuzzy = [_label(e) for e in _entries(catalog) if "fuzzy" in e.flags]
    obsolete = [e.msgid for e in catalog if e.obsolete]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries (check and remove the flag):\n" + "\n".join(fuzzy)
    assert not obsolete, "obsolete entries (run makemessages with --no-obsolete):\n" + "\n".join(
        obsolete
    )


def test_plural_entries_have_the_one_chinese_form(catalog):
    for e in _entries(catalog):
        if e.msgid_plural:
            assert set(e.msgstr_plural) == {0}, (
                f"{_label(e)} has plural forms {sorted(e.msgstr_plural)}"
            )


@pytest.mark.parametrize(
    "pattern",
    [PYTHON_FORMAT, BRACE_FORMAT, HTML_TAG, HTML_ENTITY],
    ids=["python-format", "brace", "html", "entity"],
)
def test_placeholders_survive_translation(catalog, pattern):
    """Every placeholder, tag and entity of the msgid is in the msgstr and nothing else is."""
    broken = []
    for e in _entries(catalog):
        if pattern is PYTHON_FORMAT and "python-format" not in e.flags:
            continue  # a literal "%" in a plain message (e.g. "Coverage (%)") is no placeholder
        expected = set(pattern.findall(e.msgid))
        if e.msgid_plural:
            expected |= set(pattern.findall(e.msgid_plural))
        for s in _msgstrs(e):
            found = set(pattern.findall(s))
            # A plural msgstr may leave the count out only if a form of the msgid does too.
            if found != expected and not (
                e.msgid_plural and found == set(pattern.findall(e.msgid))
            ):
                broken.append(
                    f"{_label(e)}: expected {sorted(expected)}, found {sorted(found)} in {s!r}"
                )
    assert not broken, "placeholders differ:\n" + "\n".join(broken)


def test_rule_messages_keep_their_number(catalog):
    """Messages citing RULES.md ("R1: …") keep the ASCII rule number, followed by ":" or "："."""
    broken = []
    for e in _entries(catalog):
        m = RULE_PREFIX.match(e.msgid)
        if m and not re.match(re.escape(m.group(1)) + "[:：]", e.msgstr):
            broken.append(f"{_label(e)} -> {e.msgstr!r}")
    assert not broken, "rule numbers lost:\n" + "\n".join(broken)


# 2. The source has no string the catalog lacks ------------------------------------------------


def test_every_translatable_string_in_the_source_is_translated(tmp_path, monkeypatch, settings):
    missing = [p for p in GETTEXT_PROGRAMS if shutil.which(p) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is needed to extract messages but {', '.join(missing)} is not on PATH; "
            "install it (Debian/Ubuntu: apt-get install gettext)."
        )
    copy = tmp_path / "gangwan"

    def ignore(directory, names):
        skip = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".mo"))}
        if Path(directory).resolve() == PACKAGE:
            skip.add("demo")
        return skip

    shutil.copytree(PACKAGE, copy, ignore=ignore)
    # makemessages writes into LOCALE_PATHS[0]; point it at the copy so the real catalog is untouched.
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    before = CATALOG.read_bytes()
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        ignore_patterns=["demo/*"],
        no_obsolete=True,
        verbosity=0,
    )
    assert CATALOG.read_bytes() == before, "makemessages touched the real catalog"

    regenerated = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert len(_entries(regenerated)) > 100, "makemessages found (almost) no strings"
    new = [_label(e) for e in _entries(regenerated) if not all(s.strip() for s in _msgstrs(e))]
    guessed = [_label(e) for e in _entries(regenerated) if "fuzzy" in e.flags]
    fix = (
        'cd src/gangwan && ../../.venv/bin/gangwan makemessages -l zh_Hans --ignore "demo/*" --no-obsolete, '
        "then translate"
    )
    assert not new, f"strings in the source without a translation ({fix}):\n" + "\n".join(new)
    assert not guessed, f"strings msgmerge only guessed (fuzzy; {fix}):\n" + "\n".join(guessed)


# 3. Pages come out in the right language ------------------------------------------------------


def test_pages_are_in_chinese_by_default(client, db):
    assert django_settings.LANGUAGE_CODE == "zh-hans"
    body = client.get(reverse("login")).content.decode()
    assert "登录" in body and "Log in" not in body


def test_pages_are_in_english_on_request(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in body and "登录" not in body


def test_the_browser_language_is_honoured(client, db):
    assert (
        "Log in"
        in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    )
    assert (
        "登录"
        in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    )
