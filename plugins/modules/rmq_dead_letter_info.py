#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rmq_dead_letter_info
short_description: The dead letters of ApsaraMQ for RocketMQ 5.x consumer groups in a time window
version_added: 0.3.0
description:
  - Lists, for one or several consumer groups of a 5.x instance, the messages that reached the group's
    dead-letter topic in a time window. The topic is the group's C(consumeRetryPolicy.deadLetterTargetTopic)
    (API operation C(GetConsumerGroup), RAM action C(rocketmq:GetConsumerGroup)); its messages are listed with
    C(ListMessages) (RAM action C(rocketmq:ListMessages)) of C(RocketMQ) 2022-08-01. A message goes there after
    the group failed to consume it on every delivery its retry policy allows; a consumer that fails everything
    may stay online with little lag, so the dead letters are what tells that a release broke consumption.
  - A group without a dead-letter topic has nowhere to keep dead letters; it is returned with
    RV(groups[].dead_letter_topic=null) and RV(groups[].count=null), and the task does not fail.
  - The window is O(begin_time) to O(end_time), by default the O(lookback) seconds before now. The API's times
    (C(startTime), C(endTime), C(storeTime)) are wall clocks without a zone, and the API does not publish which
    zone they are in; see O(time_zone).
  - The listing is whole or the task fails with C(InvalidResponse), never a shorter list - when its pages hold
    fewer distinct messages than its C(totalCount), when a page repeats an earlier one, or when it needs more
    than 100 pages of 50 messages; narrow the window then. The pages after the first are asked for with the
    C(scrollId) the API gives.
  - The body of a letter is not returned. Several groups are queried concurrently, within O(rate_limit).
  - An unknown group fails the task with C(ConsumerGroup.NotFound).
  - For 4.x instances (C(MQ_INST_...)) use M(apsaramq.rocketmq.ons_dead_letter_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  time_zone:
    description:
      - The zone of the API's times, as an offset from UTC (V(+08:00), V(-05:30)), or V(Z) or V(UTC); from
        V(-12:00) to V(+14:00).
      - The API does not publish the zone of its times; null widens the query by the widest offsets and counts a
        letter whose time could be in the window. That is, the window is sent from 12 hours before
        O(begin_time) to 14 hours after O(end_time) as UTC wall clocks, and a letter is returned when its
        C(storeTime) read in any zone from UTC-12:00 to UTC+14:00 could fall in the window; its
        RV(groups[].messages[].store_timestamp) is then V(null). A count of dead letters never misses one this
        way, but may count one stored up to 14 hours outside the window.
      - Given, the window is sent in that zone and each C(storeTime) is read in it, to the second; a letter is
        returned when that second overlaps the window.
    type: str
extends_documentation_fragment:
  - apsaramq.rocketmq.rmq
  - apsaramq.rocketmq.dead_letters
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.rmq.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.rmq.attributes
seealso:
  - module: apsaramq.rocketmq.rmq_consumer_group_info
  - module: apsaramq.rocketmq.rmq_trace_info
  - module: apsaramq.rocketmq.ons_dead_letter_info
"""

EXAMPLES = r"""
- name: Read the dead letters of the orders group in the last hour, the API's times being in UTC+8
  apsaramq.rocketmq.rmq_dead_letter_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_id: GID_orders
    time_zone: "+08:00"
  register: orders

- name: Require a dead-letter topic and no message of the orders group in it
  ansible.builtin.assert:
    that:
      - orders.dead_letter_topic is not none
      - orders.complete
      - orders.count == 0
    fail_msg: "{{ orders.count }} dead letters: {{ orders.messages | map(attribute='message_id') | list }}"

- name: Read the dead letters of the release's groups since the release began, zone unknown
  apsaramq.rocketmq.rmq_dead_letter_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_ids:
      - GID_orders
      - GID_billing
    begin_time: "2026-12-07T10:00:00Z"
  register: release

- name: Name the groups with dead letters, and those without a dead-letter topic
  ansible.builtin.debug:
    msg:
      with_letters: "{{ release.groups | selectattr('count', 'gt', 0) | map(attribute='group_id') | list }}"
      without_topic: "{{ release.groups | selectattr('dead_letter_topic', 'none') | map(attribute='group_id') | list }}"
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
    dead_letter_topic:
      description:
        - The dead-letter topic of the group, whose messages were listed. V(null) when the group has none (then
          RV(groups[].count) is V(null) and RV(groups[].complete) V(true), as there is nothing to count), or when
          the query failed.
      type: str
      sample: DLQ_orders
    begin_time:
      description: Start of the window, included, in epoch milliseconds.
      type: int
      sample: 1796634000000
    end_time:
      description: End of the window, included, in epoch milliseconds.
      type: int
      sample: 1796637600000
    time_zone:
      description: The zone the API's times were read in, as given in O(time_zone); V(null) when unknown.
      type: str
      sample: "+08:00"
    count:
      description:
        - Number of dead letters in RV(groups[].messages). V(null) when the group has no dead-letter topic or
          the query failed, never V(0) then.
      type: int
      sample: 1
    complete:
      description:
        - Whether every page of the listing was read. Always V(true) after a successful query, as the listing is
          whole or the task fails; V(false) when the query failed.
      type: bool
      sample: true
    messages:
      description: The dead letters stored in the window, in the order the API lists them. The bodies are not returned.
      type: list
      elements: dict
      contains:
        message_id:
          description: ID of the message.
          type: str
          sample: 01F4A1B2C3D4E5F60718293A4B5C6D7E
        topic:
          description: Topic of the message, as the API gives it (the dead-letter topic).
          type: str
          sample: DLQ_orders
        message_tag:
          description: Tag of the message; V(null) without one.
          type: str
          sample: created
        message_keys:
          description: Keys of the message.
          type: list
          elements: str
          sample: [order-1001]
        message_type:
          description: Type of the message as the API gives it, such as C(NORMAL), C(FIFO), C(DELAY) or C(TRANSACTION).
          type: str
          sample: NORMAL
        born_host:
          description: The client that sent the message.
          type: str
          sample: "10.0.7.1"
        born_time:
          description: When the message was sent, C(YYYY-MM-DD HH:mm:ss) as the API gives it, without a zone.
          type: str
          sample: "2026-12-07 18:20:00"
        store_host:
          description: The broker that stored the letter.
          type: str
          sample: "10.0.9.1:8080"
        store_time:
          description: When the letter was stored, C(YYYY-MM-DD HH:mm:ss) as the API gives it, without a zone.
          type: str
          sample: "2026-12-07 18:20:05"
        store_timestamp:
          description:
            - RV(groups[].messages[].store_time) in epoch milliseconds, read in O(time_zone). V(null) without
              O(time_zone), as the zone is unknown, or when the API's time cannot be read (the letter is then
              counted, as it may be in the window).
          type: int
          sample: 1796638805000
        body_size:
          description: Size of the message body, in bytes.
          type: int
          sample: 406
        user_properties:
          description: The properties the producer set, name to value.
          type: dict
          sample: {"orderId": "1001"}
    request_id:
      description: ID of the first API request of this entry (C(GetConsumerGroup), or the first page), for Alibaba Cloud support.
      type: str
      sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
    request_ids:
      description: ID of every API request of this entry, in order.
      type: list
      elements: str
      sample: [5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E, 6F2E9E1D-9B54-4B8C-8C78-4A2B3C5D6E7F]
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(groups[].count) is V(null),
          RV(groups[].complete) V(false) and RV(groups[].messages) empty. The dead letters of the group are then
          unknown, neither none nor some.
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
dead_letter_topic:
  description: With O(group_id), the dead-letter topic of the group, or V(null), as in RV(groups[].dead_letter_topic).
  returned: success and O(group_id) is set
  type: str
  sample: DLQ_orders
