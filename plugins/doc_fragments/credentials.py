# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The credential and TLS options that the ons_* and rmq_* modules (and the gate) share, documented once."""

    DOCUMENTATION = r"""
options:
  access_key_secret:
    description:
      - AccessKey secret matching O(access_key_id). Never shown in output, in any encoding.
    type: str
    aliases: [secret_key]
  security_token:
    description:
      - STS security token, for temporary credentials. Never shown in output, in any encoding.
    type: str
    aliases: [sts_token]
  profile:
    description:
      - Name of a profile in the aliyun CLI configuration file C(~/.aliyun/config.json).
      - Profiles of mode C(AK), C(StsToken) and C(EcsRamRole) are supported. The profile's C(region_id)
        is used when O(region) is not set.
      - Defaults to E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE).
    type: str
  ecs_role_name:
    description:
      - Name of the RAM role attached to the ECS instance the module runs on. Temporary credentials
        are fetched from the instance metadata service (IMDSv2 token first).
      - 1 to 64 letters, digits, periods, hyphens and underscores.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the endpoint.
    type: bool
    default: true
  ca_bundle:
    description:
      - Path of a PEM file of CA certificates to verify the endpoint with, instead of the system's.
      - The file must be readable and hold at least one certificate (C(-----BEGIN CERTIFICATE-----)).
        Not used, and not checked, with O(validate_certs=false).
    type: path
"""
