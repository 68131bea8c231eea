#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_consumer_connection_info
short_description: Which clients of ApsaraMQ for RocketMQ consumer groups are online
version_added: 0.1.0
description:
  - Lists the client connections of one or several consumer groups with the ONS API operation
    C(OnsConsumerGetConnection) (RAM action C(mq:QueryConsumerConnection)). For each client it gives the
    ID, address, language and RocketMQ client version, and for each group the message model.
  - A group without an online client is not an error, whether the API answers C(BIZ_CONSUMER_NOT_ONLINE)
    or an empty list. The group is then returned with RV(groups[].online=false) and no connections.
  - Several groups are queried concurrently, within O(rate_limit).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_trace_info
"""

EXAMPLES = r"""
- name: Ask which clients of the orders group are online
  apsaramq.rocketmq.ons_consumer_connection_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_id: GID_orders
  register: orders

- name: Require at least two clients, all on the Java client
  ansible.builtin.assert:
    that:
      - orders.online
      - orders.connections | length >= 2
      - orders.connections | map(attribute='language') | unique == ['JAVA']

- name: Query several groups at once, credentials set once for the whole play
  module_defaults:
    group/apsaramq.rocketmq.ons:
      region: cn-hangzhou
      profile: prod
  block:
    - name: Get the connections of every group of the release
      apsaramq.rocketmq.ons_consumer_connection_info:
        instance_id: MQ_INST_1234567890_DEMO
        group_ids:
          - GID_orders
          - GID_billing
      register: release

    - name: Name the groups with no client online
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
      description: ID of the group.
      type: str
      sample: GID_orders
    instance_id:
      description: ID of the instance, as given in O(instance_id); V(null) when it was not given.
      type: str
      sample: MQ_INST_1234567890_DEMO
    online:
      description: Whether at least one client of the group is connected.
      type: bool
      sample: true
    message_model:
      description:
        - C(CLUSTERING) (each message to one client of the group) or C(BROADCASTING) (to every client).
        - V(null) when the API does not say, as it does for a group with no client online.
      type: str
      sample: CLUSTERING
    connections:
      description: The connected clients.
      type: list
      elements: dict
      contains:
        client_id:
          description: ID of the client instance, C(ip@pid#...). Two clients with one ID in a clustering group consume the same queues.
          type: str
          sample: "10.0.1.5@2231#1839465112#-1257238912#1730000000000"
        client_addr:
          description: Address and port the client connects from.
          type: str
          sample: "10.0.1.5:53012"
        language:
          description: Language of the client, such as C(JAVA), C(CPP), C(GO), C(PYTHON), C(DOTNET), C(HTTP).
          type: str
          sample: JAVA
        version:
          description: RocketMQ client version, such as C(V4_9_4); see the filter P(apsaramq.rocketmq.version_compare#filter).
          type: str
          sample: V4_9_4
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(groups[].online) is V(false)
          and the other facts are empty. The health of the group is then unknown, neither bad nor good.
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
message_model:
  description: With O(group_id), the group's message model, or V(null) when the API does not say.
  returned: success and O(group_id) is set
  type: str
  sample: CLUSTERING
connections:
  description: With O(group_id), the connected clients, as in RV(groups[].connections).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - client_id: "10.0.1.5@2231#1839465112#-1257238912#1730000000000"
      client_addr: "10.0.1.5:53012"
      language: JAVA
      version: V4_9_4
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
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import connection_entry, query_connections


def main():
    OnsModule.for_groups().exit_with_groups("get the connections", query_connections, connection_entry)


if __name__ == "__main__":
    main()
