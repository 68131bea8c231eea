#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_dead_letter_info
short_description: The dead letters of ApsaraMQ for RocketMQ 4.x consumer groups in a time window
version_added: 0.3.0
description:
  - Lists, for one or several consumer groups, the messages that reached the group's dead-letter queue
    (C(%DLQ%<group>)) in a time window, with the ONS API operation C(OnsDLQMessagePageQueryByGroupId) (RAM action
    C(mq:QueryDLQMessage)). A message goes there after the group failed to consume it on every delivery (16 by
    default over about 4 h 46 min); a consumer that fails everything may stay online with little lag, so the dead
    letters are what tells that a release broke consumption.
  - The window is O(begin_time) to O(end_time), by default the O(lookback) seconds before now. Only the letters
    stored in it are returned; a letter whose store time the API does not give is returned too, as a count of
    dead letters must never miss one.
  - The listing is whole or the task fails with C(InvalidResponse), never a shorter list. The first page starts a
    query task (C(TaskId)) and the next pages are read from it, 50 letters a page; an answer about another page or
    another task, or a page that repeats an earlier one, fails the task. The API gives pages 1 to 50 only, so more
    than 2500 letters in the window fail it too; narrow the window then.
  - A group without dead letters is not an error (RV(groups[].count=0)). An unknown group fails the task with
    C(BIZ_SUBSCRIPTION_NOT_FOUND).
  - The body of a letter is not returned. Several groups are queried concurrently, within O(rate_limit); the
    current API reference publishes no limit for this operation (an older one gave 10 calls per second per
    account), so 10 are assumed.
  - For 5.x instances (C(rmq-...)) use M(apsaramq.rocketmq.rmq_dead_letter_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.dead_letters
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.groups
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_consumer_status_info
  - module: apsaramq.rocketmq.ons_message_info
  - module: apsaramq.rocketmq.rmq_dead_letter_info
"""

EXAMPLES = r"""
- name: Read the dead letters of the orders group in the last hour
  apsaramq.rocketmq.ons_dead_letter_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_id: GID_orders
  register: orders

- name: Require that no message of the orders group went to the dead-letter queue
  ansible.builtin.assert:
    that:
      - orders.complete
      - orders.count == 0
    fail_msg: "{{ orders.count }} dead letters: {{ orders.messages | map(attribute='msg_id') | list }}"

- name: Read the dead letters of the release's groups since the release began
  apsaramq.rocketmq.ons_dead_letter_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_ids:
      - GID_orders
      - GID_billing
    begin_time: "2026-12-07T10:00:00Z"
  register: release

- name: Name the groups with dead letters
  ansible.builtin.debug:
    msg: "{{ release.groups | selectattr('count', 'gt', 0) | map(attribute='group_id') | list }}"
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
    begin_time:
      description: Start of the window read, included, in epoch milliseconds.
      type: int
      sample: 1796634000000
    end_time:
      description: End of the window read, included, in epoch milliseconds.
      type: int
      sample: 1796637600000
    count:
      description:
        - Number of dead letters in RV(groups[].messages). V(null) when the query failed (see RV(groups[].error)),
          never V(0).
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
        msg_id:
          description: ID of the message.
          type: str
          sample: 0A0001050000217A000000000000A1B2
        topic:
          description: Topic of the message, as the API gives it.
          type: str
          sample: orders
        instance_id:
          description: ID of the instance of the message.
          type: str
          sample: MQ_INST_1234567890_DEMO
        born_host:
          description: Address of the producer that sent the message.
          type: str
          sample: "10.0.1.5:53012"
        born_timestamp:
          description: When the producer sent the message, in epoch milliseconds.
          type: int
          sample: 1796636000000
        store_host:
          description: Address of the broker that stored the message.
          type: str
          sample: "11.193.10.12:10911"
        store_timestamp:
          description:
            - When the broker stored the letter, in epoch milliseconds; V(null) when the API does not give it
              (the letter is then counted, as it may be in the window).
          type: int
          sample: 1796637000000
        store_size:
          description: Size of the stored message, in bytes.
          type: int
          sample: 406
        reconsume_times:
          description: How many times the message was delivered again before it went to the dead-letter queue.
          type: int
          sample: 16
        body_crc:
          description: CRC of the message body.
          type: int
          sample: 1839465112
        properties:
          description: Properties of the message, name to value, such as C(TAGS), C(KEYS) and the user properties.
          type: dict
          sample: {"TAGS": "created", "KEYS": "order-1001"}
    request_id:
      description: ID of the API request of the first page, for Alibaba Cloud support.
      type: str
      sample: 3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11
    request_ids:
      description: ID of the API request of each page read.
      type: list
      elements: str
      sample: [3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11]
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
  description: With O(group_id), the instance of the group, as in RV(groups[].instance_id).
  returned: success and O(group_id) is set
  type: str
  sample: MQ_INST_1234567890_DEMO
begin_time:
  description: With O(group_id), the start of the window read, in epoch milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 1796634000000
end_time:
  description: With O(group_id), the end of the window read, in epoch milliseconds.
  returned: success and O(group_id) is set
  type: int
  sample: 1796637600000
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
    - msg_id: 0A0001050000217A000000000000A1B2
      topic: orders
      instance_id: MQ_INST_1234567890_DEMO
      born_host: "10.0.1.5:53012"
      born_timestamp: 1796636000000
      store_host: "11.193.10.12:10911"
      store_timestamp: 1796637000000
      store_size: 406
      reconsume_times: 16
      body_crc: 1839465112
      properties: {"TAGS": "created"}
request_id:
  description: With O(group_id), the ID of the API request of the first page.
  returned: success and O(group_id) is set
  type: str
  sample: 3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11
request_ids:
  description: With O(group_id), the ID of the API request of each page.
  returned: success and O(group_id) is set
  type: list
  elements: str
  sample: [3C0A1F6E-7B0A-4D6F-9F5B-0F3A5D2C9E11]
error:
  description: With O(group_id), the error of the query when O(fail_on_error=false), as in RV(groups[].error).
  returned: success and O(group_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import OnsModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import dead_letter_entry, list_dead_letters
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import WINDOW_OPTIONS, time_window


def main():
    ons = OnsModule.for_groups(dict(WINDOW_OPTIONS))
    begin_ms = end_ms = None
    try:
        begin_ms, end_ms = time_window(ons.params["begin_time"], ons.params["end_time"], ons.params["lookback"])
    except ValueError as exc:
        ons.fail_json(msg=str(exc))
    ons.exit_with_groups("list the dead letters",
                         lambda client, instance_id, group_id: list_dead_letters(client, instance_id, group_id, begin_ms, end_ms),
                         lambda instance_id, group_id: dead_letter_entry(instance_id, group_id, begin_ms, end_ms))


if __name__ == "__main__":
    main()
