#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rmq_consumer_connection_info
short_description: Which clients of ApsaraMQ for RocketMQ 5.x consumer groups are online
version_added: 0.3.0
description:
  - Lists the client connections of one or several consumer groups of a 5.x instance with the API
    operation C(ListConsumerConnections) of C(RocketMQ) 2022-08-01 (RAM action
    C(rocketmq:ListConsumerConnections)). For each client it gives the ID, host name, egress IP,
    language, client version and message model.
  - A group without an online client is not an error; it is returned with RV(groups[].online=false)
    and no connections. A group the instance does not have fails with C(ConsumerGroup.NotFound).
  - Several groups are queried concurrently, within O(rate_limit).
  - For 4.x instances (C(MQ_INST_...)) use M(apsaramq.rocketmq.ons_consumer_connection_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
extends_documentation_fragment:
  - apsaramq.rocketmq.rmq
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.rmq.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.rmq.attributes
seealso:
  - module: apsaramq.rocketmq.rmq_consumer_lag_info
  - module: apsaramq.rocketmq.rmq_consumer_subscription_info
  - module: apsaramq.rocketmq.ons_consumer_connection_info
"""

EXAMPLES = r"""
- name: Ask which clients of the orders group are online
  apsaramq.rocketmq.rmq_consumer_connection_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_id: GID_orders
  register: orders

- name: Require at least two clients, all on a 5.x Java client
  ansible.builtin.assert:
    that:
      - orders.online
      - orders.connections | length >= 2
      - orders.connections | map(attribute='language') | map('lower') | unique == ['java']
      - orders.connections | map(attribute='version') | select('version', '5.0.0', '<') | list == []

# Credentials and region once for both generations: a YAML anchor merged into each action group.
# The endpoint differs per API, so it is set per group (or left to the region).
- name: Query 4.x and 5.x groups with the same credentials
  module_defaults:
    group/apsaramq.rocketmq.ons: &aliyun
      region: cn-hangzhou
      profile: prod
    group/apsaramq.rocketmq.rmq:
      <<: *aliyun
  block:
    - name: Get the connections of the 5.x groups of the release
      apsaramq.rocketmq.rmq_consumer_connection_info:
        instance_id: rmq-cn-2r42vrvde0j
        group_ids:
          - GID_orders
          - GID_billing
      register: release

    - name: Get the connections of the 4.x group still in service
      apsaramq.rocketmq.ons_consumer_connection_info:
        instance_id: MQ_INST_1234567890_DEMO
        group_id: GID_orders
      register: legacy

    - name: Name the 5.x groups with no client online
      ansible.builtin.debug:
        msg: "{{ release.groups | rejectattr('online') | map(attribute='group_id') | list }}"
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
    online:
      description: Whether at least one client of the group is connected.
      type: bool
      sample: true
    connections:
      description: The connected clients, in the order the API gives them.
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
          sample: orders-7d9f8c6b5-x2x7q
        egress_ip:
          description: IP address the client connects from (its host's, or its Internet egress address).
          type: str
          sample: 10.0.1.5
        language:
          description: Language of the client, such as C(java), C(cpp), C(golang), C(python), C(nodejs).
          type: str
          sample: java
        version:
          description: RocketMQ client version, such as C(5.0.7).
          type: str
          sample: 5.0.7
        message_model:
          description: How the client consumes, C(CLUSTERING), C(BROADCASTING) or C(LITE_SELECTIVE); V(null) when the API does not say.
          type: str
          sample: CLUSTERING
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(groups[].online) is V(false)
          and there are no connections. The health of the group is then unknown, neither bad nor good.
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
online:
  description: With O(group_id), whether at least one client is connected.
  returned: success and O(group_id) is set
  type: bool
  sample: true
connections:
  description: With O(group_id), the connected clients, as in RV(groups[].connections).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - client_id: "10.0.1.5@2231#1839465112#-1257238912#1730000000000"
      hostname: orders-7d9f8c6b5-x2x7q
      egress_ip: 10.0.1.5
      language: java
      version: 5.0.7
      message_model: CLUSTERING
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
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_queries import connection_entry, list_connections


def main():
    RmqModule.for_groups(dict(instance_id=dict(type="str", required=True))).exit_with_groups(
        "get the connections", list_connections, connection_entry)


if __name__ == "__main__":
    main()
