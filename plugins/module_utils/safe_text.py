# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""Making text safe to show: secrets masked in every encoding, and no character a terminal or the controller chokes on.

The API quotes what it received in some errors (``SignatureDoesNotMatch`` carries the server's string
to sign, where a V1 request's STS token is percent-encoded twice), so a secret must be masked in each
form a request or an answer can carry it, not only as typed: percent-encoded once or twice,
JSON-escaped, Base64-encoded on its own or inside a longer blob, and any mixture of these.

Mask before cutting: a text cut first may end in the middle of a secret, and the piece left matches
no form. Whatever quotes the start of a text takes the secrets and masks them first (see
client.quote_body).
"""

import base64
import functools
import re
from urllib.parse import quote, quote_plus

REDACTED = "********"
# A shorter secret would mask every "abc" in the text; no credential the API issues is this short.
MIN_SECRET_LENGTH = 4
# Lone surrogates are valid in JSON ("\ud800") but not in UTF-8: the controller refuses such a result.
_SURROGATES = re.compile("[\ud800-\udfff]")
# C0 controls but tab and newline, DEL and C1 controls: they can drive a terminal (ESC, BEL, CSI ...).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The percent-encodings of the signer (RFC 3986: only -_.~ literal) and of common URL encoders.
_SAFE_SETS = ("-_.~", "", "/", "-_.")
# JSON's two-character escapes besides \uXXXX ("\/" is optional in JSON, and some servers write it).
_JSON_SHORT_ESCAPES = {"/": "/", '"': '"', "\\": "\\", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t"}
_URLSAFE = str.maketrans("+/", "-_")
# The characters that can make up a form of Base64: its two alphabets and padding, and the "%" and
# backslash of percent-encoding and JSON escapes (whose other characters are letters and digits).
_BASE64_FORM_CHARACTERS = r"[A-Za-z0-9+/=_%\\-]"


def _is_secret(value):
    return isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH


def _encodings(text):
    forms = set()
    for safe in _SAFE_SETS:
        forms.add(quote(text, safe=safe))
    forms.add(quote_plus(text))
    return forms


def _base64_runs(secret):
    """Return ``(runs, tail)``: how the Base64 of ``secret`` shows, alone or inside a longer text.

    Inside a longer text, the Base64 of the secret depends on where it starts: its byte offset
    mod 3 decides how its bits fall into the 6-bit characters. For each of the three alignments,
    ``runs`` holds the characters whose 6 bits all come from the secret (standard alphabet): they
    are the same whatever surrounds the secret. ``tail`` is what the secret's own Base64 has past
    the first run: its last character and padding.

    Residue, for a secret inside a longer blob: the one character at each end of a run that mixes
    bits of the secret with bits of its neighbours (at most 4 bits of the secret each) stays.
    Base64 wrapped into lines is not recognised across a line break.
    """
    raw = secret.encode("utf-8", "surrogatepass")
    runs = []
    for shift in (0, 1, 2):
        # Zero bytes stand in for the unknown neighbours; only characters clear of them are kept.
        encoded = base64.b64encode(b"\0" * shift + raw + b"\0\0").decode("ascii")
        runs.append(encoded[-(-8 * shift // 6):(8 * (shift + len(raw))) // 6])
    return runs, base64.b64encode(raw).decode("ascii")[len(runs[0]):]


def _base64_pieces(secret):
    """Return the literal Base64 texts of ``secret`` (see _base64_runs): alone, padded and not, and the runs; both alphabets."""
    runs, tail = _base64_runs(secret)
    whole = runs[0] + tail
    pieces = [whole, whole.rstrip("=")] + runs
    return [piece for piece in pieces + [piece.translate(_URLSAFE) for piece in pieces] if piece]


def secret_forms(secrets):
    """Return literal forms in which ``secrets`` may appear in text, longest first.

    Raw; percent-encoded with each set of safe characters, with upper- and lower-case hex; the same
    encoded twice; Base64 (standard and URL-safe, with and without padding), also the runs that
    show inside a longer Base64 blob (see _base64_pieces); raw and Base64 with ``/`` written ``\\/``
    as some JSON encoders do. For literal matchers such as Ansible's ``no_log_values``: scrub
    masks more (any mixture of the encodings, any character JSON-escaped) than this list holds.
    Values that are not text or shorter than MIN_SECRET_LENGTH are left out.
    """
    forms = set()
    for secret in secrets:
        if not _is_secret(secret):
            continue
        once = _encodings(secret)
        twice = set()
        for form in once:
            twice |= _encodings(form)
        encoded = once | twice
        forms.add(secret)
        forms.add(secret.replace("/", "\\/"))
        for form in encoded:
            forms.add(form)
            # Some servers lower-case the hex digits of what they echo.
            forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form))
        pieces = _base64_pieces(secret)
        for text in pieces:
            forms.add(text)
            forms.add(text.replace("/", "\\/"))
        for text in pieces[:4]:
            forms |= _encodings(text)
    return sorted((form for form in forms if form), key=len, reverse=True)


def _hex_digits(value, width):
    # Either case of each hex digit: "2B" -> "2[Bb]".
    return "".join("[%s%s]" % (digit, digit.lower()) if digit.isalpha() else digit
                   for digit in "%0*X" % (width, value))


@functools.lru_cache(maxsize=1024)
def _char_pattern(char):
    """The regular expression of one character of a secret in each form it may take in text.

    Raw; JSON-escaped as ``\\uXXXX`` (either case of hex, a surrogate pair beyond the BMP) or with
    a two-character escape; percent-encoded once or twice per UTF-8 byte (``%2B``, ``%252b``);
    a space also as ``+`` (form encoding) and that ``+`` percent-encoded.
    """
    code = ord(char)
    if code < 0x10000:
        units = [code]
    else:
        units = [0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)]
    alternatives = [re.escape(char), "".join("\\\\u" + _hex_digits(unit, 4) for unit in units)]
    if char in _JSON_SHORT_ESCAPES:
        alternatives.append("\\\\" + re.escape(_JSON_SHORT_ESCAPES[char]))
    alternatives.append("".join("%(?:25)?" + _hex_digits(byte, 2) for byte in char.encode("utf-8", "surrogatepass")))
    if char == " ":
        alternatives.append("\\+|%(?:25)?2[Bb]")
    return "(?:%s)" % "|".join(alternatives)


def _base64_pattern(text):
    # A character of either alphabet: "+" or "-", "/" or "_", each in every form of _char_pattern.
    return "".join("(?:%s|%s)" % (_char_pattern(char), _char_pattern(char.translate(_URLSAFE))) if char in "+/"
                   else _char_pattern(char) for char in text)


def _compile(alternatives):
    """One regular expression of ``alternatives`` (first characters, pattern), tried in that order."""
    # A match starts with one of those characters, a backslash (JSON) or "%": checking that one
    # character first spares trying every alternative at every position (about 4 times faster).
    starts = set("\\%")
    for first, dummy in alternatives:
        starts |= set(first)
    return re.compile("(?=[%s])(?:%s)" % ("".join(re.escape(char) for char in sorted(starts)),
                                          "|".join(pattern for dummy, pattern in alternatives)))


class _SecretMasker:
    """Masks every form of one secret (see scrub).

    Two patterns: the secret's own forms, compiled at once, and its Base64 forms, compiled when a
    text first holds a run of characters long enough to be one. Compiling the second takes about
    four times as long as the first (some 0.15 s for a token of 1200 characters), and module
    results, short strings, seldom need it.
    """

    def __init__(self, secret):
        self.plain = _compile([(secret[0] + ("+" if secret[0] == " " else ""),
                                "".join(_char_pattern(char) for char in secret))])
        self._runs, self._tail = _base64_runs(secret)
        # Any form of a run (escaped, percent-encoded) is a run of _BASE64_FORM_CHARACTERS at least
        # as long as the shortest run. Tried only where such a run starts, the search stays linear.
        self._may_hold_base64 = re.compile("(?<!%s)%s{%d}" % (
            _BASE64_FORM_CHARACTERS, _BASE64_FORM_CHARACTERS, min(len(run) for run in self._runs))).search
        self._base64 = None

    def _base64_pattern(self):
        if self._base64 is None:
            alternatives = []
            for index, run in enumerate(self._runs):
                pattern = _base64_pattern(run)
                if index == 0 and self._tail:
                    # The secret's own Base64: the run, then its last character and padding if they follow.
                    ends = [self._tail] + ([self._tail.rstrip("=")] if self._tail.rstrip("=") else [])
                    pattern += "(?:%s)?" % "|".join(_base64_pattern(end) for end in ends)
                if run:
                    alternatives.append((len(run), run[0] + run[0].translate(_URLSAFE), pattern))
            # At one position the longest form is tried first.
            alternatives.sort(key=lambda item: item[0], reverse=True)
            # A race between threads compiles it twice, to the same result.
            self._base64 = _compile([(first, pattern) for dummy, first, pattern in alternatives])
        return self._base64

    def sub(self, text):
        """Return ``text`` with every form of the secret replaced by REDACTED."""
        text = self.plain.sub(REDACTED, text)
        if self._may_hold_base64(text):
            text = self._base64_pattern().sub(REDACTED, text)
        return text

    def fullmatch(self, text):
        """Tell whether ``text`` is, as a whole, one form of the secret."""
        if self.plain.fullmatch(text):
            return True
        return self._may_hold_base64(text) and self._base64_pattern().fullmatch(text) is not None


@functools.lru_cache(maxsize=256)
def _masker(secret):
    return _SecretMasker(secret)


@functools.lru_cache(maxsize=64)
def _maskers(secrets):
    """The maskers to apply for the tuple ``secrets``, longest secret first.

    A secret that is itself a form of another (the gate passes secret_forms' list) adds nothing
    and is dropped, which keeps the number of passes to the number of distinct secrets.
    """
    kept = []
    for secret in sorted(set(secrets), key=lambda secret: (len(secret), secret)):
        if not any(masker.fullmatch(secret) for dummy, masker in kept):
            kept.append((secret, _masker(secret)))
    return tuple(masker for dummy, masker in sorted(kept, key=lambda item: len(item[0]), reverse=True))


def _maskers_of(secrets):
    return _maskers(tuple(secret for secret in (secrets or ()) if _is_secret(secret)))


def scrub(text, secrets):
    """Return ``text`` with every form of each of ``secrets`` replaced by REDACTED.

    A form is the secret with each character raw, JSON-escaped (``\\uXXXX`` in either case,
    ``\\/``), percent-encoded once or twice (either case of hex), a space as ``+``, in any mixture;
    or its Base64 alone or inside a longer blob (see _base64_runs for what that leaves). Values
    that are not text or shorter than MIN_SECRET_LENGTH characters are not masked. The patterns
    are compiled once per tuple of secrets.
    """
    text = text if isinstance(text, str) else str(text)
    for masker in _maskers_of(secrets):
        text = masker.sub(text)
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
    """Return a copy of ``value`` (strings, lists, dicts) with the secrets scrubbed from every string (see scrub)."""
    maskers = _maskers_of(secrets)
    if not maskers:
        return value

    def clean(item):
        if isinstance(item, str):
            for masker in maskers:
                item = masker.sub(item)
            return item
        if isinstance(item, dict):
            return dict((clean(k), clean(v)) for k, v in item.items())
        if isinstance(item, (list, tuple)):
            return [clean(v) for v in item]
        return item

    return clean(value)
