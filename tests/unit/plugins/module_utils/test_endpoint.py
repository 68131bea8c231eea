# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import resolve_endpoint
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import REDACTED, scrub


@pytest.mark.parametrize("region, network, endpoint, url", [
    ("cn-hangzhou", "public", None, "https://ons.cn-hangzhou.aliyuncs.com"),
    ("ap-southeast-1", "vpc", None, "https://ons-vpc.ap-southeast-1.aliyuncs.com"),
    ("cn-hangzhou", "vpc", "ons.example.internal", "https://ons.example.internal"),
    (None, "public", "127.0.0.1:8080", "https://127.0.0.1:8080"),
    (None, "public", "http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    (None, "public", "https://[::1]:8443", "https://[::1]:8443"),
])
def test_endpoint_comes_from_region_and_network_unless_given(region, network, endpoint, url):
    assert resolve_endpoint(region, network, endpoint) == url


@pytest.mark.parametrize("region, endpoint, message", [
    (None, None, "no region: set the option region"),
    ("Hangzhou", None, "region 'Hangzhou' is not a region ID"),
    ("cn-hangzhou.evil.com/x", None, "is not a region ID"),
    (None, "ftp://host", "endpoint 'ftp://host' is not valid"),
    (None, "http://host/path", "without path or query"),
    (None, "http://user:pw@host", "is not valid"),
    (None, "host name with spaces", "is not valid"),
])
def test_bad_endpoint_input_names_the_parameter(region, endpoint, message):
    with pytest.raises(ValueError, match=message):
        resolve_endpoint(region, "public", endpoint)


@pytest.mark.parametrize("endpoint, url", [
    ("ons.cn-hangzhou.aliyuncs.com", "https://ons.cn-hangzhou.aliyuncs.com"),
    ("HTTPS://ONS.Example.Internal:443/", "https://ons.example.internal:443"),
    ("[2001:db8::1]:8080", "https://[2001:db8::1]:8080"),
    ("http://localhost:65535", "http://localhost:65535"),
    ("10.0.0.1:1", "https://10.0.0.1:1"),
    (".".join(["a" * 63] * 3) + "." + "b" * 61, "https://" + ".".join(["a" * 63] * 3) + "." + "b" * 61),
])
def test_every_valid_form_of_endpoint_is_accepted(endpoint, url):
    assert resolve_endpoint(None, "public", endpoint) == url


@pytest.mark.parametrize("endpoint, problem", [
    (".".join(["a" * 63] * 4) + ".com", "more than 253"),
    ("a" * 64 + ".com", "is not a DNS label"),
    ("http://127.0.0.1:0", "port must be a number from 1 to 65535"),
    ("http://127.0.0.1:65536", "port must be a number from 1 to 65535"),
    ("https://[::1%eth0]", "zone ID"),
    ("https://[::g]", "is not an IPv6 address"),
    ("256.1.1.1", "is not an IPv4 address"),
    ("ons.example.com\r\nX-Injected: 1", "holds spaces, control or non-ASCII characters"),
    ("ons.b\u00fccher.de", "holds spaces, control or non-ASCII characters"),
])
def test_an_endpoint_is_checked_fully_before_use(endpoint, problem):
    with pytest.raises(ValueError, match=r"^endpoint .*%s.*; give a host name" % problem):
        resolve_endpoint(None, "public", endpoint)


@pytest.mark.parametrize("region", ["cn-hangzhou\n", "cn-" + "a" * 61, "cn-hangzhou\r\n"])
def test_a_region_must_be_one_dns_label_to_its_true_end(region):
    with pytest.raises(ValueError, match="^region .*use a region ID such as cn-hangzhou"):
        resolve_endpoint(region, "public", None)


def _runs_shown(secret, text, run=8):
    return [secret[i:i + run] for i in range(len(secret) - run + 1) if secret[i:i + run] in text]


def test_a_region_too_long_to_quote_is_described_never_cut():
    # A long token pasted into the option region: quoting its first 300 characters would show a
    # piece that the caller's masking (client.open_client scrubs the error) cannot recognise.
    token = "CAIS" + "".join("Tk%03d+/" % i for i in range(60))
    with pytest.raises(ValueError, match=r"^region \(a value of 424 characters, too long to quote\) is not a region ID") as info:
        resolve_endpoint(token, "public", None)
    assert _runs_shown(token, scrub(str(info.value), [token])) == []


def test_a_bad_host_label_is_quoted_whole_so_that_masking_finds_it():
    token = "CAIS" + "".join("Tk%03d" % i for i in range(20)) + "+Sts="
    with pytest.raises(ValueError, match="is not a DNS label") as info:
        resolve_endpoint(None, "public", "https://%s.example.com" % token)
    shown = scrub(str(info.value), [token])
    assert _runs_shown(token, shown) == [] and shown.count(REDACTED) == 2
