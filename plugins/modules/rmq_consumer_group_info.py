#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rmq_consumer_group_info
short_description: The consumer groups of an ApsaraMQ for RocketMQ 5.x instance, with their retry policy
version_added: 0.3.0
description:
  - Without O(group_id) and O(group_ids), lists every consumer group of a 5.x instance with the API
    operation C(ListConsumerGroups) of C(RocketMQ) 2022-08-01 (RAM action C(rocketmq:ListConsumerGroups)),
    following every page of the listing.
  - The listing is whole or the task fails with C(InvalidResponse), never a shorter list - when its pages hold
    fewer distinct groups than its C(totalCount), when a page repeats an earlier one, or when it needs more than
    100 pages of 100 groups (10,000 groups; narrow it with O(filter)). A group listed again because the list moved
    between pages is kept once.
  - With O(group_id) or O(group_ids), gives the settings of each group with C(GetConsumerGroup) (RAM action
    C(rocketmq:GetConsumerGroup)), with its delivery order, its consumption retry policy and its
    dead-letter topic, which the listing does not give. Several groups are queried concurrently, within O(rate_limit).
  - For 4.x instances (C(MQ_INST_...)) use M(apsaramq.rocketmq.ons_group_info).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  instance_id:
    description:
      - ID of the 5.x instance, for example C(rmq-cn-2r42vrvde0j).
    type: str
    required: true
  group_id:
    description:
      - ID of one consumer group to describe. Mutually exclusive with O(group_ids).
      - A group the instance does not have fails the task with C(ConsumerGroup.NotFound).
    type: str
  group_ids:
    description:
      - IDs of several consumer groups to describe. Mutually exclusive with O(group_id).
      - Each group is queried once; RV(groups) keeps the order given here.
    type: list
    elements: str
  filter:
    description:
      - Without O(group_id) and O(group_ids), list only the groups whose ID holds this text (the API's
        C(filter)). Not accepted with O(group_id) or O(group_ids).
    type: str
extends_documentation_fragment:
  - apsaramq.rocketmq.rmq
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.rmq.attributes
seealso:
  - module: apsaramq.rocketmq.rmq_consumer_connection_info
  - module: apsaramq.rocketmq.ons_group_info
"""

EXAMPLES = r"""
- name: List the consumer groups of the orders instance
  apsaramq.rocketmq.rmq_consumer_group_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
  register: listing

- name: Show the groups that are not running
  ansible.builtin.debug:
    msg: "{{ listing.groups | rejectattr('status', 'equalto', 'RUNNING') | map(attribute='group_id') | list }}"

- name: Read the retry policy of the orders group
  apsaramq.rocketmq.rmq_consumer_group_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
    group_id: GID_orders
  register: orders

- name: Require a dead-letter topic and at most 16 retries
  ansible.builtin.assert:
    that:
      - orders.dead_letter_topic is not none
      - orders.consume_retry_policy.max_retry_times <= 16
"""

RETURN = r"""
groups:
  description:
    - One entry per group, in the order of O(group_ids) (or the one O(group_id)); without them, every group
      of the instance in the order the API lists them.
    - The listing gives neither RV(groups[].delivery_order_type), RV(groups[].exclusive) nor
      RV(groups[].consume_retry_policy), which are V(null) there.
  returned: success
  type: list
  elements: dict
  contains:
    group_id:
      description: ID of the group.
      type: str
      sample: GID_orders
    instance_id:
      description: ID of the instance of the group.
      type: str
      sample: rmq-cn-2r42vrvde0j
    status:
      description: Status of the group as the API gives it, such as C(RUNNING) or C(CREATING).
      type: str
      sample: RUNNING
    message_model:
      description:
        - The group's model as the API gives it, C(CLUSTERING) or C(LITE_SELECTIVE). Broadcasting is a choice of the
          clients, which M(apsaramq.rocketmq.rmq_consumer_connection_info) and
          M(apsaramq.rocketmq.rmq_consumer_subscription_info) tell (C(BROADCASTING)), never the group's.
      type: str
      sample: CLUSTERING
    delivery_order_type:
      description: C(Concurrently) or C(Orderly); V(null) in the listing.
      type: str
      sample: Concurrently
    max_receive_tps:
      description:
        - Most messages per second the group may consume, as the API gives it; V(null) when the API does not say.
        - A negative value such as V(-1) is returned as it comes; the API may send it for no limit (not published).
      type: int
      sample: 1000
    topic_name:
      description: The lite topic of a C(LITE_SELECTIVE) group (the API's C(topicName)); V(null) otherwise.
      type: str
      sample: null
    exclusive:
      description: Whether the group consumes exclusively (C(exclusive)); V(null) in the listing, which does not give it.
      type: bool
      sample: false
    remark:
      description: Description of the group.
      type: str
      sample: Consumes the orders topic
    create_time:
      description: When the group was created, C(YYYY-MM-DD HH:mm:ss) as the API gives it.
      type: str
      sample: "2026-01-05 10:12:00"
    update_time:
      description: When the group was last changed, C(YYYY-MM-DD HH:mm:ss) as the API gives it.
      type: str
      sample: "2026-02-01 08:30:00"
    consume_retry_policy:
      description: How failed messages are delivered again; V(null) in the listing or when the API gives none.
      type: dict
      contains:
        retry_policy:
          description: C(DefaultRetryPolicy) (backoff) or C(FixedRetryPolicy) (a fixed interval).
          type: str
          sample: DefaultRetryPolicy
        max_retry_times:
          description: Most deliveries of a failed message before it goes to the dead-letter topic.
          type: int
          sample: 16
        fixed_interval_retry_time:
          description: Seconds between retries with C(FixedRetryPolicy); V(null) otherwise.
          type: int
          sample: null
        dead_letter_target_topic:
          description: Topic that receives the messages that failed every retry; V(null) when none is set.
          type: str
          sample: DLQ_orders
    dead_letter_topic:
      description: The dead-letter topic of RV(groups[].consume_retry_policy); V(null) when none is set or in the listing.
      type: str
      sample: DLQ_orders
    request_id:
      description: ID of the API request that gave this entry (the first page's in the listing).
      type: str
      sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this group failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)) and the other facts are V(null).
      type: dict
      sample: null
