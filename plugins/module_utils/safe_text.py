# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Making text safe to show: secrets masked in every encoding, and no character a terminal or the controller chokes on.

The API quotes what it received in some errors (``SignatureDoesNotMatch`` carries the server's string
to sign, where a V1 request's STS token is percent-encoded twice), so a secret must be masked in each
form a request can carry it, not only as typed.
"""

import base64
import re
from urllib.parse import quote, quote_plus

REDACTED = "********"
# Lone surrogates are valid in JSON ("\ud800") but not in UTF-8: the controller refuses such a result.
_SURROGATES = re.compile("[\ud800-\udfff]")
# C0 controls but tab and newline, DEL and C1 controls: they can drive a terminal (ESC, BEL, CSI ...).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The percent-encodings of the signer (RFC 3986: only -_.~ literal) and of common URL encoders.
_SAFE_SETS = ("-_.~", "", "/", "-_.")


def _encodings(text):
    forms = set()
    for safe in _SAFE_SETS:
        forms.add(quote(text, safe=safe))
    forms.add(quote_plus(text))
    return forms


def secret_forms(secrets):
    """Return every form in which ``secrets`` may appear in text, longest first.

    Raw; percent-encoded with each set of safe characters, with upper- and lower-case hex; the same
    encoded twice; Base64 (standard and URL-safe, with and without padding).
    """
    forms = set()
    for secret in secrets:
        if not secret or not isinstance(secret, str):
            continue
        once = _encodings(secret)
        twice = set()
        for form in once:
            twice |= _encodings(form)
        encoded = once | twice
        forms.add(secret)
        for form in encoded:
            forms.add(form)
            # Some servers lower-case the hex digits of what they echo.
            forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form))
        raw = secret.encode("utf-8")
        for b64 in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            text = b64.decode("ascii")
            forms.add(text)
            forms.add(text.rstrip("="))
            forms |= _encodings(text)
    return sorted((form for form in forms if form), key=len, reverse=True)


def scrub(text, secrets):
    """Return ``text`` with each form of each of ``secrets`` (see secret_forms) replaced by a fixed mask."""
    text = text if isinstance(text, str) else str(text)
    for form in secret_forms(secrets):
        text = text.replace(form, REDACTED)
    return text


def safe_string(text):
    """Return ``text`` with lone surrogates replaced by U+FFFD and control characters (but tab and newline) escaped as ``\\xNN``."""
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    if _CONTROLS.search(text):
        text = _CONTROLS.sub(lambda m: "\\x%02x" % ord(m.group(0)), text)
    return text


def make_safe(value, max_depth=64):
    """Return a copy of the JSON ``value`` with every string (keys too) made safe by safe_string.

    Walks without recursion; a value nested deeper than ``max_depth`` raises ValueError, as no
    answer of the API is.
    """
    root = [value]
    # (container, key or index, value, depth) still to visit; containers are copied as we go.
    todo = [(root, 0, value, 0)]
    while todo:
        parent, slot, item, depth = todo.pop()
        if isinstance(item, str):
            parent[slot] = safe_string(item)
        elif isinstance(item, (dict, list)):
            if depth >= max_depth:
                raise ValueError("nested more than %d levels deep" % max_depth)
            if isinstance(item, dict):
                copy = {}
                for key, child in item.items():
                    key = safe_string(key) if isinstance(key, str) else key
                    copy[key] = None
                    todo.append((copy, key, child, depth + 1))
            else:
                copy = [None] * len(item)
                for index, child in enumerate(item):
                    todo.append((copy, index, child, depth + 1))
            parent[slot] = copy
        else:
            parent[slot] = item
    return root[0]


def scrub_all(value, secrets):
    """Return a copy of ``value`` (strings, lists, dicts) with the secrets scrubbed from every string."""
    forms = secret_forms(secrets)
    if not forms:
        return value

    def clean(item):
        if isinstance(item, str):
            for form in forms:
                item = item.replace(form, REDACTED)
            return item
        if isinstance(item, dict):
            return dict((clean(k), clean(v)) for k, v in item.items())
        if isinstance(item, (list, tuple)):
            return [clean(v) for v in item]
        return item

    return clean(value)
