#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ons_instance_info
short_description: Facts about ApsaraMQ for RocketMQ instances and their endpoints
version_added: 0.1.0
description:
  - With O(instance_id) or O(instance_ids), gives the facts and the endpoints of each instance with
    the ONS API operation C(OnsInstanceBaseInfo) (RAM action C(mq:OnsInstanceBaseInfo); older policies
    name it C(mq:QueryInstanceBaseInfo)). Several instances are queried concurrently, within O(rate_limit).
  - With neither, lists the instances of the region with the operation C(OnsInstanceInServiceList)
    (RAM action C(mq:QueryInstanceBaseInfo)), optionally only those with some tags, and with O(need_resource_info)
    the number of groups and topics of each. A RAM user sees only the instances it has permissions on;
    the others are left out of the answer without an error.
  - The two operations do not give the same facts, and a fact the operation used does not give is V(null).
    The tags and the numbers of groups and topics come only from the list; the endpoints, the
    maximum TPS, the topic capacity and the remark only from O(instance_id) and O(instance_ids).
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  instance_id:
    description:
      - ID of the instance to describe, for example C(MQ_INST_1234567890_DEMO). Mutually exclusive with
        O(instance_ids).
      - An instance the API does not know fails the task with C(INSTANCE_NOT_FOUND).
    type: str
  instance_ids:
    description:
      - IDs of several instances to describe. Mutually exclusive with O(instance_id).
      - Each instance is queried once; RV(instances) keeps the order given here.
    type: list
    elements: str
  tags:
    description:
      - Without O(instance_id) and O(instance_ids), list only the instances that carry every one of these
        tags, with these values. Not accepted with O(instance_id) or O(instance_ids).
      - Keys and values are strings of at most 128 characters that do not start with C(acs:) or
        C(aliyun); at most 20 tags.
    type: dict
  need_resource_info:
    description:
      - Without O(instance_id) and O(instance_ids), also give the number of groups and of topics of each
        instance in RV(instances[].group_count) and RV(instances[].topic_count). Not accepted with
        O(instance_id) or O(instance_ids).
    type: bool
    default: false
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.ons.attributes
seealso:
  - module: apsaramq.rocketmq.ons_group_info
"""

EXAMPLES = r"""
- name: Get the endpoints of the production instance
  apsaramq.rocketmq.ons_instance_info:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
  register: instance

- name: Require a running instance and hand its TCP endpoint to the release
  ansible.builtin.assert:
    that:
      - instance.instance_status in [5, 7]
      - instance.endpoints.tcp_endpoint is not none

- name: List the production instances with their numbers of groups and topics
  apsaramq.rocketmq.ons_instance_info:
    region: cn-hangzhou
    tags:
      env: prod
    need_resource_info: true
  register: prod

- name: Show the instances that hold no group
  ansible.builtin.debug:
    msg: "{{ prod.instances | selectattr('group_count', 'equalto', 0) | map(attribute='instance_id') | list }}"
"""

RETURN = r"""
instances:
  description:
    - One entry per instance, in the order of O(instance_ids) (or the one O(instance_id)); without them,
      the instances of the region in the order the API gives them.
  returned: success
  type: list
  elements: dict
  contains:
    instance_id:
      description: ID of the instance.
      type: str
      sample: MQ_INST_1234567890_DEMO
    instance_name:
      description: Name of the instance.
      type: str
      sample: orders-prod
    instance_status:
      description:
        - Status of the instance as the API gives it. V(5) running; V(7) being upgraded and running;
          V(0) being deployed (Enterprise Platinum Edition); V(2) payment overdue (Standard Edition).
      type: int
      sample: 5
    instance_type:
      description: V(1) Standard Edition (pay-as-you-go); V(2) Enterprise Platinum Edition (subscription).
      type: int
      sample: 2
    independent_naming:
      description: Whether the instance has a namespace of its own (names need only be unique within it).
      type: bool
      sample: true
    group_count:
      description: Number of groups of the instance; V(null) unless listed with O(need_resource_info=true).
      type: int
      sample: 12
    topic_count:
      description: Number of topics of the instance; V(null) unless listed with O(need_resource_info=true).
      type: int
      sample: 8
    create_time:
      description: When the instance was created, in milliseconds since the epoch.
      type: int
      sample: 1690000000000
    release_time:
      description: When the instance expires (Enterprise Platinum Edition), in milliseconds since the epoch; V(null) when the API does not say.
      type: int
      sample: 1893456000000
    max_tps:
      description: Most messages per second the instance sends and receives; V(null) when listing.
      type: int
      sample: 5000
    topic_capacity:
      description: Most topics the instance can hold; V(null) when listing.
      type: int
      sample: 50
    remark:
      description: Description of the instance; V(null) when listing.
      type: str
      sample: Orders in production
    tags:
      description: Tags of the instance, key to value; V(null) with O(instance_id) and O(instance_ids), which do not give them.
      type: dict
      sample: {"env": "prod"}
    endpoints:
      description:
        - The endpoints clients connect to; V(null) when listing. An endpoint the instance does not have is V(null).
      type: dict
      contains:
        tcp_endpoint:
          description: Endpoint for TCP clients inside the VPC.
          type: str
          sample: http://MQ_INST_1234567890_DEMO.cn-hangzhou.mq-internal.aliyuncs.com:8080
        tcp_internet_endpoint:
          description: Endpoint for TCP clients over the Internet.
          type: str
          sample: http://MQ_INST_1234567890_DEMO.mq.cn-hangzhou.aliyuncs.com:80
        http_internal_endpoint:
          description: Endpoint for HTTP clients inside the VPC.
          type: str
          sample: http://1234567890.mqrest.cn-hangzhou-internal.aliyuncs.com
        http_internet_endpoint:
          description: Endpoint for HTTP clients over the Internet.
          type: str
          sample: http://1234567890.mqrest.cn-hangzhou.aliyuncs.com
        http_internet_secure_endpoint:
          description: Endpoint for HTTPS clients over the Internet.
          type: str
          sample: https://1234567890.mqrest.cn-hangzhou.aliyuncs.com
    request_id:
      description: ID of the API request that gave this entry, for Alibaba Cloud support.
      type: str
      sample: 0E5D1B3A-6C2F-4A8E-9D7B-2F4C6A8E0B1D
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this instance failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)) and the other facts are V(null).
      type: dict
      sample: null
