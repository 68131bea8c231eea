#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_message_info
short_description: Where and when ApsaraMQ for RocketMQ stored a message
version_added: 0.1.0
description:
  - Gives, for one or several messages of a topic, what the broker stored about each of them with the
    ONS API operation C(OnsMessageGetByMsgId) (RAM action C(mq:QueryMessage)), that is the producer and
    broker addresses, when it was sent and stored, its size, how often it was delivered again, the CRC of
    its body and its properties (tag, keys and user properties). The body itself is not returned.
  - A message the API does not know (C(BIZ_NO_MESSAGE)) is returned with RV(messages[].found=false); the
    task does not fail. An unknown topic (C(BIZ_TOPIC_NOT_FOUND)) or instance fails it.
  - Several messages are queried concurrently, within O(rate_limit).
  - To learn which consumer groups consumed a message, use M(apsaramq.rocketmq.ons_trace_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.messages
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_trace_info
"""

EXAMPLES = r"""
- name: Look up the canary message the deployment sent
  apsaramq.rocketmq.ons_message_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    topic: orders
    msg_id: 0A0001050000217A000000000000A1B2
  register: canary

- name: Require that it was stored, with the tag the consumers filter on, and never redelivered
  ansible.builtin.assert:
    that:
      - canary.found
      - canary.properties.TAGS == 'created'
      - canary.reconsume_times == 0

- name: Look up several messages of one topic
  apsaramq.rocketmq.ons_message_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    topic: orders
    msg_ids:
      - 0A0001050000217A000000000000A1B2
      - 0A0001050000217A000000000000A1B3
  register: looked_up

- name: Name the messages the broker does not know
  ansible.builtin.debug:
    msg: "{{ looked_up.messages | rejectattr('found') | map(attribute='msg_id') | list }}"
"""

RETURN = r"""
messages:
  description: One entry per requested message, in the order of O(msg_ids) (or the one O(msg_id)).
  returned: success
  type: list
  elements: dict
  contains:
    msg_id:
      description: ID of the message, as asked for.
      type: str
      sample: 0A0001050000217A000000000000A1B2
    topic:
      description: Topic of the message.
      type: str
      sample: orders
    instance_id:
      description: ID of the instance of the message.
      type: str
      sample: MQ_INST_1234567890_DEMO
    found:
      description:
        - Whether the API knows the message. V(false) when it answered C(BIZ_NO_MESSAGE); the other facts
          are then V(null) and RV(messages[].properties) is empty.
      type: bool
      sample: true
    born_host:
      description: Address of the producer that sent the message.
      type: str
      sample: "10.0.1.5:53012"
    born_timestamp:
      description: When the producer sent the message, in milliseconds since the epoch.
      type: int
      sample: 1731000000000
    store_host:
      description: Address of the broker that stored the message.
      type: str
      sample: "11.193.10.12:10911"
    store_timestamp:
      description: When the broker stored the message, in milliseconds since the epoch.
      type: int
      sample: 1731000000003
    store_size:
      description: Size of the stored message, in bytes.
      type: int
      sample: 406
    reconsume_times:
      description: How many times the message was delivered again after a failed consumption.
      type: int
      sample: 0
    body_crc:
      description: CRC of the message body.
      type: int
      sample: 1839465112
    properties:
      description:
        - Properties of the message, name to value, such as C(TAGS) (its tag), C(KEYS) and C(UNIQ_KEY),
          and the user properties the producer set. Empty when the message was not found.
      type: dict
      sample: {"TAGS": "created", "KEYS": "order-1001", "UNIQ_KEY": "0A0001050000217A000000000000A1B2"}
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 7A1C3E5B-9D2F-4B6A-8C0E-1F3A5C7E9B2D
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this message failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(messages[].found) is V(false), the
          other facts are V(null) and RV(messages[].properties) is empty. Whether the message exists is then unknown.
      type: dict
      sample: null
msg_id:
  description: With O(msg_id), the ID of the message (the keys of the single entry of RV(messages) are also given at the top level).
  returned: success and O(msg_id) is set
  type: str
  sample: 0A0001050000217A000000000000A1B2
topic:
  description: With O(msg_id), the topic of the message.
  returned: success and O(msg_id) is set
  type: str
  sample: orders
instance_id:
  description: With O(msg_id), the ID of the instance.
  returned: success and O(msg_id) is set
  type: str
  sample: MQ_INST_1234567890_DEMO
found:
  description: With O(msg_id), whether the API knows the message.
  returned: success and O(msg_id) is set
  type: bool
  sample: true
born_host:
  description: With O(msg_id), the address of the producer.
  returned: success and O(msg_id) is set
  type: str
  sample: "10.0.1.5:53012"
born_timestamp:
  description: With O(msg_id), when the producer sent the message, in milliseconds since the epoch.
  returned: success and O(msg_id) is set
  type: int
  sample: 1731000000000
store_host:
  description: With O(msg_id), the address of the broker.
  returned: success and O(msg_id) is set
  type: str
  sample: "11.193.10.12:10911"
store_timestamp:
  description: With O(msg_id), when the broker stored the message, in milliseconds since the epoch.
  returned: success and O(msg_id) is set
  type: int
  sample: 1731000000003
store_size:
  description: With O(msg_id), the size of the stored message, in bytes.
  returned: success and O(msg_id) is set
  type: int
  sample: 406
reconsume_times:
  description: With O(msg_id), how many times the message was delivered again.
  returned: success and O(msg_id) is set
  type: int
  sample: 0
body_crc:
  description: With O(msg_id), the CRC of the message body.
  returned: success and O(msg_id) is set
  type: int
  sample: 1839465112
properties:
  description: With O(msg_id), the properties of the message, as in RV(messages[].properties).
  returned: success and O(msg_id) is set
  type: dict
  sample: {"TAGS": "created", "UNIQ_KEY": "0A0001050000217A000000000000A1B2"}
request_id:
  description: With O(msg_id), the ID of the API request.
  returned: success and O(msg_id) is set
  type: str
  sample: 7A1C3E5B-9D2F-4B6A-8C0E-1F3A5C7E9B2D
error:
  description: With O(msg_id), the error of the query when O(fail_on_error=false), as in RV(messages[].error).
  returned: success and O(msg_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import OnsModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import message_entry, query_message


def main():
    OnsModule.for_messages().exit_with_messages("get message", query_message, message_entry)


if __name__ == "__main__":
    main()
