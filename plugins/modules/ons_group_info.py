#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_group_info
short_description: List the consumer groups of an ApsaraMQ for RocketMQ instance
version_added: 0.1.0
description:
  - Lists the consumer groups (group IDs) of an instance with the ONS API operation C(OnsGroupList)
    (RAM action C(mq:ListGroup)), with their protocol, owner, remark, creation and update times, and tags.
  - The list can be narrowed by part of the group ID, by protocol and by tags; the API does the filtering.
  - The API itself lists only TCP groups when it is not told a protocol. So that no group is missed,
    this module lists every protocol unless O(group_type) narrows it, asking the API once for the TCP
    groups and once for the HTTP groups.
  - A RAM user sees only the groups it has permissions on; the others are left out of the answer
    without an error.
  - No group matching is not an error; RV(groups) is then empty. Use it to check that the groups a
    release needs exist before checking their health.
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  instance_id:
    description:
      - ID of the instance whose groups are listed, for example C(MQ_INST_1234567890_DEMO).
    type: str
    required: true
  group_id:
    description:
      - List only the groups whose ID contains this text, for example C(GID_orders) matches
        C(GID_orders) and C(GID_orders_retry).
      - Leave it out to list every group of the instance.
    type: str
  group_type:
    description:
      - List only the groups of this protocol. C(tcp) groups are used by TCP client SDKs, C(http) groups
        by HTTP client SDKs.
      - V(all) lists the groups of both, TCP groups first, then HTTP groups; it costs two API calls.
      - The API's own default, when a caller sends no protocol, is C(tcp); this module's is V(all).
    type: str
    choices: [all, tcp, http]
    default: all
  tags:
    description:
      - List only the groups that carry every one of these tags, with these values.
      - Keys and values are strings of at most 128 characters that do not start with C(acs:) or
        C(aliyun); at most 20 tags.
    type: dict
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_consumer_connection_info
  - module: apsaramq.rocketmq.ons_instance_info
"""

EXAMPLES = r"""
- name: List the groups of the orders service
  apsaramq.rocketmq.ons_group_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_id: GID_orders
  register: orders_groups

- name: Require the groups the release consumes with
  ansible.builtin.assert:
    that:
      - "'GID_orders' in orders_groups.group_ids"
      - "'GID_orders_retry' in orders_groups.group_ids"

- name: List the TCP groups tagged for production and owned by the payments team
  apsaramq.rocketmq.ons_group_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_type: tcp
    tags:
      env: prod
      team: payments
  register: payments_groups

- name: Check the health of every group found
  apsaramq.rocketmq.ons_consumer_connection_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    group_ids: "{{ payments_groups.group_ids }}"
  when: payments_groups.group_ids | length > 0
"""

RETURN = r"""
groups:
  description:
    - The groups of the instance that match the filters, in the order the API gives them; with
      O(group_type=all), the TCP groups first, then the HTTP groups.
  returned: success
  type: list
  elements: dict
  contains:
    group_id:
      description: ID of the group.
      type: str
      sample: GID_orders
    group_type:
      description:
        - Protocol of the group, C(tcp) or C(http).
        - When the API's answer does not say, the protocol the module asked for.
      type: str
      sample: tcp
    instance_id:
      description: ID of the instance of the group.
      type: str
      sample: MQ_INST_1234567890_DEMO
    independent_naming:
      description: Whether the instance has a namespace of its own (group IDs need only be unique within it).
      type: bool
      sample: true
    owner:
      description: ID of the Alibaba Cloud account that owns the group.
      type: str
      sample: "1234567890123456"
    remark:
      description: Description of the group.
      type: str
      sample: Consumes the orders topic for the shipping service
    create_time:
      description: When the group was created, in milliseconds since the epoch.
      type: int
      sample: 1700000000000
    update_time:
      description: When the group was last changed, in milliseconds since the epoch.
      type: int
      sample: 1700000000000
    tags:
      description: Tags of the group, key to value; empty when it has none.
      type: dict
      sample: {"env": "prod", "team": "payments"}
group_ids:
  description: The IDs of RV(groups), in the same order.
  returned: success
  type: list
  elements: str
  sample: [GID_orders, GID_orders_retry]
request_id:
  description: ID of the (first) API request, for Alibaba Cloud support.
  returned: success
  type: str
  sample: 1F3A8C2E-9B4D-4C6E-8A2F-5D7B9E1C3A40
request_ids:
  description: IDs of every API request the listing made, one per protocol asked, in the order of RV(groups).
  returned: success
  type: list
  elements: str
  sample: [1F3A8C2E-9B4D-4C6E-8A2F-5D7B9E1C3A40, 2A4B6C8D-0E1F-4A3B-8C5D-7E9F1A3B5C70]
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import OnsModule
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import GROUP_TYPES


def main():
    ons = OnsModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            group_id=dict(type="str"),
            group_type=dict(type="str", default="all", choices=["all"] + list(GROUP_TYPES)),
            tags=dict(type="dict"),
        ),
    )
    ons.exit_with_group_list()


if __name__ == "__main__":
    main()
