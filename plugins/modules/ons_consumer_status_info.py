#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_consumer_status_info
short_description: Health of ApsaraMQ for RocketMQ consumer groups, lag, rebalance and clients
version_added: 0.1.0
description:
  - Reads the status of one or several consumer groups with the ONS API operation C(OnsConsumerStatus)
    (RAM action C(mq:QueryConsumerStatus)). It tells whether the group is online, how many messages it has not
    consumed yet and how late it is, whether its load balancing is as expected and whether all its
    clients subscribe to the same topics and tags.
  - With O(detail=true), also the lag of each topic and, for each client, its subscriptions and how
    fast it consumes; with O(need_jstack=true) also the stack of each consumer thread.
  - A group without an online client is not an error. When the API answers C(BIZ_CONSUMER_NOT_ONLINE)
    the group is returned with RV(groups[].online=false) and every figure V(null), never V(0).
  - Several groups are queried concurrently, within O(rate_limit). The API allows 10 calls per second
    per account for this operation.
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  detail:
    description:
      - Also ask for the lag of each topic (RV(groups[].topics)) and the details of each client
        (RV(groups[].clients)). Without it both lists are empty.
    type: bool
    default: false
  need_jstack:
    description:
      - Also ask for the stack of each consumer thread of each client (RV(groups[].clients[].jstack)).
      - Requires O(detail=true). The answer grows with the number of threads; use it to diagnose, not in every gate.
    type: bool
    default: false
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_consumer_accumulate_info
  - module: apsaramq.rocketmq.ons_consumer_connection_info
  - module: apsaramq.rocketmq.ons_group_subscription_info
"""

EXAMPLES = r"""
- name: Read the status of the orders group
  apsaramq.rocketmq.ons_consumer_status_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_id: GID_orders
  register: orders

- name: Require a consistent, balanced group less than a minute behind
  ansible.builtin.assert:
    that:
      - orders.online
      - orders.rebalance_ok
      - orders.subscription_same
      - orders.delay_time is not none and orders.delay_time < 60000

- name: Show each client's subscriptions when a group is inconsistent
  apsaramq.rocketmq.ons_consumer_status_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_ids:
      - GID_orders
      - GID_billing
    detail: true
  register: release

