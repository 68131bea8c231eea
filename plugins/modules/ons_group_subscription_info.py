#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_group_subscription_info
short_description: Which topics and tags ApsaraMQ for RocketMQ consumer groups subscribe to
version_added: 0.1.0
description:
  - Reads the subscriptions of one or several consumer groups with the ONS API operation
    C(OnsGroupSubDetail) (RAM action C(mq:QueryGroupSubDetail)). It gives, for each topic the group's online
    clients subscribe to, the subscription expression, and the group's message model.
  - The API knows the subscriptions only from online clients, and the call fails with
    C(BIZ_CONSUMER_NOT_ONLINE) while none of the group's clients is online. The module returns such a
    group with RV(groups[].online=false) and no subscriptions, not as a failure.
  - The API requires the instance ID for this operation, so O(instance_id) is required here.
  - Whether every client subscribes alike is told by RV(apsaramq.rocketmq.ons_consumer_status_info#module:groups[].subscription_same).
  - Several groups are queried concurrently, within O(rate_limit).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  instance_id:
    description:
      - ID of the instance the groups belong to, for example C(MQ_INST_1234567890_DEMO).
      - Required, as the API requires it for C(OnsGroupSubDetail).
    type: str
    required: true
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.ons.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_consumer_status_info
"""

EXAMPLES = r"""
- name: Read what the billing group subscribes to
  apsaramq.rocketmq.ons_group_subscription_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_id: GID_billing
  register: billing

- name: Require the billing group to receive the paid orders
  ansible.builtin.assert:
    that:
      - billing.online
      - billing.subscriptions | selectattr('topic', 'equalto', 'orders') | list | length == 1
"""

RETURN = r"""
groups:
  description: One entry per requested group, in the order of O(group_ids) (or the one O(group_id)).
  returned: success
  type: list
  elements: dict
  contains:
    group_id:
      description: ID of the group, as requested.
      type: str
      sample: GID_billing
    instance_id:
      description: ID of the instance, as given in O(instance_id).
      type: str
      sample: MQ_INST_1234567890_DEMO
    message_model:
      description:
        - C(CLUSTERING) (each message to one client of the group) or C(BROADCASTING) (to every client).
        - V(null) when the API does not say.
      type: str
      sample: CLUSTERING
    online:
      description:
        - Whether at least one client of the group is connected.
        - V(false) when the API answered C(BIZ_CONSUMER_NOT_ONLINE); V(null) when the API does not say.
      type: bool
      sample: true
    subscriptions:
      description: One entry per topic the group's online clients subscribe to.
      type: list
      elements: dict
      contains:
        topic:
          description: Name of the topic.
          type: str
          sample: orders
        sub_string:
          description: Subscription expression, C(*) for every tag or tags joined by C(||).
          type: str
          sample: "paid || refunded"
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(groups[].online) is V(false),
          RV(groups[].message_model) V(null) and no subscriptions. The health of the group is then unknown, neither bad nor good.
      type: dict
      sample: null
group_id:
  description: With O(group_id), the ID of the group (the keys of the single entry of RV(groups) are also given at the top level).
  returned: success and O(group_id) is set
  type: str
  sample: GID_billing
instance_id:
  description: With O(group_id), the instance ID given.
  returned: success and O(group_id) is set
  type: str
  sample: MQ_INST_1234567890_DEMO
message_model:
  description: With O(group_id), the group's message model, or V(null) when the API does not say.
  returned: success and O(group_id) is set
  type: str
  sample: CLUSTERING
online:
  description: With O(group_id), whether at least one client is connected.
  returned: success and O(group_id) is set
  type: bool
  sample: true
subscriptions:
  description: With O(group_id), the subscriptions, as in RV(groups[].subscriptions).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - topic: orders
      sub_string: "paid || refunded"
request_id:
  description: With O(group_id), the ID of the API request.
  returned: success and O(group_id) is set
  type: str
  sample: 3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11
error:
  description: With O(group_id), the error of the query when O(fail_on_error=false), as in RV(groups[].error).
  returned: success and O(group_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import NOT_ONLINE, OnsModule, call_or_absent
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.response import get_list, get_object, get_scalar

ACTION = "OnsGroupSubDetail"


def new_entry(instance_id, group_id, request_id=None):
    """Return the entry of a group with nothing known of it: no client online, or a failed query."""
    return {"group_id": group_id, "instance_id": instance_id, "message_model": None, "online": False,
            "subscriptions": [], "request_id": request_id}


def shape_subscription(body, group_id, instance_id):
    """Turn an answer of OnsGroupSubDetail into the entry of one group (OnsResponseError if unreadable).

    ``group_id`` is the requested ID rather than the answer's ``GroupId``, so that entries match what
    was asked however the API spells the ID of a group of a namespaced instance.
    """
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    return {
        "group_id": group_id,
        "instance_id": instance_id,
        "message_model": get_scalar(data, "MessageModel", request_id=request_id) or None,
        "online": get_scalar(data, "Online", bool, request_id=request_id),
        "subscriptions": [{
            "topic": get_scalar(item, "Topic", request_id=request_id),
            "sub_string": get_scalar(item, "SubString", request_id=request_id),
        } for item in get_list(data, "SubscriptionDataList", "SubscriptionDataList", request_id=request_id)],
        "request_id": request_id,
    }


def query_group(client, instance_id, group_id):
    """Ask the API for the subscriptions of one group and return its entry."""
    body, absent_request_id = call_or_absent(client, ACTION, {"GroupId": group_id, "InstanceId": instance_id}, NOT_ONLINE)
    if body is None:
        return new_entry(instance_id, group_id, absent_request_id)
    return shape_subscription(body, group_id, instance_id)


def main():
    OnsModule.for_groups(dict(instance_id=dict(type="str", required=True))).exit_with_groups("get the subscriptions", query_group, new_entry)


if __name__ == "__main__":
    main()
