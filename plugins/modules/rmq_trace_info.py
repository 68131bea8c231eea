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
  - Message trace is on for every 5.x instance; the instance's C(traceOn) flag
    (RV(apsaramq.rocketmq.rmq_instance_info#module:instances[].trace_on)) does not take effect, except for Serverless
    instances in China regions (the API's documentation).
  - The message is looked for among those stored in a time window (C(startTime) and C(endTime) of C(GetTrace)), by
    default the O(lookback) seconds (a week) before now. The API's own default window, used when none is sent, is not
    published.
  - A message the API says does not exist (in the window) is returned with RV(messages[].found=false); the task
    does not fail. An unknown topic or instance fails it.
  - The published examples of the API name the consume status C(SUCCESS) (consumed) and C(FAILED); the API does
    not enumerate the values of RV(messages[].consumers[].consume_status); treat a value you do not know as not
    consumed.
  - A scheduled message (RV(messages[].scheduled)) has no consumer before its delivery time
    (RV(messages[].preset_delay_time)); RV(messages[].due) tells whether that time has come.
  - Several messages are queried concurrently, within O(rate_limit).
  - For 4.x instances (C(MQ_INST_...)) use M(apsaramq.rocketmq.ons_trace_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  begin_time:
    description:
      - Start of the window in which the message was stored, included. Epoch milliseconds (V(1796637600000)), or
        an ISO 8601 time with a zone (V(2026-12-07T10:00:00Z), V(2026-12-07T18:00:00+08:00)); a time without a
        zone is refused, as it names no one moment.
      - When not set, the window starts O(lookback) seconds before O(end_time).
      - From 2000-01-01 to 2100-01-01, not after O(end_time), at most 30 days before it.
    type: raw
  end_time:
    description:
      - End of the window, included, in the forms of O(begin_time). Defaults to now.
    type: raw
  lookback:
    description:
      - Without O(begin_time), the length of the window in seconds, ending at O(end_time). From 1 to 2592000
        (30 days). The default, a week, is the longest default retention of 5.x messages.
    type: int
    default: 604800
  time_zone:
    description:
      - The zone of the API's times, as an offset from UTC (V(+08:00), V(-05:30)), or V(Z) or V(UTC); from
        V(-12:00) to V(+14:00).
      - The API does not publish the zone of its times. Null sends the window widened by the widest offsets (from
        12 hours before O(begin_time) to 14 hours after O(end_time), as UTC wall clocks), so that the message is
        found whatever the zone; RV(messages[].due) of a scheduled message is then V(null) while its delivery time
        read in some zone is past and in another is not.
      - Given, the window is sent in that zone and RV(messages[].preset_delay_time) is read in it.
    type: str
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
      - canary.consumers | selectattr('group_id', 'equalto', 'GID_billing') | map(attribute='consume_status') | list == ['SUCCESS']
      - canary.consumers | selectattr('dead_message') | list == []

- name: Trace a message sent yesterday, the API's times being in UTC+8
  apsaramq.rocketmq.rmq_trace_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    topic: orders
    msg_id: 01F4A1B2C3D4E5F60718293A4B5C6D7E
    begin_time: "2026-12-06T00:00:00+08:00"
    end_time: "2026-12-07T00:00:00+08:00"
    time_zone: "+08:00"
  register: yesterday

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
          description:
            - What the group did with the message, as the API says it, such as C(SUCCESS) (consumed) or C(FAILED), the
              words of the API's published examples. An unknown value is not a consumption.
          type: str
          sample: SUCCESS
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
              description: Outcome of this delivery, as the API says it, such as C(SUCCESS) or C(FAILED).
              type: str
              sample: SUCCESS
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
    begin_time:
      description: Start of the window the message was looked for in, included, in epoch milliseconds.
      type: int
      sample: 1796032800000
    end_time:
      description: End of the window, included, in epoch milliseconds.
      type: int
      sample: 1796637600000
    time_zone:
      description: The zone of the API's times, as given in O(time_zone); V(null) when not known.
      type: str
      sample: "+08:00"
    scheduled:
      description:
        - Whether the message is a scheduled (delay) message, whose trace gives its delivery time
          (RV(messages[].preset_delay_time)); V(null) when the message was not found.
      type: bool
      sample: false
    delay_status:
      description: Status of a scheduled message, as the API says it (C(brokerInfo.delayStatus)); V(null) otherwise.
      type: str
      sample: null
    preset_delay_time:
      description: When a scheduled message is delivered, C(YYYY-MM-DD HH:mm:ss) as the API gives it; V(null) otherwise.
      type: str
      sample: null
    preset_delay_timestamp:
      description: RV(messages[].preset_delay_time) in epoch milliseconds, read in O(time_zone); V(null) without it.
      type: int
      sample: null
    due:
      description:
        - Whether the message's delivery time has come, so that its consumers can have it. V(true) for a message
          that is not scheduled. For a scheduled one, V(null) when O(time_zone) is not given and the delivery time
          read in some zone is past and in another is not; V(null) too when the message was not found.
      type: bool
      sample: true
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
      consume_status: SUCCESS
      dead_message: false
      dead_letter: null
      records: []
begin_time:
  description: With O(msg_id), the start of the window, in epoch milliseconds.
  returned: success and O(msg_id) is set
  type: int
  sample: 1796032800000
end_time:
  description: With O(msg_id), the end of the window, in epoch milliseconds.
  returned: success and O(msg_id) is set
  type: int
  sample: 1796637600000
time_zone:
  description: With O(msg_id), the zone of the API's times as given, or V(null).
  returned: success and O(msg_id) is set
  type: str
  sample: null
scheduled:
  description: With O(msg_id), whether the message is a scheduled message, as in RV(messages[].scheduled).
  returned: success and O(msg_id) is set
  type: bool
  sample: false
delay_status:
  description: With O(msg_id), the status of a scheduled message, or V(null).
  returned: success and O(msg_id) is set
  type: str
  sample: null
preset_delay_time:
  description: With O(msg_id), when a scheduled message is delivered, or V(null).
  returned: success and O(msg_id) is set
  type: str
  sample: null
preset_delay_timestamp:
  description: With O(msg_id), that time in epoch milliseconds when O(time_zone) is given, or V(null).
  returned: success and O(msg_id) is set
  type: int
  sample: null
due:
  description: With O(msg_id), whether the message's delivery time has come, as in RV(messages[].due).
  returned: success and O(msg_id) is set
  type: bool
  sample: true
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
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import TRACE_WINDOW_OPTIONS, parse_time_zone, time_window


def main():
    rmq = RmqModule.for_messages(dict(TRACE_WINDOW_OPTIONS, time_zone=dict(type="str")))
    time_zone = rmq.params["time_zone"]
    begin_ms = end_ms = None
    try:
        if time_zone is not None:
            parse_time_zone(time_zone)
        begin_ms, end_ms = time_window(rmq.params["begin_time"], rmq.params["end_time"], rmq.params["lookback"])
    except ValueError as exc:
        rmq.fail_json(msg=str(exc))

    def query(client, instance_id, topic, msg_id):
        return get_trace(client, instance_id, topic, msg_id, begin_ms, end_ms, time_zone)

    rmq.exit_with_messages("trace message", query,
                           lambda instance_id, topic, msg_id: trace_entry(topic, msg_id, None, begin_ms, end_ms, time_zone))


if __name__ == "__main__":
    main()
