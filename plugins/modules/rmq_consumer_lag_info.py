#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rmq_consumer_lag_info
short_description: How far ApsaraMQ for RocketMQ 5.x consumer groups are behind, in total and per topic
version_added: 0.3.0
description:
  - Reads the message accumulation of one or several consumer groups of a 5.x instance with the API
    operation C(GetConsumerGroupLag) of C(RocketMQ) 2022-08-01 (RAM action C(rocketmq:GetConsumerGroupLag)).
  - For the group and for each topic it consumes it gives the messages ready to be consumed, the messages
    delivered but not acknowledged yet (in flight), how long the oldest ready message has waited, and when
    the group last consumed. The lag the console shows is RV(groups[].total_lag.ready_count) plus
    RV(groups[].total_lag.inflight_count).
  - The 5.x API has no per-queue offsets and no rebalance flag; lag is an aggregate per topic. A group
    that consumes nothing has a lag of V(0), which is healthy on an idle topic.
  - Several groups are queried concurrently, within O(rate_limit).
  - For 4.x instances (C(MQ_INST_...)) use M(apsaramq.rocketmq.ons_consumer_accumulate_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  topic:
    description:
      - Ask only about this topic; RV(groups[].topics) then holds at most this one.
      - 1 to 128 letters, digits, hyphens, underscores, periods and C(%).
    type: str
extends_documentation_fragment:
  - apsaramq.rocketmq.rmq
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.rmq.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.rmq.attributes
seealso:
  - module: apsaramq.rocketmq.rmq_consumer_connection_info
  - module: apsaramq.rocketmq.ons_consumer_accumulate_info
"""

EXAMPLES = r"""
- name: Read how far the orders group is behind
  apsaramq.rocketmq.rmq_consumer_lag_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_id: GID_orders
  register: orders

- name: Require fewer than 1000 messages behind and no message waiting more than a minute
  ansible.builtin.assert:
    that:
      - orders.total_lag.ready_count + orders.total_lag.inflight_count < 1000
      - orders.total_lag.delivery_duration < 60

- name: Read the lag of several groups on one topic
  apsaramq.rocketmq.rmq_consumer_lag_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_ids:
      - GID_orders
      - GID_billing
    topic: orders
  register: release
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
      description: ID of the instance, as given in O(instance_id).
      type: str
      sample: rmq-cn-2r42vrvde0j
    total_lag:
      description: The accumulation of the group over all its topics (or O(topic)). A figure the API does not give is V(null).
      type: dict
      contains:
        ready_count:
          description: Messages ready to be consumed and not delivered yet.
          type: int
          sample: 120
        inflight_count:
          description: Messages delivered to a client and not acknowledged yet.
          type: int
          sample: 8
        delivery_duration:
          description: How long the oldest ready message has waited to be delivered, in seconds.
          type: int
          sample: 3
        last_consume_timestamp:
          description: When the group last consumed a message, in epoch milliseconds (V(0) when never).
          type: int
          sample: 1767225600000
    topics:
      description: The accumulation of each topic the group consumes, sorted by topic, with the figures of RV(groups[].total_lag).
      type: list
      elements: dict
      contains:
        topic:
          description: Name of the topic.
          type: str
          sample: orders
        ready_count:
          description: Messages of the topic ready to be consumed.
          type: int
          sample: 120
        inflight_count:
          description: Messages of the topic delivered and not acknowledged yet.
          type: int
          sample: 8
        delivery_duration:
          description: How long the oldest ready message of the topic has waited, in seconds.
          type: int
          sample: 3
        last_consume_timestamp:
          description: When the group last consumed a message of the topic, in epoch milliseconds.
          type: int
          sample: 1767225600000
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), every figure is V(null) (never V(0))
          and RV(groups[].topics) is empty. The health of the group is then unknown, neither bad nor good.
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
  sample: rmq-cn-2r42vrvde0j
total_lag:
  description: With O(group_id), the accumulation of the group, as in RV(groups[].total_lag).
  returned: success and O(group_id) is set
  type: dict
  sample:
    ready_count: 120
    inflight_count: 8
    delivery_duration: 3
    last_consume_timestamp: 1767225600000
topics:
  description: With O(group_id), the accumulation of each topic, as in RV(groups[].topics).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - topic: orders
      ready_count: 120
      inflight_count: 8
      delivery_duration: 3
      last_consume_timestamp: 1767225600000
request_id:
  description: With O(group_id), the ID of the API request.
  returned: success and O(group_id) is set
  type: str
  sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
error:
  description: With O(group_id), the error of the query when O(fail_on_error=false), as in RV(groups[].error).
  returned: success and O(group_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_module import RmqModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_queries import get_lag, lag_entry


def main():
    rmq = RmqModule.for_groups(dict(instance_id=dict(type="str", required=True), topic=dict(type="str")))
    topic = rmq.params["topic"]
    if topic is not None:
        rmq.check_name("topic", topic, "topic")
    rmq.exit_with_groups("get the lag",
                         lambda client, instance_id, group_id: get_lag(client, instance_id, group_id, topic), lag_entry)


if __name__ == "__main__":
    main()
