# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import random
import string

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import signer

openapi_util = pytest.importorskip("alibabacloud_openapi_util.client")


class _Request:
    """The attributes alibabacloud_openapi_util reads from a tea request."""

    def __init__(self, method, query, headers):
        self.method = method
        self.pathname = "/"
        self.query = query
        self.headers = headers


def test_v3_reproduces_the_published_vector():
    headers = {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": signer.EMPTY_BODY_SHA256,
    }
    query = {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"}
    signature, signed_headers, hashed = signer.v3_sign("YourAccessKeySecret", "POST", "/", query, headers,
                                                       signer.EMPTY_BODY_SHA256)
    assert hashed == "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    assert signature == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    assert signed_headers == "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"


def test_v1_reproduces_the_published_vector():
    params = {
        "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
    }
    assert signer.v1_sign("testsecret", "GET", params) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_v1_ignores_a_signature_already_among_the_parameters():
    params = {"Action": "OnsMessageTrace", "Timestamp": "2016-02-23T12:46:24Z"}
    with_signature = dict(params, Signature="stale")
    assert signer.v1_sign("s", "POST", params) == signer.v1_sign("s", "POST", with_signature)


@pytest.mark.parametrize("raw, encoded", [
    ("a b", "a%20b"), ("a*b", "a%2Ab"), ("a~b", "a~b"), ("a+b", "a%2Bb"), ("é", "%C3%A9"), ("a/b", "a%2Fb"), (7, "7"),
])
def test_percent_encode_follows_rfc3986(raw, encoded):
    assert signer.percent_encode(raw) == encoded


def _random_text(rng, alphabet, low, high):
    return "".join(rng.choice(alphabet) for dummy in range(rng.randint(low, high)))


VALUE_ALPHABET = string.ascii_letters + string.digits + " -_.~!*'()%&=+/:;,@#$?[]{}|\\^\"<>" + "中文é€"
KEY_ALPHABET = string.ascii_letters + string.digits + "."


def _random_query(rng):
    return dict((_random_text(rng, KEY_ALPHABET, 1, 12), _random_text(rng, VALUE_ALPHABET, 0, 24))
                for dummy in range(rng.randint(0, 6)))


def test_v3_matches_the_official_util_on_random_inputs():
    rng = random.Random(20190214)
    for dummy in range(300):
        query = _random_query(rng)
        secret = _random_text(rng, VALUE_ALPHABET, 1, 40)
        key_id = _random_text(rng, string.ascii_letters + string.digits, 8, 30)
        headers = signer.v3_headers(key_id, secret, "ons.cn-hangzhou.aliyuncs.com", "OnsConsumerGetConnection",
                                    "2019-02-14", query, "2026-11-21T10:00:00Z", "%032x" % rng.getrandbits(128),
                                    security_token=rng.choice([None, _random_text(rng, VALUE_ALPHABET, 5, 60)]))
        ours = headers.pop("Authorization")
        official = openapi_util.Client.get_authorization(_Request("POST", query, headers), "ACS3-HMAC-SHA256",
                                                         headers["x-acs-content-sha256"], key_id, secret)
        assert ours == official


def test_v1_matches_the_official_util_on_random_inputs():
    rng = random.Random(14)
    for dummy in range(300):
        params = _random_query(rng)
        params.pop("Signature", None)
        secret = _random_text(rng, VALUE_ALPHABET, 1, 40)
        method = rng.choice(["GET", "POST"])
        assert signer.v1_sign(secret, method, params) == openapi_util.Client.get_rpcsignature(params, method, secret)


def test_v1_params_add_the_common_parameters_and_sign_them():
    signed = signer.v1_params("id", "secret", "OnsMessageTrace", "2019-02-14", {"Topic": "orders"},
                              "2026-11-21T10:00:00Z", "nonce-1", security_token="token")
    assert signed["SignatureMethod"] == "HMAC-SHA1" and signed["SignatureVersion"] == "1.0"
    assert signed["SecurityToken"] == "token" and signed["Format"] == "JSON"
    assert signed["Signature"] == openapi_util.Client.get_rpcsignature(
        dict((k, v) for k, v in signed.items() if k != "Signature"), "POST", "secret")


def test_v3_headers_sign_the_security_token():
    headers = signer.v3_headers("id", "secret", "h", "A", "2019-02-14", {}, "2026-11-21T10:00:00Z", "n",
                                security_token="tok")
    assert "x-acs-security-token" in headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
