#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rmq_consumer_subscription_info
short_description: What ApsaraMQ for RocketMQ 5.x consumer groups subscribe to, and whether their clients agree
version_added: 0.3.0
description:
  - Reads the subscriptions of one or several consumer groups of a 5.x instance with the API operation
    C(ListConsumerGroupSubscriptions) of C(RocketMQ) 2022-08-01 (RAM action
    C(rocketmq:ListConsumerGroupSubscriptions)). For each topic it gives the filter expression, whether the
    group is online on it, whether the topic exists, and whether every client subscribes to it alike
    (RV(groups[].subscriptions[].consistency), as the server judges it).
  - With O(detail=true), also how each client subscribes to each topic, with
    C(GetConsumerGroupSubscription) (RAM action C(rocketmq:GetConsumerGroupSubscription)), one more call
    per topic of the group, which finds the client that subscribes differently.
  - A group without an online client is not an error; its subscriptions are then C(OFFLINE).
  - Several groups are queried concurrently, within O(rate_limit).
  - For 4.x instances (C(MQ_INST_...)) use M(apsaramq.rocketmq.ons_group_subscription_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  detail:
    description:
      - Also read how each client subscribes to each topic (RV(groups[].subscriptions[].clients)).
        Without it every such list is empty.
    type: bool
    default: false
extends_documentation_fragment:
  - apsaramq.rocketmq.rmq
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.rmq.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.rmq.attributes
seealso:
  - module: apsaramq.rocketmq.rmq_consumer_connection_info
  - module: apsaramq.rocketmq.ons_group_subscription_info
"""

EXAMPLES = r"""
- name: Read what the billing group subscribes to
  apsaramq.rocketmq.rmq_consumer_subscription_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_id: GID_billing
  register: billing

- name: Require every client of the group to subscribe alike, to topics that exist
  ansible.builtin.assert:
    that:
      - billing.subscriptions | rejectattr('consistency') | list == []
      - billing.subscriptions | rejectattr('topic_created') | list == []

- name: Find the client that subscribes differently
  apsaramq.rocketmq.rmq_consumer_subscription_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_id: GID_billing
    detail: true
  register: billing_detail

- name: Show each client's filter expression of each inconsistent topic
  ansible.builtin.debug:
    msg: "{{ item.topic }}: {{ item.clients | map(attribute='filter_expression') | list }}"
  loop: "{{ billing_detail.subscriptions | rejectattr('consistency') | list }}"
  loop_control:
    label: "{{ item.topic }}"
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
      sample: rmq-cn-2r42vrvde0j
    subscriptions:
      description: One entry per topic the group subscribes to, in the order the API gives them.
      type: list
      elements: dict
      contains:
        topic:
          description: Name of the topic.
          type: str
          sample: orders
        filter_expression:
          description: Filter expression, C(*) for every message, tags joined by C(||), or an SQL92 expression.
          type: str
          sample: "paid || refunded"
        filter_expression_type:
          description: C(TAG) or C(SQL).
          type: str
          sample: TAG
        message_model:
          description: C(CLUSTERING) or C(BROADCASTING).
          type: str
          sample: CLUSTERING
        subscription_status:
          description: C(ONLINE) when at least one client of the group is online, else C(OFFLINE).
          type: str
          sample: ONLINE
        topic_created:
          description: Whether the topic exists on the instance.
          type: bool
          sample: true
        consistency:
          description: Whether every client of the group subscribes to the topic with the same expression, as the server judges it.
          type: bool
          sample: true
        clients:
          description: How each client subscribes to the topic; empty unless O(detail=true).
          type: list
          elements: dict
          contains:
            client_id:
              description: ID of the client instance.
              type: str
              sample: "10.0.1.5@2231#1839465112#-1257238912#1730000000000"
            hostname:
              description: Host name of the client.
              type: str
              sample: billing-5c7d9b8f6-q4w2e
            egress_ip:
              description: IP address the client connects from.
              type: str
              sample: 10.0.1.5
            language:
              description: Language of the client.
              type: str
              sample: java
            version:
              description: RocketMQ client version.
              type: str
              sample: 5.0.7
            message_model:
              description: C(CLUSTERING) or C(BROADCASTING).
              type: str
              sample: CLUSTERING
            filter_expression:
              description: The client's filter expression for the topic.
              type: str
              sample: "paid || refunded"
            filter_expression_type:
              description: C(TAG) or C(SQL).
              type: str
              sample: TAG
            subscription_status:
              description: C(ONLINE) or C(OFFLINE).
              type: str
              sample: ONLINE
    request_id:
      description: ID of the API request that listed the subscriptions, for Alibaba Cloud support.
      type: str
      sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
    error:
      description:
        - V(null), unless O(fail_on_error=false) and a query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)) and RV(groups[].subscriptions) is
          empty. The health of the group is then unknown, neither bad nor good.
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
  sample: rmq-cn-2r42vrvde0j
subscriptions:
  description: With O(group_id), the subscriptions, as in RV(groups[].subscriptions).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - topic: orders
      filter_expression: "paid || refunded"
      filter_expression_type: TAG
      message_model: CLUSTERING
      subscription_status: ONLINE
      topic_created: true
      consistency: true
      clients: []
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
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_queries import query_subscriptions, subscription_entry


def main():
    rmq = RmqModule.for_groups(dict(instance_id=dict(type="str", required=True), detail=dict(type="bool", default=False)))
    detail = rmq.params["detail"]
    rmq.exit_with_groups("get the subscriptions",
                         lambda client, instance_id, group_id: query_subscriptions(client, instance_id, group_id, detail),
                         subscription_entry)


if __name__ == "__main__":
    main()
