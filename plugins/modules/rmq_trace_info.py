#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rmq_trace_info
short_description: What the consumer groups of ApsaraMQ for RocketMQ 5.x did with a message
version_added: 0.3.0
description:
  - Tells, for one or several messages of a topic of a 5.x instance, what each consumer group did with
    each of them, with the API operation C(GetTrace) of C(RocketMQ) 2022-08-01 (RAM action
    C(rocketmq:GetTrace)), with the group's consume status, each delivery to a client, and whether the
    message ended in the dead-letter topic.
  - The instance needs message trace on (RV(apsaramq.rocketmq.rmq_instance_info#module:instances[].trace_on)).
  - A message the API says does not exist is returned with RV(messages[].found=false); the task does not
    fail. An unknown topic or instance fails it.
  - The API does not enumerate the values of RV(messages[].consumers[].consume_status); treat a value you
    do not know as not consumed.
  - Several messages are queried concurrently, within O(rate_limit).
  - For 4.x instances (C(MQ_INST_...)) use M(apsaramq.rocketmq.ons_trace_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
extends_documentation_fragment:
  - apsaramq.rocketmq.rmq
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.rmq.messages
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.rmq.attributes
seealso:
  - module: apsaramq.rocketmq.rmq_consumer_lag_info
  - module: apsaramq.rocketmq.ons_trace_info
"""

EXAMPLES = r"""
- name: Trace the canary message sent by the deployment
  apsaramq.rocketmq.rmq_trace_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    topic: orders
    msg_id: 01F4A1B2C3D4E5F60718293A4B5C6D7E
  register: canary

- name: Require that the billing group consumed it and nothing went to the dead-letter topic
  ansible.builtin.assert:
    that:
      - canary.found
      - canary.consumers | selectattr('group_id', 'equalto', 'GID_billing') | list | length == 1
      - canary.consumers | selectattr('dead_message') | list == []

- name: Trace several messages of one topic
  apsaramq.rocketmq.rmq_trace_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    topic: orders
    msg_ids:
      - 01F4A1B2C3D4E5F60718293A4B5C6D7E
      - 01F4A1B2C3D4E5F60718293A4B5C6D7F
  register: traced
"""

RETURN = r"""
messages:
  description: One entry per requested message, in the order of O(msg_ids) (or the one O(msg_id)).
  returned: success
  type: list
  elements: dict
  contains:
    msg_id:
      description: ID of the message.
      type: str
      sample: 01F4A1B2C3D4E5F60718293A4B5C6D7E
    topic:
      description: Topic of the message, as given in O(topic).
      type: str
      sample: orders
    found:
      description: Whether the API knows the message.
      type: bool
      sample: true
    consumers:
      description: One entry per consumer group the trace names; empty when the message was not found.
      type: list
      elements: dict
      contains:
        group_id:
          description: ID of the consumer group.
          type: str
          sample: GID_billing
        consume_status:
          description: What the group did with the message, as the API says it. An unknown value is not a consumption.
          type: str
          sample: CONSUME_SUCCESS
        dead_message:
          description: Whether the message went to the group's dead-letter topic after failing every retry.
          type: bool
          sample: false
        dead_letter:
          description: Where the message went when it is a dead message; V(null) otherwise.
          type: dict
          contains:
            msg_id:
              description: ID of the message in the dead-letter topic.
              type: str
              sample: 01F4A1B2C3D4E5F60718293A4B5C6D80
            topic:
              description: The dead-letter topic.
              type: str
              sample: DLQ_billing
            to_dlq_time:
              description: When the message went there, C(YYYY-MM-DD HH:mm:ss) as the API gives it.
              type: str
              sample: "2026-01-05 10:20:00"
        records:
          description: Each delivery of the message to a client of the group.
          type: list
          elements: dict
          contains:
            client_host:
              description: Host of the client.
              type: str
              sample: 10.0.1.5
            consume_status:
              description: Outcome of this delivery, as the API says it.
              type: str
              sample: CONSUME_SUCCESS
            operations:
              description: What happened to the delivery, in order.
              type: list
              elements: dict
              contains:
                operate_type:
                  description: Kind of operation, as the API says it (such as a receive or an acknowledgement).
                  type: str
                  sample: ACK
                operate_time:
                  description: When, C(YYYY-MM-DD HH:mm:ss) as the API gives it.
                  type: str
                  sample: "2026-01-05 10:12:01"
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 6F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this message failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(messages[].found) is V(false)
          and RV(messages[].consumers) is empty. Whether the message was consumed is then unknown.
      type: dict
      sample: null
msg_id:
  description: With O(msg_id), the ID of the message (the keys of the single entry of RV(messages) are also given at the top level).
  returned: success and O(msg_id) is set
  type: str
  sample: 01F4A1B2C3D4E5F60718293A4B5C6D7E
topic:
  description: With O(msg_id), the topic given.
  returned: success and O(msg_id) is set
  type: str
  sample: orders
found:
  description: With O(msg_id), whether the API knows the message.
  returned: success and O(msg_id) is set
  type: bool
  sample: true
consumers:
  description: With O(msg_id), what each group did with the message, as in RV(messages[].consumers).
  returned: success and O(msg_id) is set
  type: list
  elements: dict
  sample:
    - group_id: GID_billing
      consume_status: CONSUME_SUCCESS
      dead_message: false
      dead_letter: null
      records: []
request_id:
  description: With O(msg_id), the ID of the API request.
  returned: success and O(msg_id) is set
  type: str
  sample: 6F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9
error:
  description: With O(msg_id), the error of the query when O(fail_on_error=false), as in RV(messages[].error).
  returned: success and O(msg_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_module import RmqModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_queries import get_trace, trace_entry


def main():
    RmqModule.for_messages().exit_with_messages(
        "trace message", get_trace, lambda instance_id, topic, msg_id: trace_entry(topic, msg_id))


if __name__ == "__main__":
    main()