begin_time:
  description: With O(group_id), the start of the window, in epoch milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 1796634000000
end_time:
  description: With O(group_id), the end of the window, in epoch milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 1796637600000
time_zone:
  description: With O(group_id), the zone the API's times were read in, or V(null).
  returned: success and O(group_id) is set
  type: str
  sample: "+08:00"
count:
  description: With O(group_id), the number of dead letters in the window, as in RV(groups[].count).
  returned: success and O(group_id) is set
  type: int
  sample: 1
complete:
  description: With O(group_id), whether every page was read, as in RV(groups[].complete).
  returned: success and O(group_id) is set
  type: bool
  sample: true
messages:
  description: With O(group_id), the dead letters, as in RV(groups[].messages).
  returned: success and O(group_id) is set
  type: list
  elements: dict
  sample:
    - message_id: 01F4A1B2C3D4E5F60718293A4B5C6D7E
      topic: DLQ_orders
      message_tag: created
      message_keys: [order-1001]
      message_type: NORMAL
      born_host: "10.0.7.1"
      born_time: "2026-12-07 18:20:00"
      store_host: "10.0.9.1:8080"
      store_time: "2026-12-07 18:20:05"
      store_timestamp: 1796638805000
      body_size: 406
      user_properties: {"orderId": "1001"}
request_id:
  description: With O(group_id), the ID of the first API request.
  returned: success and O(group_id) is set
  type: str
  sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
request_ids:
  description: With O(group_id), the ID of every API request.
  returned: success and O(group_id) is set
  type: list
  elements: str
  sample: [5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E]
error:
  description: With O(group_id), the error of the query when O(fail_on_error=false), as in RV(groups[].error).
  returned: success and O(group_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_module import RmqModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_queries import dead_letter_entry, list_dead_letters
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import WINDOW_OPTIONS, parse_time_zone, time_window


def main():
    rmq = RmqModule.for_groups(dict(WINDOW_OPTIONS, instance_id=dict(type="str", required=True), time_zone=dict(type="str")))
    time_zone = rmq.params["time_zone"]
    begin_ms = end_ms = None
    try:
        if time_zone is not None:
            parse_time_zone(time_zone)
        begin_ms, end_ms = time_window(rmq.params["begin_time"], rmq.params["end_time"], rmq.params["lookback"])
    except ValueError as exc:
        rmq.fail_json(msg=str(exc))

    def query(client, instance_id, group_id):
        return list_dead_letters(client, instance_id, group_id, begin_ms, end_ms, time_zone=time_zone)

    def unknown(instance_id, group_id):
        return dict(dead_letter_entry(instance_id, group_id, begin_ms, end_ms), time_zone=time_zone)

    rmq.exit_with_groups("list the dead letters", query, unknown)


if __name__ == "__main__":
    main()
