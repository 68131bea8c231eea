#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_trace_info
short_description: Which consumer groups of ApsaraMQ for RocketMQ consumed a message
version_added: 0.1.0
description:
  - Tells, for one or several messages of a topic, which consumer groups consumed each of them, with the
    ONS API operation C(OnsMessageTrace) (RAM action C(mq:QueryMessageTrace)).
  - A message the API does not know (C(BIZ_NO_MESSAGE)) is returned with RV(messages[].found=false); the
    task does not fail.
  - The answer rests on the consumer offsets of each group; after an offset reset or a purge of
    accumulated messages it can be wrong.
  - Several messages are queried concurrently, within O(rate_limit).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.messages
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_consumer_connection_info
"""

EXAMPLES = r"""
- name: Trace the canary message sent by the deployment
  apsaramq.rocketmq.ons_trace_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    topic: orders
    msg_id: 0A0001050000217A000000000000A1B2
  register: canary

- name: Require that the billing group consumed it
  ansible.builtin.assert:
    that:
      - canary.found
      - canary.tracks | selectattr('consumer_group', 'equalto', 'GID_billing')
        | selectattr('track_type', 'equalto', 'CONSUMED') | list | length == 1

- name: Trace several messages of one topic
  apsaramq.rocketmq.ons_trace_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    topic: orders
    msg_ids:
      - 0A0001050000217A000000000000A1B2
      - 0A0001050000217A000000000000A1B3
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
      sample: 0A0001050000217A000000000000A1B2
    topic:
      description: Topic of the message, as given in O(topic).
      type: str
      sample: orders
    found:
      description: Whether the API knows the message. V(false) when it answered C(BIZ_NO_MESSAGE).
      type: bool
      sample: true
    tracks:
      description: One entry per consumer group subscribed to the topic; empty when the message was not found.
      type: list
      elements: dict
      contains:
        consumer_group:
          description: ID of the consumer group.
          type: str
          sample: GID_billing
        track_type:
          description:
            - What the group did with the message, as the API says it.
            - C(CONSUMED); C(CONSUMED_BUT_FILTERED) (the group's tag filter excludes the message);
              C(NOT_CONSUME_YET); C(NOT_ONLINE) (no client of the group online); C(CONSUME_BROADCASTING)
              (a broadcasting group, which has no server-side offset); C(PULL) (a pull consumer, not
              evaluated); C(UNKNOWN). Treat any other value as unknown, never as consumed.
          type: str
          sample: CONSUMED
        instance_id:
          description: ID of the instance of the group.
          type: str
          sample: MQ_INST_1234567890_DEMO
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 6F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this message failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)), RV(messages[].found) is V(false)
          and RV(messages[].tracks) is empty. Whether the message was consumed is then unknown.
      type: dict
      sample: null
msg_id:
  description: With O(msg_id), the ID of the message (the keys of the single entry of RV(messages) are also given at the top level).
  returned: success and O(msg_id) is set
  type: str
  sample: 0A0001050000217A000000000000A1B2
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
tracks:
  description: With O(msg_id), the tracks of the message, as in RV(messages[].tracks).
  returned: success and O(msg_id) is set
  type: list
  elements: dict
  sample:
    - consumer_group: GID_billing
      track_type: CONSUMED
      instance_id: MQ_INST_1234567890_DEMO
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

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import OnsModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import query_trace, trace_entry


def main():
    OnsModule.for_messages().exit_with_messages(
        "trace message", query_trace, lambda instance_id, topic, msg_id: trace_entry(topic, msg_id))


if __name__ == "__main__":
    main()
