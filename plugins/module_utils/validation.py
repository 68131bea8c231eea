# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""Checks of the connection options before anything is sent.

Every check raises ValueError with a message that names the option, says what is wrong with the
value and what is accepted. Values are checked fully here so that nothing malformed reaches the
HTTP library, where it would fail with an error that names neither the option nor the cause.
"""

import decimal
import ipaddress
import os
import re
import ssl

# Bounds of the numeric options: finite, and small enough for the platform's time functions.
TIMEOUT_MAX = 600.0
RATE_LIMIT_MIN = 0.1
RATE_LIMIT_MAX = 1000.0
RETRIES_MAX = 20

# A region ID is one DNS label: ons.<region>.aliyuncs.com.
REGION_PATTERN = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
DNS_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
HOST_MAX = 253
LABEL_MAX = 63
# scheme://, host (a name, an IPv4 address or a bracketed IPv6 literal), :port, an optional "/".
ENDPOINT_PATTERN = re.compile(r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
                              r"(?P<host>\[[^\]]*\]|[^:/\[\]@?#]*)(?::(?P<port>[^/]*))?(?P<rest>.*)", re.S)
ENDPOINT_ACCEPTED = ("give a host name (ons.cn-hangzhou.aliyuncs.com), host:port, [IPv6]:port, or a URL "
                     "http(s)://host[:port] without path or query, in ASCII without spaces")
# A CA bundle bigger than this is not a bundle of CA certificates.
CA_BUNDLE_MAX_BYTES = 16 * 1024 * 1024
PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
# C0 controls, DEL and C1 controls: never part of an option that ends up in a URL or a header.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
# The longest value an error quotes. A longer one is described, never cut: a secret pasted into the
# wrong option and cut would match no form of it when the caller masks its secrets in the error.
QUOTE_MAX = 300
# A number of more digits than this is shown shortened in messages (1000\u2026(401 digits)): it is
# beyond every bound here (a 64-bit figure has at most 19), and Python refuses to print an int of
# more than 4300 digits at all.
SHOWN_DIGITS = 20
# The leading digits a shortened number keeps: enough to tell 1000... from 9999....
LEADING_DIGITS = 4
# Numbers beyond this are not read as floats (float's own limit is about 1.8e308).
FLOAT_RANGE = 10 ** 300
# The text of a whole number; leading zeros are stripped after matching (in the pattern they would
# make a long non-number backtrack quadratically).
_WHOLE_TEXT = re.compile(r"\s*([+-]?)([0-9]+)\s*")


def _digit_count(number):
    """The number of decimal digits of the int ``number`` >= 1, counted without printing it."""
    # (bits - 1) * log10(2), corrected below where the float estimate is one off.
    digits = int((number.bit_length() - 1) * 0.30102999566398120) + 1
    power = 10 ** (digits - 1)
    while power > number:
        digits -= 1
        power //= 10
    while power * 10 <= number:
        digits += 1
        power *= 10
    return digits


def is_long_number(value):
    """Whether ``value`` is an int, or the text of a whole number, of more than SHOWN_DIGITS digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) >= 10 ** SHOWN_DIGITS
    if isinstance(value, str):
        match = _WHOLE_TEXT.fullmatch(value)
        return bool(match) and len(match.group(2).lstrip("0")) > SHOWN_DIGITS
    return False


def number_text(value):
    """``value`` as a message shows it; a number too long to read is shortened to ``1000\u2026(401 digits)``.

    It never fails: Python refuses to print an int of more than 4300 digits, and the message that
    says what is wrong with a value must not fail in its turn. Other text longer than QUOTE_MAX is
    described by its length, never cut (see QUOTE_MAX).
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        if not is_long_number(value):
            return str(value)
        digits = _digit_count(abs(value))
        return "%s%d\u2026(%d digits)" % ("-" if value < 0 else "", abs(value) // 10 ** (digits - LEADING_DIGITS), digits)
    if isinstance(value, str) and is_long_number(value):
        sign, digits = _WHOLE_TEXT.fullmatch(value).groups()
        digits = digits.lstrip("0")
        return "%s%s\u2026(%d digits)" % (sign, digits[:LEADING_DIGITS], len(digits))
    try:
        text = str(value)
    except Exception:  # pylint: disable=broad-except
        # A list holding such a number, or an object whose text fails.
        return "a %s that cannot be shown" % type(value).__name__
    return text if len(text) <= QUOTE_MAX else "(a value of %d characters, too long to quote)" % len(text)


def decimal_number(value):
    """``value`` as an exact decimal.Decimal when it is a number or the text of one; else None.

    Unlike float() it neither overflows nor rounds, and unlike int() it reads text of any length,
    so that a bound is checked before anything converts the value. Booleans are not numbers.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return decimal.Decimal(str(value) if isinstance(value, str) else value)
    except (decimal.DecimalException, ValueError, TypeError):
        return None


