# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import resolve_endpoint


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
