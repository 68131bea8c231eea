# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets masked in each form a request carries them; text safe for the controller and for terminals."""

import base64
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import (
    REDACTED,
    make_safe,
    safe_string,
    scrub,
    scrub_all,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.signer import percent_encode

# Every character class an encoder treats differently: "+", "/", "=", "%", "~", space, non-ASCII.
TOKEN = "CAIS+a/b=c%d~e f\u00e9g"


def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


FORMS = {
    "raw": lambda s: s,
    "signer": percent_encode,
    "quote_default": quote,
    "quote_plus": quote_plus,
    "signer_twice": lambda s: percent_encode(percent_encode(s)),
    "quote_twice": lambda s: quote(quote(s)),
    "signer_lower_hex": lambda s: percent_encode(s).lower().replace("caIS".lower(), "CAIS"),
    "base64": _b64,
    "base64_unpadded": lambda s: _b64(s).rstrip("="),
    "base64_urlsafe": lambda s: base64.urlsafe_b64encode(s.encode("utf-8")).decode("ascii"),
    "base64_encoded": lambda s: percent_encode(_b64(s)),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_of_a_secret_is_masked(form):
    shown = FORMS[form](TOKEN)
    assert shown != "" and shown in "before %s after" % shown
    text = scrub("server string to sign is:GET&%%2F&SecurityToken%%3D%s&x=1" % shown, [TOKEN])
    assert shown not in text and REDACTED in text
    assert text.startswith("server string to sign is:GET&%2F&SecurityToken%3D") and text.endswith("&x=1")


def test_the_key_id_is_not_a_secret_and_stays():
    creds = Credentials("LTAI5tVisible", "TheSecret", "TheToken")
    assert scrub("LTAI5tVisible TheSecret TheToken", creds.secrets()) == "LTAI5tVisible %s %s" % (REDACTED, REDACTED)


def test_scrub_all_walks_lists_and_dicts():
    value = {"msg": "a TheSecret b", "error": {"message": [percent_encode("x/TheSecret")]}, "n": 3}
    assert scrub_all(value, ["x/TheSecret", "TheSecret"]) == {
        "msg": "a %s b" % REDACTED, "error": {"message": [REDACTED]}, "n": 3}


@pytest.mark.parametrize("text, safe", [
    ("plain", "plain"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("\x1b[2J\x07\x00\r", "\\x1b[2J\\x07\\x00\\x0d"),
    ("c1 \x9b and del \x7f", "c1 \\x9b and del \\x7f"),
    ("lone \ud800 and \udfff", "lone \ufffd and \ufffd"),
    ("\u00e9\u4f8b\U0001f600", "\u00e9\u4f8b\U0001f600"),
])
def test_strings_are_made_safe(text, safe):
    assert safe_string(text) == safe
    safe_string(text).encode("utf-8")


def test_make_safe_copies_every_string_keys_too_and_keeps_the_rest():
    value = {"k\x1b": ["\ud800", 1, 2.5, True, None, {"x": "\x07"}]}
    assert make_safe(value) == {"k\\x1b": ["\ufffd", 1, 2.5, True, None, {"x": "\\x07"}]}
    assert value == {"k\x1b": ["\ud800", 1, 2.5, True, None, {"x": "\x07"}]}


def test_make_safe_refuses_absurd_nesting_without_recursion():
    deep = []
    for dummy in range(5000):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 64 levels deep"):
        make_safe(deep, 64)
    assert make_safe([[["ok"]]], 3) == [[["ok"]]]
