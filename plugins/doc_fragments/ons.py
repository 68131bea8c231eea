# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The endpoint, region, key ID and transport options of every ons_* module, and their attributes.

    The other credential options are in apsaramq.rocketmq.credentials, shared with the other API.
    """

    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - AccessKey ID of the Alibaba Cloud account or RAM user.
      - "Credentials are taken from the first of these that gives them: O(access_key_id) and
        O(access_key_secret) (with O(role_arn): the role assumed with them); O(role_arn) with O(oidc_provider_arn)
        and O(oidc_token_file); O(role_arn) alone (the role assumed with what the rest of this chain finds); the
        environment variables E(ALIBABA_CLOUD_ACCESS_KEY_ID), E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) and
        E(ALIBABA_CLOUD_SECURITY_TOKEN), then E(ALICLOUD_ACCESS_KEY), E(ALICLOUD_SECRET_KEY) and
        E(ALICLOUD_SECURITY_TOKEN) (a key without a token, beside E(ALIBABA_CLOUD_ROLE_ARN), assumes that role);
        E(ALIBABA_CLOUD_ROLE_ARN), E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN) and E(ALIBABA_CLOUD_OIDC_TOKEN_FILE) (OIDC: RRSA,
        CI); the aliyun CLI profile named by O(profile) (or E(ALIBABA_CLOUD_PROFILE), E(ALICLOUD_PROFILE)); the ECS
        RAM role O(ecs_role_name) (or E(ALIBABA_CLOUD_ECS_METADATA)); the current profile of C(~/.aliyun/config.json)."
      - A key ID, secret or token holding a newline or another control character is refused, naming
        where it came from (the key ID and the token may not hold spaces or non-ASCII characters either).
    type: str
    aliases: [access_key]
  region:
    description:
      - Region ID of the instances, for example C(cn-hangzhou). The endpoint is
        C(ons.<region>.aliyuncs.com) (C(ons-vpc.<region>.aliyuncs.com) with O(network=vpc)).
      - Lower-case letters, digits and hyphens, at most 63 characters (one DNS label).
      - Defaults to E(ALIBABA_CLOUD_REGION_ID) or E(ALICLOUD_REGION), then the profile's C(region_id).
      - Required unless O(endpoint) is set.
    type: str
    aliases: [region_id]
  network:
    description:
      - Use the public endpoint or the VPC endpoint of O(region).
    type: str
    choices: [public, vpc]
    default: public
  endpoint:
    description:
      - Endpoint of the ONS API, overriding O(region) and O(network). A host name (HTTPS is used),
        C(host:port), or a URL C(https://host[:port]) or C(http://host[:port]), for example the URL of
        the bundled emulator.
      - The host is a DNS name of at most 253 characters in labels of 1 to 63 letters, digits and inner
        hyphens, an IPv4 address, or an IPv6 address in brackets (C([2001:db8::1]:8443)); the port is
        from 1 to 65535. ASCII only, without spaces, path, query, user or fragment.
    type: str
  signature_version:
    description:
      - How requests are signed. C(v3) is C(ACS3-HMAC-SHA256), what current Alibaba Cloud SDKs send;
        C(v1) is the older HMAC-SHA1 RPC signature.
    type: str
    choices: [v3, v1]
    default: v3
  timeout:
    description:
      - Seconds one API call may take as a whole, above 0 and at most 600. It covers connecting, reading
        the answer, waiting for a turn within O(rate_limit), the retries and the waits between them.
      - When the next wait would end after it, the call fails at once with the last error, saying the
        timeout was reached.
    type: float
    default: 10
  retries:
    description:
      - How many times a call is sent again after throttling, a 429 or 5xx answer, C(ONS_SYSTEM_FLOW_CONTROL),
        an answer that cannot be read, a dropped connection or a timeout, with jittered exponential
        backoff. Authentication, permission and parameter errors are never retried. From 0 to 20.
      - A throttled answer that says how long to wait (C(x-acs-retry-after) in milliseconds, or
        C(Retry-After) in seconds or as a date) is waited for that long, at most 8 seconds and never
        past O(timeout).
    type: int
    default: 5
  rate_limit:
    description:
      - Most API calls per second this module run sends of each operation, across the queries it runs
        concurrently. The API allows 10 calls per second per account and operation (50 for
        C(OnsInstanceBaseInfo) and C(OnsInstanceInServiceList)), and no operation is sent faster than its
        limit; lower it when several gates share an account.
      - From 0.1 to 1000.
    type: float
    default: 10
notes:
  - Proxies are taken from the standard environment variables E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY).
  - O(rate_limit) applies within one module run; runs on several hosts or forks at once each have their own.
requirements:
  - python >= 3.9 on the host that runs the module; on the controller, which also runs the gate, 3.10 or later as ansible-core 2.17 requires
  - requests
"""

    GROUPS = r"""
options:
  instance_id:
    description:
      - ID of the instance the groups belong to, for example C(MQ_INST_1234567890_DEMO).
      - Needed for instances with a namespace, which is every instance created in recent years.
    type: str
  group_id:
    description:
      - ID of the consumer group to query. Mutually exclusive with O(group_ids).
    type: str
  group_ids:
    description:
      - IDs of several consumer groups to query. Mutually exclusive with O(group_id).
      - Each group is queried once; RV(groups) keeps the order given here.
    type: list
    elements: str
"""

    MESSAGES = r"""
options:
  instance_id:
    description:
      - ID of the instance the topic belongs to, for example C(MQ_INST_1234567890_DEMO).
    type: str
    required: true
  topic:
    description:
      - Topic of the messages.
    type: str
    required: true
  msg_id:
    description:
      - ID of the message, as the producer got it when sending. Mutually exclusive with O(msg_ids).
    type: str
  msg_ids:
    description:
      - IDs of several messages of O(topic). Mutually exclusive with O(msg_id).
      - Each message is queried once; RV(messages) keeps the order given here.
    type: list
    elements: str
"""

    BATCH = r"""
options:
  fail_on_error:
    description:
      - What a failed query of one of several items does.
      - V(true) fails the task with the error of the first item that failed.
      - V(false) keeps the other items; the entry of the item that failed has only its ID set and
        the error in its C(error) key. A gate reads such an entry as "could not tell", never as healthy.
    type: bool
    default: true
"""

    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The module only reads from the API; check mode runs every query as usual.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in diff mode) when in diff mode.
    support: none
  action_group:
    description: Use C(group/apsaramq.rocketmq.ons) in C(module_defaults) to set the connection options once for every module.
    support: full
    membership:
      - apsaramq.rocketmq.ons
"""
