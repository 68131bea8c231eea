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
  - apsaramq.rocketmq.credentials
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

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import OnsModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import query_subscription, subscription_entry


def main():
    OnsModule.for_groups(dict(instance_id=dict(type="str", required=True))).exit_with_groups(
        "get the subscriptions", query_subscription, subscription_entry)


if __name__ == "__main__":
    main()
