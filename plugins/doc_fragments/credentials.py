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
      - STS security token, for temporary credentials given as they are. They cannot be renewed; for a run that may
        outlast them, give O(role_arn) instead. Never shown in output, in any encoding.
    type: str
    aliases: [sts_token]
  profile:
    description:
      - Name of a profile in the aliyun CLI configuration file C(~/.aliyun/config.json).
      - "Profiles of mode C(AK), C(StsToken), C(EcsRamRole) (C(ram_role_name)), C(RamRoleArn) (C(access_key_id),
        C(access_key_secret), C(ram_role_arn), C(ram_session_name), C(external_id), C(expired_seconds),
        C(sts_region)), C(OIDC) (C(ram_role_arn), C(oidc_provider_arn), C(oidc_token_file), C(ram_session_name)),
        C(ChainableRamRoleArn) (a role assumed with the credentials of C(source_profile)) and
        C(RamRoleArnWithRoleName) (a role assumed with the ECS role C(ram_role_name)) are supported, with the
        field names the aliyun CLI writes. A profile's role also reads fields the CLI does not write but that can be
        added to the file by hand: C(policy) and C(enable_vpc) (V(true) for the VPC endpoint of STS), which the
        official credential providers read too, C(role_session_name) (the official providers' session field of
        OIDC, when C(ram_session_name) is not set) and C(sts_endpoint) (this collection only)."
      - "An option of the role set on the task (O(role_session_name), O(external_id), O(policy),
        O(duration_seconds)) is for the outermost role only, the one whose credentials the task uses: O(role_arn)
        when set, else the profile's role, where it wins over the profile's field. A profile's role assumed on the
        way to another (under O(role_arn), or as a C(source_profile)) takes its settings from its own fields, then
        the environment variables, then the defaults. O(sts_endpoint) applies to every role."
      - The profile's C(region_id) is used when O(region) is not set.
      - Defaults to E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE). Without a profile named, the file's current
        profile is used last.
      - With E(ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true) the aliyun CLI file is not read for a profile named by
        E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE) nor for its current profile, as in the official credential
        chain; a profile named by this option is read all the same (the official chain would refuse it).
    type: str
  ecs_role_name:
    description:
      - Name of the RAM role attached to the ECS instance the module runs on. Temporary credentials
        are fetched from the instance metadata service (IMDSv2 token first), and fetched again before they expire.
      - 1 to 64 letters, digits, periods, hyphens and underscores.
      - Defaults to E(ALIBABA_CLOUD_ECS_METADATA). E(ALIBABA_CLOUD_IMDS_ENDPOINT) (a URL) points at another metadata
        service than C(http://100.100.100.200), such as the bundled emulator.
    type: str
  role_arn:
    description:
      - ARN of a RAM role to assume, C(acs:ram::<account ID>:role/<role name>). The modules then call the API with
        the role's temporary credentials (an STS token), fetched once per run and fetched again shortly before they
        expire, so that a gate that waits longer than a token lives goes on.
      - "With O(access_key_id) and O(access_key_secret), the role is assumed with that AccessKey (STS C(AssumeRole)).
        With O(oidc_provider_arn) and O(oidc_token_file) (or their environment variables), the OIDC token is exchanged
        for the role (STS C(AssumeRoleWithOIDC), which needs no AccessKey: GitHub Actions, GitLab CI, RRSA on ACK).
        Otherwise the role is assumed with the credentials the rest of the chain finds: the environment variables,
        the profile, the ECS RAM role O(ecs_role_name)."
      - Without this option, E(ALIBABA_CLOUD_ROLE_ARN) assumes a role as the official credential chain and the aliyun
        CLI do it, in the order that O(access_key_id) describes - with E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN) and
        E(ALIBABA_CLOUD_OIDC_TOKEN_FILE) by OIDC, or beside E(ALIBABA_CLOUD_ACCESS_KEY_ID) and
        E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) (without E(ALIBABA_CLOUD_SECURITY_TOKEN)) with that AccessKey.
    type: str
  role_session_name:
    description:
      - Name of the role session, which RAM and ActionTrail show as who used the role. 2 to 64 letters, digits,
        periods, hyphens, underscores and C(@).
      - Defaults to the profile's C(ram_session_name) for a role of a profile, then
        E(ALIBABA_CLOUD_ROLE_SESSION_NAME), then C(apsaramq-rocketmq-<Unix time>).
    type: str
  external_id:
    description:
      - External ID the role's trust policy requires (condition C(sts:ExternalId)), for C(AssumeRole) only.
        2 to 1224 letters, digits and C(=,.@:/-_).
      - Refused for a role assumed with an OIDC token (C(AssumeRoleWithOIDC) takes no external ID); for such a role
        the profile's C(external_id) and E(ALIBABA_CLOUD_EXTERNAL_ID) are not read.
      - Defaults to the profile's C(external_id) for a role of a profile, then E(ALIBABA_CLOUD_EXTERNAL_ID).
    type: str
  policy:
    description:
      - A RAM policy document that narrows the assumed role's permissions for this session (the session gets what
        both the role and this policy allow), as JSON text or as a dict.
      - Defaults to the profile's C(policy) for a role of a profile; none otherwise.
    type: raw
  duration_seconds:
    description:
      - How long the role's temporary credentials live, in seconds, from 900 to the role's maximum session duration
        (at most 43200). They are renewed before they expire, so this bounds the life of one token, not of the run.
      - Defaults to the profile's C(expired_seconds) for a role of a profile (V(0) there means not set), else 3600,
        as STS's.
    type: int
  oidc_provider_arn:
    description:
      - ARN of the OIDC identity provider registered in RAM, C(acs:ram::<account ID>:oidc-provider/<name>), whose
        token O(oidc_token_file) holds. Needs O(role_arn) (or E(ALIBABA_CLOUD_ROLE_ARN)) and O(oidc_token_file).
      - Defaults to E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN).
    type: str
  oidc_token_file:
    description:
      - Path of the file holding the OIDC token (a JWT) that STS exchanges for the role's credentials without an
        AccessKey. The file is read again whenever the credentials are renewed (RRSA rotates it); surrounding
        whitespace is dropped. The token is never shown in output, in any encoding.
      - Defaults to E(ALIBABA_CLOUD_OIDC_TOKEN_FILE).
    type: path
  sts_endpoint:
    description:
      - Endpoint of STS, the service that issues the role's temporary credentials, as a host name, C(host:port) or
        URL (as O(endpoint)), for example the URL of the bundled emulator.
      - Defaults to the profile's C(sts_endpoint) for a role of a profile, then E(ALIBABA_CLOUD_STS_ENDPOINT) (which
        RRSA sets), else C(sts.<region>.aliyuncs.com) for the region of the profile's C(sts_region), then
        E(ALIBABA_CLOUD_STS_REGION), C(sts-vpc.<region>.aliyuncs.com) with O(network=vpc), the profile's
        C(enable_vpc=true) or E(ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true) (the region then defaults to O(region)),
        else C(sts.aliyuncs.com).
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
