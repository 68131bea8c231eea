# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import MAX_TAGS, tag_parameters


def test_tags_become_numbered_parameters_in_order():
    assert tag_parameters({"app": "orders", "env": 1, "note": ""}) == {
        "Tag.1.Key": "app", "Tag.1.Value": "orders",
        "Tag.2.Key": "env", "Tag.2.Value": "1",
        "Tag.3.Key": "note", "Tag.3.Value": "",
    }


@pytest.mark.parametrize("tags, message", [
    (dict(("k%d" % n, "v") for n in range(MAX_TAGS + 1)), "has 21 tags: use at most 20"),
    ({"": "v"}, "key is empty"),
    ({"acs:owner": "v"}, "not starting with acs: or aliyun"),
    ({"app": "aliyun-x"}, "value of key 'app' 'aliyun-x' is not valid"),
    ({"app": "see https://example.com"}, "without http:// or https://"),
    ({"app": True}, "value of key 'app' is a bool"),
    ({"app": None}, "value of key 'app' is null"),
    ({"k" * 129: "v"}, "at most 128 characters"),
])
def test_tags_the_api_refuses_are_named(tags, message):
    with pytest.raises(ValueError, match=message):
        tag_parameters(tags)
