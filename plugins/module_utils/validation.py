# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the connection options before anything is sent.

Every check raises ValueError with a message that names the option, says what is wrong with the
value and what is accepted. Values are checked fully here so that nothing malformed reaches the
HTTP library, where it would fail with an error that names neither the option nor the cause.
"""

import ipaddress
import math
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


def _number(name, value, low, high, accepted, low_inclusive=True):
    """Return ``value`` as a float when it is finite and within [low, high]; else raise ValueError."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    inside = math.isfinite(number) and (number >= low if low_inclusive else number > low) and number <= high
    if not inside:
        raise ValueError("%s is %s: use %s" % (name, value, accepted))
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
        raise ValueError("retries is %s: use a whole number from 0 to %d" % (value, RETRIES_MAX))
    return value


def _clean_text(name, value, accepted):
    """Refuse text that is not ASCII or holds whitespace or control characters."""
    if not isinstance(value, str):
        raise ValueError("%s %r is not valid: %s" % (name, value, accepted))
    if not value.isascii() or re.search(r"\s", value) or CONTROL_CHARACTERS.search(value):
        raise ValueError("%s %r is not valid: it holds spaces, control or non-ASCII characters; %s" % (
            name, value[:300], accepted))


def check_region(value):
    """Return ``value`` if it is a region ID such as ``cn-hangzhou`` (one DNS label)."""
    accepted = "use a region ID such as cn-hangzhou or ap-southeast-1 (lower-case letters, digits and hyphens, " \
               "at most %d characters)" % LABEL_MAX
    _clean_text("region", value, accepted)
    if len(value) > LABEL_MAX or not REGION_PATTERN.fullmatch(value):
        raise ValueError("region %r is not a region ID: %s" % (value[:300], accepted))
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
            return "%r is not a DNS label (1 to %d letters, digits and inner hyphens)" % (label[:80], LABEL_MAX)
    return None


def parse_endpoint(value):
    """Return ``(scheme, host, port)`` of the option ``endpoint``; the scheme defaults to https, the port to None.

    Accepts a host name, an IPv4 address or a bracketed IPv6 literal, with an optional port
    1..65535, and an optional ``http://``/``https://`` scheme and trailing ``/``.
    """
    _clean_text("endpoint", value, ENDPOINT_ACCEPTED)
    match = ENDPOINT_PATTERN.fullmatch(value)
    if not match:
        raise ValueError("endpoint %r is not valid: %s" % (value, ENDPOINT_ACCEPTED))
    scheme = (match.group("scheme") or "https").lower()
    if scheme not in ("http", "https"):
        raise ValueError("endpoint %r is not valid: the scheme must be http or https; %s" % (value, ENDPOINT_ACCEPTED))
    if match.group("rest") not in ("", "/"):
        raise ValueError("endpoint %r is not valid: %s" % (value, ENDPOINT_ACCEPTED))
    problem = _host_problem(match.group("host"))
    if problem:
        raise ValueError("endpoint %r is not valid: %s; %s" % (value, problem, ENDPOINT_ACCEPTED))
    port = match.group("port")
    if port is not None:
        if not re.fullmatch(r"[0-9]{1,5}", port) or not 1 <= int(port) <= 65535:
            raise ValueError("endpoint %r is not valid: the port must be a number from 1 to 65535; %s" % (
                value, ENDPOINT_ACCEPTED))
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
