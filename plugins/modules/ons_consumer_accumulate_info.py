#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_consumer_accumulate_info
short_description: How far behind ApsaraMQ for RocketMQ consumer groups are
version_added: 0.1.0
description:
  - Reads the accumulated (not yet consumed) messages of one or several consumer groups with the ONS API
    operation C(OnsConsumerAccumulate) (RAM action C(mq:QueryConsumerAccumulate)). It tells how many messages wait,
    how late the group is, how fast it consumes, and with O(detail=true) the same for each topic.
  - A group without an online client is not an error. When the API answers C(BIZ_CONSUMER_NOT_ONLINE)
    the group is returned with RV(groups[].online=false) and every figure V(null), never V(0).
  - Several groups are queried concurrently, within O(rate_limit).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  detail:
    description:
      - Also ask for the lag of each topic (RV(groups[].topics)). Without it that list is empty.
    type: bool
    default: true
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
- name: Read how far behind the orders group is
  apsaramq.rocketmq.ons_consumer_accumulate_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_id: GID_orders
  register: orders

- name: Require fewer than 1000 waiting messages and less than a minute of delay
  ansible.builtin.assert:
    that:
      - orders.total_diff is not none and orders.total_diff < 1000
      - orders.delay_time is not none and orders.delay_time < 60000

- name: Name the topics with a backlog in every group of the release
  apsaramq.rocketmq.ons_consumer_accumulate_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_ids:
      - GID_orders
      - GID_billing
  register: release

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.group_id }}: {{ item.topics | selectattr('total_diff', 'gt', 0) | map(attribute='topic') | list }}"
  loop: "{{ release.groups }}"
  loop_control:
    label: "{{ item.group_id }}"
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
      sample: GID_orders
    instance_id:
      description: ID of the instance, as given in O(instance_id); V(null) when it was not given.
      type: str
      sample: MQ_INST_1234567890_DEMO
    online:
      description:
        - Whether at least one client of the group is connected.
        - V(false) when the API answered C(BIZ_CONSUMER_NOT_ONLINE); V(null) when the API does not say.
      type: bool
      sample: true
    total_diff:
      description: Number of messages of all the group's topics not consumed yet. V(null) when the API does not say.
      type: int
      sample: 250
    consume_tps:
      description: Messages consumed per second. V(null) when the API does not say.
      type: float
      sample: 20.0
    delay_time:
      description: How late the group is in consuming, the most of all its topics, in milliseconds. V(null) when the API does not say.
      type: int
      sample: 25000
    last_timestamp:
      description: When the group last consumed a message, in epoch milliseconds. V(null) when the API does not say.
      type: int
      sample: 1767225600000
    topics:
      description: Lag of each topic the group consumes; empty with O(detail=false).
      type: list
      elements: dict
      contains:
        topic:
          description: Name of the topic.
          type: str
          sample: orders
        total_diff:
          description: Number of messages of the topic not consumed yet.
          type: int
          sample: 250
        delay_time:
          description: How late the group is in consuming the topic, in milliseconds.
          type: int
          sample: 25000
        last_timestamp:
          description: When the group last consumed a message of the topic, in epoch milliseconds.
          type: int
          sample: 1767225600000
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(groups[].online) is V(false),
          every figure V(null) and RV(groups[].topics) empty. The health of the group is then unknown, neither bad nor good.
      type: dict
      sample: null
group_id:
  description: With O(group_id), the ID of the group (the keys of the single entry of RV(groups) are also given at the top level).
  returned: success and O(group_id) is set
  type: str
  sample: GID_orders
instance_id:
  description: With O(group_id), the instance ID given.
  returned: success and O(group_id) is set
  type: str
  sample: MQ_INST_1234567890_DEMO
online:
  description: With O(group_id), whether at least one client is connected.
  returned: success and O(group_id) is set
  type: bool
  sample: true
total_diff:
  description: With O(group_id), the number of messages not consumed yet.
  returned: success and O(group_id) is set
  type: int
  sample: 250
consume_tps:
  description: With O(group_id), messages consumed per second.
  returned: success and O(group_id) is set
  type: float
  sample: 20.0
delay_time:
  description: With O(group_id), how late the group is, in milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 25000
last_timestamp:
  description: With O(group_id), when the group last consumed a message, in epoch milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 1767225600000
topics:
  description: With O(group_id), the lag of each topic, as in RV(groups[].topics).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - topic: orders
      total_diff: 250
      delay_time: 25000
      last_timestamp: 1767225600000
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
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import accumulate_entry, query_accumulate


def main():
    ons = OnsModule.for_groups(dict(detail=dict(type="bool", default=True)))
    detail = ons.params["detail"]
    ons.exit_with_groups("get the accumulated messages",
                         lambda client, instance_id, group_id: query_accumulate(client, instance_id, group_id, detail),
                         accumulate_entry)


if __name__ == "__main__":
    main()
