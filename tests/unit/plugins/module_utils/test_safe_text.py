# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets masked in each form a request carries them; text safe for the controller and for terminals."""

import base64
import json
import re
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import (
    REDACTED,
    make_safe,
    safe_string,
    scrub,
    scrub_all,
    secret_forms,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.signer import percent_encode

# Every character class an encoder treats differently: "+", "/", "=", "%", "~", space, non-ASCII.
TOKEN = "CAIS+a/b=c%d~e f\u00e9g"


def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _json_escape_every(text, hex_format="\\u%04x"):
    # Every UTF-16 unit as \uXXXX, as an encoder with ensure_ascii and escaping of everything would.
    units = text.encode("utf-16-be")
    return "".join(hex_format % int.from_bytes(units[i:i + 2], "big") for i in range(0, len(units), 2))


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
    "quote_plus_twice": lambda s: quote_plus(quote_plus(s)),
    "signer_twice_lower_hex": lambda s: percent_encode(percent_encode(s)).lower().replace("cais", "CAIS"),
    "json_slash_escaped": lambda s: s.replace("/", "\\/"),
    "json_plus_u002b": lambda s: s.replace("+", "\\u002b"),
    "json_plus_u002B": lambda s: s.replace("+", "\\u002B"),
    "json_escaped_like_ensure_ascii": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "json_every_char_lower_hex": _json_escape_every,
    "json_every_char_upper_hex": lambda s: _json_escape_every(s, "\\u%04X"),
    "base64_json_escaped": lambda s: _b64(s).replace("/", "\\/").replace("+", "\\u002b"),
    # Each character in a form of its own: escaped, encoded once or twice, raw, in turn.
    "mixed_per_character": lambda s: "".join(
        (c, "\\u%04x" % ord(c), percent_encode(c), percent_encode(percent_encode(c)))[i % 4] for i, c in enumerate(s)),
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


# A token of 109 characters as an STS token is, with "+", "/" and "="; six "~" and six "?" put a
# "+" and a "/" into its Base64 whatever the alignment, so the two alphabets differ.
STS_TOKEN = "CAIS%s~~~~~~??????==" % base64.b64encode(bytes(range(7, 256, 3))).decode("ascii")[:91]


def _runs(secret, run=8):
    return set(secret[start:start + run] for start in range(len(secret) - run + 1))


def _in_blob(offset, encode, secret=STS_TOKEN):
    before = "SignatureDoesNotMatch; string to sign: POST&%2F&"[:offset].encode("ascii")
    text = before + secret.encode("utf-8") + b"&SignatureMethod=HMAC-SHA1&Timestamp=2026"
    return encode(text).decode("ascii"), len(before)


def _secret_only_span(offset, length):
    # The Base64 characters whose 6 bits all come from the secret's bytes [offset, offset + length).
    return -(-8 * offset // 6), 8 * (offset + length) // 6


@pytest.mark.parametrize("alphabet, encode", [("standard", base64.b64encode), ("url_safe", base64.urlsafe_b64encode)])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 4, 5, 31])
def test_a_token_inside_a_longer_base64_blob_is_masked_at_each_alignment(offset, alphabet, encode):
    blob, start = _in_blob(offset, encode)
    assert len(STS_TOKEN) == 109
    assert ("+" in blob and "-" not in blob) if alphabet == "standard" else ("-" in blob and "+" not in blob)
    first, last = _secret_only_span(start, len(STS_TOKEN))
    # Only where the token starts a 3-byte group does the blob hold the token's own Base64 (but
    # for its last character): elsewhere no form of the token alone matches.
    shown = scrub("EncodedDiagnosticMessage: %s." % blob, [STS_TOKEN])
    # Exactly the characters that depend on the token alone are masked; the rest of the blob stays.
    assert shown == "EncodedDiagnosticMessage: %s%s%s." % (blob[:first], REDACTED, blob[last:])
    # The residue: at most one character at each end of the token's span, mixing its bits with others'.
    assert last - first >= len(_b64(STS_TOKEN).rstrip("=")) - 2