instance_id:
  description: With O(instance_id), the ID of the instance (the keys of the single entry of RV(instances) are also given at the top level).
  returned: success and O(instance_id) is set
  type: str
  sample: MQ_INST_1234567890_DEMO
instance_name:
  description: With O(instance_id), the name of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: orders-prod
instance_status:
  description: With O(instance_id), the status of the instance, as in RV(instances[].instance_status).
  returned: success and O(instance_id) is set
  type: int
  sample: 5
instance_type:
  description: With O(instance_id), the type of the instance, as in RV(instances[].instance_type).
  returned: success and O(instance_id) is set
  type: int
  sample: 2
independent_naming:
  description: With O(instance_id), whether the instance has a namespace of its own.
  returned: success and O(instance_id) is set
  type: bool
  sample: true
group_count:
  description: With O(instance_id), V(null) (the operation does not give it).
  returned: success and O(instance_id) is set
  type: int
  sample: null
topic_count:
  description: With O(instance_id), V(null) (the operation does not give it).
  returned: success and O(instance_id) is set
  type: int
  sample: null
create_time:
  description: With O(instance_id), when the instance was created, in milliseconds since the epoch.
  returned: success and O(instance_id) is set
  type: int
  sample: 1690000000000
release_time:
  description: With O(instance_id), when the instance expires, in milliseconds since the epoch, or V(null).
  returned: success and O(instance_id) is set
  type: int
  sample: 1893456000000
max_tps:
  description: With O(instance_id), the most messages per second the instance sends and receives.
  returned: success and O(instance_id) is set
  type: int
  sample: 5000
topic_capacity:
  description: With O(instance_id), the most topics the instance can hold.
  returned: success and O(instance_id) is set
  type: int
  sample: 50
remark:
  description: With O(instance_id), the description of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: Orders in production
tags:
  description: With O(instance_id), V(null) (the operation does not give them).
  returned: success and O(instance_id) is set
  type: dict
  sample: null
endpoints:
  description: With O(instance_id), the endpoints of the instance, as in RV(instances[].endpoints).
  returned: success and O(instance_id) is set
  type: dict
  sample:
    tcp_endpoint: http://MQ_INST_1234567890_DEMO.cn-hangzhou.mq-internal.aliyuncs.com:8080
    tcp_internet_endpoint: null
    http_internal_endpoint: http://1234567890.mqrest.cn-hangzhou-internal.aliyuncs.com
    http_internet_endpoint: http://1234567890.mqrest.cn-hangzhou.aliyuncs.com
    http_internet_secure_endpoint: https://1234567890.mqrest.cn-hangzhou.aliyuncs.com
request_id:
  description: The ID of the API request, with O(instance_id) or when listing the instances of the region.
  returned: success, unless O(instance_ids) is set
  type: str
  sample: 0E5D1B3A-6C2F-4A8E-9D7B-2F4C6A8E0B1D
error:
  description: With O(instance_id), the error of the query when O(fail_on_error=false), as in RV(instances[].error).
  returned: success and O(instance_id) is set
  type: dict
  sample: null
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import BATCH_ARGUMENT_SPEC
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import OnsModule


def main():
    ons = OnsModule(
        argument_spec=dict(
            instance_id=dict(type="str"),
            instance_ids=dict(type="list", elements="str"),
            tags=dict(type="dict"),
            need_resource_info=dict(type="bool", default=False),
            **BATCH_ARGUMENT_SPEC
        ),
        mutually_exclusive=[("instance_id", "instance_ids")],
    )
    ons.exit_with_instances()


if __name__ == "__main__":
    main()