group_ids:
  description: Without O(group_id) and O(group_ids), the IDs of the groups listed, in order.
  returned: success, without O(group_id) and O(group_ids)
  type: list
  elements: str
  sample: [GID_billing, GID_orders]
total_count:
  description: Without O(group_id) and O(group_ids), the number of groups the API counted.
  returned: success, without O(group_id) and O(group_ids)
  type: int
  sample: 2
request_ids:
  description: Without O(group_id) and O(group_ids), the request ID of each page of the listing.
  returned: success, without O(group_id) and O(group_ids)
  type: list
  elements: str
  sample: [5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E]
group_id:
  description: With O(group_id), the ID of the group (the keys of the single entry of RV(groups) are also given at the top level).
  returned: success and O(group_id) is set
  type: str
  sample: GID_orders
instance_id:
  description: The instance ID given.
  returned: success, unless O(group_ids) is set
  type: str
  sample: rmq-cn-2r42vrvde0j
status:
  description: With O(group_id), the status of the group.
  returned: success and O(group_id) is set
  type: str
  sample: RUNNING
message_model:
  description: With O(group_id), the message model of the group.
  returned: success and O(group_id) is set
  type: str
  sample: CLUSTERING
delivery_order_type:
  description: With O(group_id), C(Concurrently) or C(Orderly).
  returned: success and O(group_id) is set
  type: str
  sample: Concurrently
max_receive_tps:
  description: With O(group_id), the most messages per second the group may consume, as the API gives it (V(-1) included).
  returned: success and O(group_id) is set
  type: int
  sample: 1000
topic_name:
  description: With O(group_id), the topic of a C(LITE_SELECTIVE) group, or V(null).
  returned: success and O(group_id) is set
  type: str
  sample: null
exclusive:
  description: With O(group_id), whether the group consumes exclusively.
  returned: success and O(group_id) is set
  type: bool
  sample: false
remark:
  description: With O(group_id), the description of the group.
  returned: success and O(group_id) is set
  type: str
  sample: Consumes the orders topic
create_time:
  description: With O(group_id), when the group was created.
  returned: success and O(group_id) is set
  type: str
  sample: "2026-01-05 10:12:00"
update_time:
  description: With O(group_id), when the group was last changed.
  returned: success and O(group_id) is set
  type: str
  sample: "2026-02-01 08:30:00"
consume_retry_policy:
  description: With O(group_id), the retry policy, as in RV(groups[].consume_retry_policy).
  returned: success and O(group_id) is set
  type: dict
  sample:
    retry_policy: DefaultRetryPolicy
    max_retry_times: 16
    fixed_interval_retry_time: null
    dead_letter_target_topic: DLQ_orders
dead_letter_topic:
  description: With O(group_id), the dead-letter topic, or V(null).
  returned: success and O(group_id) is set
  type: str
  sample: DLQ_orders
request_id:
  description: The ID of the API request, with O(group_id) or (of its first page) when listing.
  returned: success, unless O(group_ids) is set
  type: str
  sample: 5E1D8D0C-8A43-4A7B-9B67-3F1A2B4C5D6E
error:
  description: With O(group_id), the error of the query when O(fail_on_error=false), as in RV(groups[].error).
  returned: success and O(group_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import BATCH_ARGUMENT_SPEC
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_module import RmqModule


def main():
    rmq = RmqModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            group_id=dict(type="str"),
            group_ids=dict(type="list", elements="str"),
            filter=dict(type="str"),
            **BATCH_ARGUMENT_SPEC
        ),
        mutually_exclusive=[("group_id", "group_ids")],
    )
    rmq.exit_with_consumer_groups()


if __name__ == "__main__":
    main()