@pytest.mark.parametrize("offset", [0, 1, 2])
def test_a_token_in_a_base64_blob_that_is_then_json_escaped_or_percent_encoded_is_masked(offset):
    blob, start = _in_blob(offset, base64.b64encode)
    first, last = _secret_only_span(start, len(STS_TOKEN))
    for shown in (blob.replace("/", "\\/").replace("+", "\\u002B"), percent_encode(blob)):
        text = scrub(shown, [STS_TOKEN])
        assert REDACTED in text
        assert not [run for run in _runs(blob[first:last]) if run in text]


def test_the_base64_runs_are_literal_forms_too_for_literal_maskers():
    # Ansible's no_log_values matches literally: it gets the runs of each alignment as forms.
    forms = secret_forms([STS_TOKEN])
    for offset in (0, 1, 2):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            blob, start = _in_blob(offset, encode)
            first, last = _secret_only_span(start, len(STS_TOKEN))
            assert blob[first:last] in forms


def test_the_list_of_forms_given_as_secrets_masks_as_much_as_the_secrets():
    # The gate scrubs with secret_forms' list as the secrets: it must mask what the secrets do,
    # forms that list does not hold included.
    forms = secret_forms([STS_TOKEN, "UnitSecret/Value+01"])
    for text in (_json_escape_every(STS_TOKEN), _in_blob(1, base64.b64encode)[0], quote_plus(quote(STS_TOKEN))):
        assert scrub(text, forms) == scrub(text, [STS_TOKEN]) != text
    assert scrub_all({"a": [_json_escape_every("UnitSecret/Value+01")]}, forms) == {"a": [REDACTED]}


def test_scrub_all_masks_every_form_that_scrub_masks():
    value = {"message": "token %s" % STS_TOKEN.replace("/", "\\/"), "list": [_in_blob(2, base64.b64encode)[0]],
             "key %s" % percent_encode(STS_TOKEN): ("a", 1)}
    cleaned = scrub_all(value, [STS_TOKEN])
    assert cleaned == {"message": "token %s" % REDACTED, "list": [scrub(value["list"][0], [STS_TOKEN])],
                       "key %s" % REDACTED: ["a", 1]}
    assert not [run for run in _runs(STS_TOKEN) if run in json.dumps(cleaned)]


@pytest.mark.parametrize("value", ["", "ab", "abc", None, 12345, b"bytes-secret"])
def test_a_secret_too_short_or_not_text_masks_nothing(value):
    text = "abc ab a 12345 bytes-secret"
    assert scrub(text, [value]) == text
    assert scrub_all({"k": text}, [value]) == {"k": text}
    assert secret_forms([value]) == []


def test_a_secret_of_four_characters_is_masked_only_where_it_stands():
    assert scrub("abcd abc bcd abcdabcd %61bcd", ["abcd"]) == "%s abc bcd %s%s %s" % ((REDACTED,) * 4)


def test_a_neighbour_that_looks_like_an_encoding_is_left_alone():
    # A "%" or a backslash next to the secret is text, not part of a form of it.
    text = "a%2F" + STS_TOKEN + "\\u0020b%25"
    assert scrub(text, [STS_TOKEN]) == "a%2F" + REDACTED + "\\u0020b%25"


def test_a_space_in_a_secret_matches_its_form_encodings():
    secret = "Unit Secret Value"
    for shown in ("Unit+Secret+Value", "Unit%20Secret%2BValue", "Unit%2520Secret%252BValue", "Unit\\u0020Secret Value"):
        assert scrub("[%s]" % shown, [secret]) == "[%s]" % REDACTED, shown


def test_a_character_beyond_the_bmp_matches_its_json_surrogate_pair():
    secret = "Unit\U0001f511Key"
    assert scrub(json.dumps(secret), [secret]) == '"%s"' % REDACTED
    assert scrub(quote(quote(secret)), [secret]) == REDACTED


def test_a_secret_with_pattern_characters_is_taken_literally():
    secret = "a.b*c(d)[e]|f^g$h\\i?"
    assert scrub("x %s y axb*c(d)[e]|f^g$h\\i? z" % secret, [secret]) == "x %s y axb*c(d)[e]|f^g$h\\i? z" % REDACTED
    assert re.escape(secret) != secret
