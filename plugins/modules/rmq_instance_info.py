#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rmq_instance_info
short_description: Facts about ApsaraMQ for RocketMQ 5.x instances and their endpoints
version_added: 0.3.0
description:
  - With O(instance_id) or O(instance_ids), gives the facts of each 5.x instance, its software version and
    its endpoints, with the API operation C(GetInstance) of C(RocketMQ) 2022-08-01 (RAM action
    C(rocketmq:GetInstance)). Several instances are queried concurrently, within O(rate_limit).
  - With neither, lists the 5.x instances of the region with C(ListInstances) (RAM action
    C(rocketmq:ListInstances)), following every page, optionally only those of some series, matching a
    filter, or carrying some tags.
  - The listing is whole or the task fails with C(InvalidResponse), never a shorter list - when its pages hold
    fewer distinct instances than its C(totalCount), when a page repeats an earlier one, or when it needs more
    than 100 pages of 100 instances. An instance listed again because the list moved between pages is kept once.
  - A released instance (status C(RELEASED)) is gone, as Alibaba's Terraform provider treats it - the listing leaves
    it out of RV(instances) and names it in RV(released_instance_ids); asked for by O(instance_id), it is given
    with RV(instances[].released=true).
  - 4.x instances (C(MQ_INST_...)) are not listed; use M(apsaramq.rocketmq.ons_instance_info) for them.
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  instance_id:
    description:
      - ID of the instance to describe, for example C(rmq-cn-2r42vrvde0j). Mutually exclusive with
        O(instance_ids).
      - An instance the API does not know fails the task with C(Instance.NotFound).
    type: str
  instance_ids:
    description:
      - IDs of several instances to describe. Mutually exclusive with O(instance_id).
      - Each instance is queried once; RV(instances) keeps the order given here.
    type: list
    elements: str
  filter:
    description:
      - Without O(instance_id) and O(instance_ids), list only the instances the API's C(filter) matches
        (a part of their ID or name). Not accepted with O(instance_id) or O(instance_ids).
    type: str
  series_codes:
    description:
      - Without O(instance_id) and O(instance_ids), list only the instances of these series, such as
        C(standard), C(professional), C(ultimate), C(serverless). Not accepted with O(instance_id) or
        O(instance_ids).
    type: list
    elements: str
  tags:
    description:
      - Without O(instance_id) and O(instance_ids), list only the instances that carry every one of these
        tags, with these values. The tags of each listed instance are compared here. Not accepted with
        O(instance_id) or O(instance_ids).
      - Keys and values are strings of at most 128 characters that do not start with C(acs:) or
        C(aliyun); at most 20 tags.
    type: dict
extends_documentation_fragment:
  - apsaramq.rocketmq.rmq
  - apsaramq.rocketmq.credentials
  - apsaramq.rocketmq.ons.batch
  - apsaramq.rocketmq.rmq.attributes
seealso:
  - module: apsaramq.rocketmq.rmq_consumer_group_info
  - module: apsaramq.rocketmq.ons_instance_info
"""

EXAMPLES = r"""
- name: Get the endpoints of the production instance
  apsaramq.rocketmq.rmq_instance_info:
    region: cn-hangzhou
    instance_id: rmq-cn-2r42vrvde0j
  register: instance

- name: Require a running instance with a TCP endpoint in the VPC
  ansible.builtin.assert:
    that:
      - instance.status == 'RUNNING'
      - instance.endpoints | selectattr('endpoint_type', 'equalto', 'TCP_VPC') | list | length == 1

- name: List the production instances of the Professional and Platinum series
  apsaramq.rocketmq.rmq_instance_info:
    region: cn-hangzhou
    series_codes: [professional, ultimate]
    tags:
      env: prod
  register: prod

- name: Show the instances that hold no group
  ansible.builtin.debug:
    msg: "{{ prod.instances | selectattr('group_count', 'equalto', 0) | map(attribute='instance_id') | list }}"