- name: Name the clients of each group and what they subscribe to
  ansible.builtin.debug:
    msg: "{{ item.group_id }}: {{ item.clients | map(attribute='subscriptions') | list }}"
  loop: "{{ release.groups | rejectattr('subscription_same') | list }}"
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
      description: ID of the instance of the group, as the API gives it, else as given in O(instance_id) (V(null) when neither says).
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
      sample: 0
    delay_time:
      description: How late the group is in consuming, the most of all its topics, in milliseconds. V(null) when the API does not say.
      type: int
      sample: 120
    consume_tps:
      description: Messages consumed per second. V(null) when the API does not say.
      type: float
      sample: 20.0
    last_timestamp:
      description: When the group last consumed a message, in epoch milliseconds. V(null) when the API does not say.
      type: int
      sample: 1767225600000
    rebalance_ok:
      description: Whether the queues are balanced across the clients as expected. V(null) when the API does not say.
      type: bool
      sample: true
    subscription_same:
      description:
        - Whether all clients subscribe to the same topics with the same tags. When not, messages are lost or
          consumed twice. V(null) when the API does not say.
      type: bool
      sample: true
    consume_model:
      description: C(CLUSTERING) or C(BROADCASTING). V(null) when the API does not say.
      type: str
      sample: CLUSTERING
    connections:
      description: The connected clients.
      type: list
      elements: dict
      contains:
        client_id:
          description: ID of the client instance, C(ip@pid#...).
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
          description: RocketMQ client version, such as C(V4_9_4).
          type: str
          sample: V4_9_4
        remote_ip:
          description: IP address of the client.
          type: str
          sample: 10.0.1.5
        diff:
          description: Number of messages not consumed yet by this client.
          type: int
          sample: 0
    topics:
      description: Lag of each topic the group consumes; empty unless O(detail=true).
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
          sample: 0
        delay_time:
          description: How late the group is in consuming the topic, in milliseconds.
          type: int
          sample: 0
        last_timestamp:
          description: When the group last consumed a message of the topic, in epoch milliseconds.
          type: int
          sample: 1767225600000
    clients:
      description: Details of each client; empty unless O(detail=true).
      type: list
      elements: dict
      contains:
        client_id:
          description: ID of the client instance.
          type: str
          sample: "10.0.1.5@2231#1839465112#-1257238912#1730000000000"
        connection:
          description: Address and port of the client's connection.
          type: str
          sample: "10.0.1.5:53012"
        consume_model:
          description: C(CLUSTERING) or C(BROADCASTING).
          type: str
          sample: CLUSTERING
        consume_type:
          description:
            - How the client takes its messages, in Apache RocketMQ's names, whichever names the API answered with.
            - C(CONSUME_PASSIVELY) for a push consumer; the API's C(PUSH) is reported as C(CONSUME_PASSIVELY).
            - C(CONSUME_ACTIVELY) for a pull consumer; the API's C(PULL) is reported as C(CONSUME_ACTIVELY).
            - Any other value is reported as the API gave it; V(null) when the API does not say.
          type: str
          sample: CONSUME_PASSIVELY
        language:
          description: Language of the client.
          type: str
          sample: JAVA
        version:
          description: RocketMQ client version.
          type: str
          sample: V4_9_4
        thread_count:
          description: Number of consumer threads of the client.
          type: int
          sample: 20
        start_timestamp:
          description: When the client started, in epoch milliseconds.
          type: int
          sample: 1767222000000
        last_timestamp:
          description: When the client was last seen, in epoch milliseconds.
          type: int
          sample: 1767225600000
        subscriptions:
          description: What the client subscribes to, in its own order.
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
              sample: "created || paid"
            sub_version:
              description: Version of the subscription, an epoch millisecond timestamp.
              type: int
              sample: 1767222000000
            tags:
              description: Tags of the expression; empty for C(*).
              type: list
              elements: str
              sample: [created, paid]
        running_data:
          description:
            - How this client consumes each topic it subscribes to, one entry per topic, as the client reports it
              (C(RunningDataList) of C(OnsConsumerStatus)).
            - A message whose consumption failed is delivered again later, and after its last retry goes to the
              group's dead-letter queue (see M(apsaramq.rocketmq.ons_dead_letter_info)); a client can fail every
              message and still look online, with little lag.
          type: list
          elements: dict
          contains:
            topic:
              description: Name of the topic these figures are about.
              type: str
              sample: orders
            ok_tps:
              description: Messages of the topic this client consumed successfully, per second.
              type: float
              sample: 10.0
            failed_tps:
              description: Messages of the topic whose consumption by this client failed, per second.
              type: float
              sample: 0.0
            failed_count_per_hour:
              description: Messages of the topic whose consumption by this client failed in the last hour.
              type: int
              sample: 0
            rt:
              description: Average time this client took to consume one message of the topic, in milliseconds.
              type: float
              sample: 12.5
        jstack:
          description: Stack of each consumer thread; empty unless O(need_jstack=true).
          type: list
          elements: dict
          contains:
            thread:
              description: Name of the thread.
              type: str
              sample: ConsumeMessageThread_1
            track:
              description: Frames of the stack, innermost first.
              type: list
              elements: str
              sample: ["java.lang.Thread.State: WAITING (parking)", "at sun.misc.Unsafe.park(Native Method)"]
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(groups[].online) is V(false),
          every figure V(null) and every list empty. The health of the group is then unknown, neither bad nor good.
      type: dict
      sample: null
group_id:
  description: With O(group_id), the ID of the group (the keys of the single entry of RV(groups) are also given at the top level).
  returned: success and O(group_id) is set
  type: str
  sample: GID_orders
instance_id:
  description: With O(group_id), the instance of the group, as in RV(groups[].instance_id).
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
  sample: 0
delay_time:
  description: With O(group_id), how late the group is, in milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 120
consume_tps:
  description: With O(group_id), messages consumed per second.
  returned: success and O(group_id) is set
  type: float
  sample: 20.0
last_timestamp:
  description: With O(group_id), when the group last consumed a message, in epoch milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 1767225600000
rebalance_ok:
  description: With O(group_id), whether the queues are balanced as expected.
  returned: success and O(group_id) is set
  type: bool
  sample: true
subscription_same:
  description: With O(group_id), whether all clients subscribe alike.
  returned: success and O(group_id) is set
  type: bool
  sample: true
consume_model:
  description: With O(group_id), C(CLUSTERING) or C(BROADCASTING).
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
      remote_ip: 10.0.1.5
      diff: 0
topics:
  description: With O(group_id), the lag of each topic, as in RV(groups[].topics).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - topic: orders
      total_diff: 0
      delay_time: 0
      last_timestamp: 1767225600000
clients:
  description: With O(group_id), the details of each client, as in RV(groups[].clients).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample: []
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
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import query_status, status_entry


def main():
    ons = OnsModule.for_groups(dict(
        detail=dict(type="bool", default=False),
        need_jstack=dict(type="bool", default=False),
    ))
    detail = ons.params["detail"]
    need_jstack = ons.params["need_jstack"]
    if need_jstack and not detail:
        ons.fail_json(msg="need_jstack=true requires detail=true: the thread stacks are part of each client's details")
    ons.exit_with_groups("get the status",
                         lambda client, instance_id, group_id: query_status(client, instance_id, group_id, detail, need_jstack),
                         status_entry)


if __name__ == "__main__":
    main()