def float_number(value):
    """``value`` as a finite float, as Ansible's ``float`` reads it, when it is a number of float's range; else None.

    float() itself overflows on an int beyond its range; such a number is beyond every bound anyway.
    """
    if isinstance(value, bool):
        # As float() reads it, as before: the bounds decide.
        return float(value)
    number = decimal_number(value)
    # copy_abs and comparisons are exact; abs() would apply the decimal context and overflow.
    if number is None or not number.is_finite() or number.copy_abs() > FLOAT_RANGE:
        return None
    return float(number)


def whole_number(value):
    """``value`` as an int when it is a whole number below 2**63, read as Ansible's ``int`` reads it (``"5"``, ``5.0``).

    Anything else is returned as it is, for the option's check to refuse it by name: converting
    ``"1e999999999"`` as Ansible does would build a number of a billion digits first.
    """
    if isinstance(value, int):
        return value
    number = decimal_number(value)
    if number is None or not number.is_finite() or number.copy_abs() >= 2 ** 63 or number != number.to_integral_value():
        return value
    return int(number)


def _number(name, value, low, high, accepted, low_inclusive=True):
    """Return ``value`` as a float when it is finite and within [low, high]; else raise ValueError."""
    number = float_number(value)
    inside = number is not None and (number >= low if low_inclusive else number > low) and number <= high
    if not inside:
        raise ValueError("%s is %s: use %s" % (name, number_text(value), accepted))
    return number


def check_timeout(value):
    """Return the option ``timeout`` as seconds: above 0 and at most TIMEOUT_MAX."""
    return _number("timeout", value, 0.0, TIMEOUT_MAX,
                   "a number of seconds above 0 and at most %d" % TIMEOUT_MAX, low_inclusive=False)


def check_rate_limit(value):
    """Return the option ``rate_limit`` as calls per second, from RATE_LIMIT_MIN to RATE_LIMIT_MAX."""
    return _number("rate_limit", value, RATE_LIMIT_MIN, RATE_LIMIT_MAX,
                   "a number of requests per second from %s to %d" % (RATE_LIMIT_MIN, RATE_LIMIT_MAX))