"""

RETURN = r"""
instances:
  description:
    - One entry per instance, in the order of O(instance_ids) (or the one O(instance_id)); without them,
      the instances of the region in the order the API lists them.
    - The listing gives neither RV(instances[].software_version) nor RV(instances[].endpoints), which are V(null) there.
  returned: success
  type: list
  elements: dict
  contains:
    instance_id:
      description: ID of the instance.
      type: str
      sample: rmq-cn-2r42vrvde0j
    instance_name:
      description: Name of the instance.
      type: str
      sample: orders-prod
    status:
      description: Status of the instance, such as C(RUNNING), C(STOPPED), C(CHANGING), C(CREATING) or C(RELEASED).
      type: str
      sample: RUNNING
    released:
      description: Whether the instance is released (status C(RELEASED)), that is gone; never V(true) in the listing, which leaves such instances out.
      type: bool
      sample: false
    series_code:
      description: Series of the instance, such as C(standard), C(professional) or C(ultimate).
      type: str
      sample: professional
    sub_series_code:
      description: Sub-series of the instance, such as C(cluster_ha) or C(single_node).
      type: str
      sample: cluster_ha
    region_id:
      description: Region of the instance.
      type: str
      sample: cn-hangzhou
    payment_type:
      description: C(PayAsYouGo) or C(Subscription).
      type: str
      sample: Subscription
    group_count:
      description: Number of consumer groups of the instance.
      type: int
      sample: 12
    topic_count:
      description: Number of topics of the instance.
      type: int
      sample: 8
    trace_on:
      description:
        - The instance's C(productInfo.traceOn) flag, as the API gives it.
        - It does not take effect - message trace is on for every instance - except for Serverless instances in China
          regions (the API's documentation); M(apsaramq.rocketmq.rmq_trace_info) works whatever it says.
      type: bool
      sample: true
    tags:
      description: Tags of the instance, key to value.
      type: dict
      sample: {"env": "prod"}
    remark:
      description: Description of the instance.
      type: str
      sample: Orders in production
    create_time:
      description:
        - When the instance was created, C(YYYY-MM-DD HH:mm:ss) as the API gives it.
        - In the listing it is the API's C(startTime) (C(ListInstances) gives as C(createTime) the last update of the
          instance's version, see RV(instances[].version_update_time)); with O(instance_id) it is C(GetInstance)'s C(createTime).
      type: str
      sample: "2025-06-01 09:00:00"
    version_update_time:
      description: In the listing, when the instance's version was last updated (C(ListInstances)' C(createTime)); V(null) with O(instance_id).
      type: str
      sample: "2026-03-01 02:00:00"
    release_time:
      description: When the instance was released, C(YYYY-MM-DD HH:mm:ss); V(null) when the API does not say.
      type: str
      sample: null
    expire_time:
      description: When a subscription instance expires, C(YYYY-MM-DD HH:mm:ss); V(null) when the API does not say.
      type: str
      sample: "2027-06-01 00:00:00"
    software_version:
      description: Version of the instance's software; V(null) in the listing.
      type: str
      sample: "5.0-rmq-20240101-1"
    endpoints:
      description: The endpoints clients connect to; V(null) in the listing.
      type: list
      elements: dict
      contains:
        endpoint_type:
          description: Kind of endpoint, such as C(TCP_VPC) or C(TCP_INTERNET).
          type: str
          sample: TCP_VPC
        endpoint_url:
          description: Address clients connect to.
          type: str
          sample: rmq-cn-2r42vrvde0j-vpc.cn-hangzhou.rmq.aliyuncs.com:8080
    request_id:
      description: ID of the API request that gave this entry (the first page's in the listing).
      type: str
      sample: 0E5D1B3A-6C2F-4A8E-9D7B-2F4C6A8E0B1D
    error:
      description:
        - V(null), unless O(fail_on_error=false) and the query of this instance failed. Then it holds the
          error (C(code), C(message), C(http_status), C(request_id)) and the other facts are V(null).
      type: dict
      sample: null
instance_ids:
  description: Without O(instance_id) and O(instance_ids), the IDs of the instances listed, in order.
  returned: success, without O(instance_id) and O(instance_ids)
  type: list
  elements: str
  sample: [rmq-cn-2r42vrvde0j]
released_instance_ids:
  description:
    - Without O(instance_id) and O(instance_ids), the IDs of the released instances (status C(RELEASED)) the API
      listed and RV(instances) leaves out, as they are gone; those that O(tags) does not keep are not named.
  returned: success, without O(instance_id) and O(instance_ids)
  type: list
  elements: str
  sample: []
total_count:
  description: Without O(instance_id) and O(instance_ids), the number of instances the API counted, released ones included, before O(tags) are compared.
  returned: success, without O(instance_id) and O(instance_ids)
  type: int
  sample: 1
request_ids:
  description: Without O(instance_id) and O(instance_ids), the request ID of each page of the listing.
  returned: success, without O(instance_id) and O(instance_ids)
  type: list
  elements: str
  sample: [0E5D1B3A-6C2F-4A8E-9D7B-2F4C6A8E0B1D]
instance_id:
  description: With O(instance_id), the ID of the instance (the keys of the single entry of RV(instances) are also given at the top level).
  returned: success and O(instance_id) is set
  type: str
  sample: rmq-cn-2r42vrvde0j
instance_name:
  description: With O(instance_id), the name of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: orders-prod
status:
  description: With O(instance_id), the status of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: RUNNING
released:
  description: With O(instance_id), whether the instance is released (status C(RELEASED)).
  returned: success and O(instance_id) is set
  type: bool
  sample: false
series_code:
  description: With O(instance_id), the series of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: professional
sub_series_code:
  description: With O(instance_id), the sub-series of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: cluster_ha
region_id:
  description: With O(instance_id), the region of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: cn-hangzhou
payment_type:
  description: With O(instance_id), how the instance is paid for.
  returned: success and O(instance_id) is set
  type: str
  sample: Subscription
group_count:
  description: With O(instance_id), the number of consumer groups.
  returned: success and O(instance_id) is set
  type: int
  sample: 12
topic_count:
  description: With O(instance_id), the number of topics.
  returned: success and O(instance_id) is set
  type: int
  sample: 8
trace_on:
  description: With O(instance_id), the C(traceOn) flag, which does not take effect (see RV(instances[].trace_on)).
  returned: success and O(instance_id) is set
  type: bool
  sample: true
tags:
  description: With O(instance_id), the tags of the instance.
  returned: success and O(instance_id) is set
  type: dict
  sample: {"env": "prod"}
remark:
  description: With O(instance_id), the description of the instance.
  returned: success and O(instance_id) is set
  type: str
  sample: Orders in production
create_time:
  description: With O(instance_id), when the instance was created.
  returned: success and O(instance_id) is set
  type: str
  sample: "2025-06-01 09:00:00"
version_update_time:
  description: With O(instance_id), V(null) (C(GetInstance) does not give it; see RV(instances[].version_update_time)).
  returned: success and O(instance_id) is set
  type: str
  sample: null
release_time:
  description: With O(instance_id), when the instance was released, or V(null).
  returned: success and O(instance_id) is set
  type: str
  sample: null
expire_time:
  description: With O(instance_id), when the instance expires, or V(null).
  returned: success and O(instance_id) is set
  type: str
  sample: "2027-06-01 00:00:00"
software_version:
  description: With O(instance_id), the version of the instance's software.
  returned: success and O(instance_id) is set
  type: str
  sample: "5.0-rmq-20240101-1"
endpoints:
  description: With O(instance_id), the endpoints, as in RV(instances[].endpoints).
  returned: success and O(instance_id) is set
  type: list
  elements: dict
  sample:
    - endpoint_type: TCP_VPC
      endpoint_url: rmq-cn-2r42vrvde0j-vpc.cn-hangzhou.rmq.aliyuncs.com:8080
request_id:
  description: The ID of the API request, with O(instance_id) or (of its first page) when listing.
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
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_module import RmqModule


def main():
    rmq = RmqModule(
        argument_spec=dict(
            instance_id=dict(type="str"),
            instance_ids=dict(type="list", elements="str"),
            filter=dict(type="str"),
            series_codes=dict(type="list", elements="str"),
            tags=dict(type="dict"),
            **BATCH_ARGUMENT_SPEC
        ),
        mutually_exclusive=[("instance_id", "instance_ids")],
    )
    rmq.exit_with_instances()


if __name__ == "__main__":
    main()