def check_retries(value):
    """Return the option ``retries``: a whole number from 0 to RETRIES_MAX."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RETRIES_MAX:
        raise ValueError("retries is %s: use a whole number from 0 to %d" % (number_text(value), RETRIES_MAX))
    return value


def _quoted(value):
    """``value`` as an error quotes it: whole (repr) up to QUOTE_MAX characters, else only its length."""
    return repr(value) if len(value) <= QUOTE_MAX else "(a value of %d characters, too long to quote)" % len(value)


def _clean_text(name, value, accepted):
    """Refuse text that is not ASCII or holds whitespace or control characters."""
    if not isinstance(value, str):
        raise ValueError("%s %r is not valid: %s" % (name, value, accepted))
    if not value.isascii() or re.search(r"\s", value) or CONTROL_CHARACTERS.search(value):
        raise ValueError("%s %s is not valid: it holds spaces, control or non-ASCII characters; %s" % (
            name, _quoted(value), accepted))


def check_region(value):
    """Return ``value`` if it is a region ID such as ``cn-hangzhou`` (one DNS label)."""
    accepted = "use a region ID such as cn-hangzhou or ap-southeast-1 (lower-case letters, digits and hyphens, " \
               "at most %d characters)" % LABEL_MAX
    _clean_text("region", value, accepted)
    if len(value) > LABEL_MAX or not REGION_PATTERN.fullmatch(value):
        raise ValueError("region %s is not a region ID: %s" % (_quoted(value), accepted))
    return value


def _host_problem(host):
    """Return why ``host`` is no valid host (a DNS name, IPv4 address or bracketed IPv6 literal), or None."""
    if not host:
        return "it has no host"
    if host.startswith("["):
        if "%" in host:
            return "%s has a zone ID, which a URL's host cannot carry" % host
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return "%s is not an IPv6 address" % host
        return None
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return "%s is not an IPv4 address" % host
        return None
    if len(host) > HOST_MAX:
        return "the host name has %d characters, more than %d" % (len(host), HOST_MAX)
    for label in host.split("."):
        if not DNS_LABEL.fullmatch(label):
            # Quoted whole (the host is at most HOST_MAX long): a cut label would escape the masking.
            return "%r is not a DNS label (1 to %d letters, digits and inner hyphens)" % (label, LABEL_MAX)
    return None


def parse_endpoint(value, name="endpoint"):
    """Return ``(scheme, host, port)`` of the option ``endpoint`` (or the one ``name`` says); the scheme defaults to https, the port to None.

    Accepts a host name, an IPv4 address or a bracketed IPv6 literal, with an optional port
    1..65535, and an optional ``http://``/``https://`` scheme and trailing ``/``.
    """
    _clean_text(name, value, ENDPOINT_ACCEPTED)
    match = ENDPOINT_PATTERN.fullmatch(value)
    if not match:
        raise ValueError("%s %r is not valid: %s" % (name, value, ENDPOINT_ACCEPTED))
    scheme = (match.group("scheme") or "https").lower()
    if scheme not in ("http", "https"):
        raise ValueError("%s %r is not valid: the scheme must be http or https; %s" % (name, value, ENDPOINT_ACCEPTED))
    if match.group("rest") not in ("", "/"):
        raise ValueError("%s %r is not valid: %s" % (name, value, ENDPOINT_ACCEPTED))
    problem = _host_problem(match.group("host"))
    if problem:
        raise ValueError("%s %r is not valid: %s; %s" % (name, value, problem, ENDPOINT_ACCEPTED))
    port = match.group("port")
    if port is not None:
        if not re.fullmatch(r"[0-9]{1,5}", port) or not 1 <= int(port) <= 65535:
            raise ValueError("%s %r is not valid: the port must be a number from 1 to 65535; %s" % (
                name, value, ENDPOINT_ACCEPTED))
        port = int(port)
    return scheme, match.group("host").lower(), port


def check_ca_bundle(path):
    """Return ``path`` if it is a readable file holding at least one PEM certificate that TLS can load."""
    accepted = "give the path of a readable PEM file of CA certificates (-----BEGIN CERTIFICATE-----)"
    if not isinstance(path, str) or not path:
        raise ValueError("ca_bundle %r is not valid: %s" % (path, accepted))
    if not os.path.isfile(path):
        raise ValueError("ca_bundle %s %s: %s" % (
            path, "is not a file" if os.path.exists(path) else "does not exist", accepted))
    try:
        with open(path, "rb") as handle:
            content = handle.read(CA_BUNDLE_MAX_BYTES + 1)
    except (IOError, OSError) as exc:
        raise ValueError("ca_bundle %s cannot be read (%s): %s" % (path, exc.strerror or type(exc).__name__, accepted))
    if len(content) > CA_BUNDLE_MAX_BYTES or PEM_CERTIFICATE not in content:
        raise ValueError("ca_bundle %s holds no PEM certificate: %s" % (path, accepted))
    try:
        ssl.create_default_context(purpose=ssl.Purpose.SERVER_AUTH).load_verify_locations(cafile=path)
    except (ssl.SSLError, ValueError, OSError) as exc:
        raise ValueError("ca_bundle %s holds no certificate TLS can load (%s): %s" % (
            path, getattr(exc, "reason", None) or type(exc).__name__, accepted))
    return path


def credential_problem(value, header=True):
    """Return why ``value`` (an access key ID, secret or token) cannot be sent, or None.

    ``header``: the value travels in an HTTP header (the key ID and the token do), where only
    printable ASCII without spaces is safe. The problem never quotes the value.
    """
    if not isinstance(value, str):
        return "is a %s, not a string" % type(value).__name__
    if CONTROL_CHARACTERS.search(value):
        return "holds a newline or other control character"
    if header and (not value.isascii() or re.search(r"\s", value)):
        return "holds spaces or non-ASCII characters"
    return None
