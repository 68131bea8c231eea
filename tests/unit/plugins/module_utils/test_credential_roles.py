# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential chain's assumed roles: the order of the chain, the CLI profiles of role modes, renewing tokens."""

import json

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import credentials as chain
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import (
    AssumeRoleSource,
    CredentialError,
    CredentialProvider,
    Credentials,
    EcsRoleSource,
    OidcSource,
    StaticSource,
    StsSettings,
    build_provider,
    resolve_source,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import check_connection_options
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.sts import resolve_sts_endpoint

ROLE = "acs:ram::1234567890123456:role/gate-reader"
OTHER_ROLE = "acs:ram::1234567890123456:role/other"
PROVIDER = "acs:ram::1234567890123456:oidc-provider/ci"
ENV_KEY = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tEnv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "EnvSecret0001"}
AK_PROFILE = {"current": "ak", "profiles": [{"name": "ak", "mode": "AK", "access_key_id": "LTAI5tProfile",
                                            "access_key_secret": "ProfileSecret1"}]}
ENV_OIDC = {"ALIBABA_CLOUD_ROLE_ARN": ROLE, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": PROVIDER,
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/var/run/secrets/tokens/oidc-token"}


def _source(params=None, environ=None, config=None, tmp_path=None):
    path = None
    if tmp_path is not None:
        path = str(tmp_path / "config.json")
        if config is not None:
            with open(path, "w") as handle:
                handle.write(json.dumps(config))
    return resolve_source(params or {}, environ or {}, path)


def _describe(source):
    """A source as nested tuples: ("assume", role, inner) / ("oidc", role, provider, file) / ("static", key id) / ("ecs", name)."""
    if isinstance(source, AssumeRoleSource):
        return ("assume", source.settings.role_arn, _describe(source.source))
    if isinstance(source, OidcSource):
        return ("oidc", source.settings.role_arn, source.provider_arn, source.token_file)
    if isinstance(source, StaticSource):
        return ("static", source.credentials.access_key_id)
    assert isinstance(source, EcsRoleSource)
    return ("ecs", source.role_name)


# --- the order of the chain ---------------------------------------------------------------------------

def test_an_access_key_of_the_options_with_role_arn_assumes_the_role_with_that_key(tmp_path):
    source, dummy = _source({"access_key_id": "LTAI5tOpt", "access_key_secret": "OptSecret01", "role_arn": ROLE},
                            ENV_KEY, tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("static", "LTAI5tOpt"))


def test_role_arn_with_the_oidc_options_exchanges_the_token(tmp_path):
    source, dummy = _source({"role_arn": ROLE, "oidc_provider_arn": PROVIDER, "oidc_token_file": "/tmp/token"},
                            ENV_KEY, tmp_path=tmp_path)
    assert _describe(source) == ("oidc", ROLE, PROVIDER, "/tmp/token")


def test_role_arn_alone_takes_the_provider_and_token_file_of_the_environment(tmp_path):
    environ = dict(ENV_OIDC, ALIBABA_CLOUD_ROLE_ARN=OTHER_ROLE)
    source, dummy = _source({"role_arn": ROLE}, environ, tmp_path=tmp_path)
    assert _describe(source) == ("oidc", ROLE, PROVIDER, ENV_OIDC["ALIBABA_CLOUD_OIDC_TOKEN_FILE"])


def test_role_arn_alone_is_assumed_with_the_key_of_the_environment_and_only_once(tmp_path):
    # ALIBABA_CLOUD_ROLE_ARN beside the key would assume a role by itself: the option's role is
    # assumed with the key, not with that role.
    environ = dict(ENV_KEY, ALIBABA_CLOUD_ROLE_ARN=OTHER_ROLE)
    source, dummy = _source({"role_arn": ROLE}, environ, tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("static", "LTAI5tEnv"))


def test_role_arn_alone_is_assumed_with_the_ecs_role(tmp_path):
    source, dummy = _source({"role_arn": ROLE, "ecs_role_name": "gate-ecs"}, tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("ecs", "gate-ecs"))


def test_role_arn_without_anything_to_assume_it_with_says_so(tmp_path):
    with pytest.raises(CredentialError, match="role_arn is set, but the credentials to assume it with were not found"):
        _source({"role_arn": ROLE}, tmp_path=tmp_path)


def test_a_key_of_the_environment_beside_alibaba_cloud_role_arn_assumes_that_role_as_the_aliyun_cli_does(tmp_path):
    source, dummy = _source(environ=dict(ENV_KEY, ALIBABA_CLOUD_ROLE_ARN=ROLE), tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("static", "LTAI5tEnv"))


def test_an_sts_token_of_the_environment_is_used_as_it_is_beside_a_role_arn(tmp_path):
    environ = dict(ENV_KEY, ALIBABA_CLOUD_SECURITY_TOKEN="EnvToken0001", ALIBABA_CLOUD_ROLE_ARN=ROLE)
    source, dummy = _source(environ=environ, tmp_path=tmp_path)
    assert _describe(source) == ("static", "LTAI5tEnv")


def test_a_key_of_the_environment_comes_before_oidc_of_the_environment_as_in_the_official_chain(tmp_path):
    environ = dict(ENV_OIDC, ALICLOUD_ACCESS_KEY="LTAI5tAli", ALICLOUD_SECRET_KEY="AliSecret001")
    environ.pop("ALIBABA_CLOUD_ROLE_ARN")
    source, dummy = _source(environ=environ, tmp_path=tmp_path)
    assert _describe(source) == ("static", "LTAI5tAli")


def test_oidc_of_the_environment_comes_before_profiles_and_the_ecs_role(tmp_path):
    config = AK_PROFILE
    environ = dict(ENV_OIDC, ALIBABA_CLOUD_PROFILE="ak", ALIBABA_CLOUD_ECS_METADATA="gate-ecs")
    source, dummy = _source(environ=environ, config=config, tmp_path=tmp_path)
    assert _describe(source)[0] == "oidc"


def test_an_incomplete_oidc_environment_is_passed_over_as_in_the_official_chain(tmp_path):
    environ = dict(ENV_OIDC, ALIBABA_CLOUD_ECS_METADATA="gate-ecs")
    environ.pop("ALIBABA_CLOUD_OIDC_TOKEN_FILE")
    source, dummy = _source(environ=environ, tmp_path=tmp_path)
    assert _describe(source) == ("ecs", "gate-ecs")


def test_the_ecs_role_of_the_environment_comes_after_a_named_profile_and_before_the_current_one(tmp_path):
    config = AK_PROFILE
    source, dummy = _source(environ={"ALIBABA_CLOUD_ECS_METADATA": "gate-ecs"}, config=config, tmp_path=tmp_path)
    assert _describe(source) == ("ecs", "gate-ecs")
    source, dummy = _source({"profile": "ak"}, {"ALIBABA_CLOUD_ECS_METADATA": "gate-ecs"}, config, tmp_path)
    assert _describe(source) == ("static", "LTAI5tProfile")


def test_the_current_profile_is_not_read_when_the_cli_profile_is_disabled(tmp_path):
    config = AK_PROFILE
    with pytest.raises(CredentialError, match="no credentials found"):
        _source(environ={"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true", "ALIBABA_CLOUD_PROFILE": "ak"}, config=config,
                tmp_path=tmp_path)
    # The option names the profile explicitly: it is read all the same.
    source, dummy = _source({"profile": "ak"}, {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}, config, tmp_path)
    assert _describe(source) == ("static", "LTAI5tProfile")


@pytest.mark.parametrize("params, message", [
    ({"oidc_token_file": "/tmp/token", "role_arn": ROLE}, "OIDC needs both oidc_provider_arn and oidc_token_file"),
    ({"oidc_provider_arn": PROVIDER, "oidc_token_file": "/tmp/token"}, "need a role to assume: set role_arn"),
    ({"access_key_id": "LTAI5tOpt", "access_key_secret": "OptSecret01", "oidc_provider_arn": PROVIDER,
      "oidc_token_file": "/tmp/token", "role_arn": ROLE}, "give the AccessKey or the OIDC token, not both"),
    ({"access_key_id": "LTAI5tOpt", "access_key_secret": "OptSecret01", "role_session_name": "ci-42"},
     "role_session_name is set but no role is assumed"),
    ({"access_key_id": "LTAI5tOpt", "access_key_secret": "OptSecret01", "duration_seconds": 900, "policy": "{}"},
     "policy and duration_seconds are set but no role is assumed"),
])
def test_options_that_cannot_go_together_are_named(tmp_path, params, message):
    with pytest.raises(CredentialError, match=message):
        _source(params, tmp_path=tmp_path)


# --- the settings of a role ---------------------------------------------------------------------------

def test_a_role_takes_its_settings_from_the_options_then_the_environment_then_the_defaults(tmp_path):
    environ = dict(ENV_KEY, ALIBABA_CLOUD_ROLE_SESSION_NAME="env-session", ALIBABA_CLOUD_EXTERNAL_ID="env-external",
                   ALIBABA_CLOUD_STS_REGION="cn-shanghai")
    source, dummy = _source({"role_arn": ROLE, "role_session_name": "opt-session", "duration_seconds": "1800",
                             "policy": {"Version": "1", "Statement": []}}, environ, tmp_path=tmp_path)
    settings = source.settings
    assert (settings.session_name, settings.external_id, settings.duration_seconds) == ("opt-session", "env-external", 1800)
    assert settings.policy == '{"Statement":[],"Version":"1"}'
    assert (settings.sts.endpoint, settings.sts.region, settings.sts.vpc) == (None, "cn-shanghai", False)
    source, dummy = _source({"role_arn": ROLE}, ENV_KEY, tmp_path=tmp_path)
    assert source.settings.duration_seconds == 3600 and source.settings.policy is None
    assert source.settings.session_name.startswith("apsaramq-rocketmq-")


@pytest.mark.parametrize("params, environ, named", [
    ({"role_arn": "arn:aws:iam::1:role/x"}, {}, "role_arn (module options) 'arn:aws:iam::1:role/x' is not a RAM role ARN"),
    ({}, {"ALIBABA_CLOUD_ROLE_ARN": "gate-reader"}, "ALIBABA_CLOUD_ROLE_ARN (environment variable) 'gate-reader' is not"),
    ({"role_arn": ROLE, "role_session_name": "a"}, {}, "role_session_name (module options) 'a' is not a role session name"),
    ({"role_arn": ROLE}, {"ALIBABA_CLOUD_ROLE_SESSION_NAME": "has space"}, "ALIBABA_CLOUD_ROLE_SESSION_NAME (environment"),
    ({"role_arn": ROLE, "duration_seconds": 60}, {}, "duration_seconds (module options) is not a whole number of seconds from 900"),
    ({"role_arn": ROLE, "policy": "not json"}, {}, "policy (module options) is not JSON"),
    ({"role_arn": ROLE, "external_id": "x"}, {}, "external_id (module options) 'x' is not an external ID"),
])
def test_a_setting_sts_would_refuse_is_named_with_where_it_came_from(tmp_path, params, environ, named):
    with pytest.raises(CredentialError) as caught:
        _source(params, dict(ENV_KEY, **environ), tmp_path=tmp_path)
    assert str(caught.value).startswith(named)


@pytest.mark.parametrize("name, value, problem", [
    ("role_arn", "acs:ram::1:user/x", "is not a RAM role ARN"),
    ("oidc_provider_arn", ROLE, "is not an OIDC provider ARN"),
    ("duration_seconds", 43201, "from 900 to 43200"),
    ("policy", ["a"], "is a list"),
    ("sts_endpoint", "sts.aliyuncs.com/path", "sts_endpoint 'sts.aliyuncs.com/path' is not valid"),
])
def test_the_role_options_are_checked_with_the_other_connection_options(name, value, problem):
    params = {"timeout": 10, "retries": 5, "rate_limit": 10, name: value}
    with pytest.raises(ValueError, match=problem) as caught:
        check_connection_options(params)
    assert str(caught.value).startswith(name)


# --- the aliyun CLI profiles of role modes ---------------------------------------------------------------

PROFILES = {
    "current": "arn",
    "profiles": [
        {"name": "arn", "mode": "RamRoleArn", "access_key_id": "LTAI5tProfile", "access_key_secret": "ProfileSecret1",
         "ram_role_arn": ROLE, "ram_session_name": "profile-session", "external_id": "profile-external",
         "expired_seconds": 900, "sts_region": "cn-beijing", "region_id": "cn-hangzhou"},
        {"name": "oidc", "mode": "OIDC", "ram_role_arn": ROLE, "oidc_provider_arn": PROVIDER,
         "oidc_token_file": "/var/run/token", "ram_session_name": "cli-session", "expired_seconds": 0},
        {"name": "oidc-sdk", "mode": "OIDC", "ram_role_arn": ROLE, "oidc_provider_arn": PROVIDER,
         "oidc_token_file": "/var/run/token", "role_session_name": "sdk-session", "enable_vpc": True,
         "sts_region": "cn-shanghai"},
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "gate-ecs"},
        {"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "ecs", "ram_role_arn": OTHER_ROLE},
        {"name": "twice", "mode": "ChainableRamRoleArn", "source_profile": "chained", "ram_role_arn": ROLE},
        {"name": "with-role-name", "mode": "RamRoleArnWithRoleName", "ram_role_name": "gate-ecs", "ram_role_arn": ROLE},
        {"name": "loop-a", "mode": "ChainableRamRoleArn", "source_profile": "loop-b", "ram_role_arn": ROLE},
        {"name": "loop-b", "mode": "ChainableRamRoleArn", "source_profile": "loop-a", "ram_role_arn": ROLE},
        {"name": "no-token-file", "mode": "OIDC", "ram_role_arn": ROLE, "oidc_provider_arn": PROVIDER},
        {"name": "bad-session", "mode": "RamRoleArn", "access_key_id": "LTAI5tProfile", "access_key_secret": "S3cretValue",
         "ram_role_arn": ROLE, "ram_session_name": "x"},
    ],
}


def test_a_ram_role_arn_profile_reads_the_cli_fields(tmp_path):
    source, region = _source({"profile": "arn"}, config=PROFILES, tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("static", "LTAI5tProfile")) and region == "cn-hangzhou"
    settings = source.settings
    assert (settings.session_name, settings.external_id, settings.duration_seconds) == ("profile-session", "profile-external", 900)
    assert settings.sts.region == "cn-beijing"


def test_the_current_profile_of_a_role_mode_is_used_last(tmp_path):
    source, dummy = _source(config=PROFILES, tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("static", "LTAI5tProfile"))


def test_an_option_wins_over_the_profiles_field_which_wins_over_the_environment(tmp_path):
    environ = {"ALIBABA_CLOUD_ROLE_SESSION_NAME": "env-session", "ALIBABA_CLOUD_EXTERNAL_ID": "env-external"}
    source, dummy = _source({"profile": "arn", "role_session_name": "opt-session"}, environ, PROFILES, tmp_path)
    assert (source.settings.session_name, source.settings.external_id) == ("opt-session", "profile-external")


TASK_ROLE_OPTIONS = {"role_session_name": "task-session", "external_id": "task-external", "duration_seconds": 1800,
                     "policy": {"Version": "1", "Statement": []}}


def test_the_tasks_role_options_are_the_outermost_roles_and_a_profiles_role_keeps_its_own(tmp_path):
    environ = {"ALIBABA_CLOUD_ROLE_SESSION_NAME": "env-session", "ALIBABA_CLOUD_EXTERNAL_ID": "env-external"}
    source, dummy = _source(dict(TASK_ROLE_OPTIONS, role_arn=OTHER_ROLE, profile="arn"), environ, PROFILES, tmp_path)
    assert _describe(source) == ("assume", OTHER_ROLE, ("assume", ROLE, ("static", "LTAI5tProfile")))
    outer, inner = source.settings, source.source.settings
    assert (outer.session_name, outer.external_id, outer.duration_seconds) == ("task-session", "task-external", 1800)
    assert outer.policy == '{"Statement":[],"Version":"1"}'
    # The profile's own fields, then the environment, then the defaults: none of the task's options.
    assert (inner.session_name, inner.external_id, inner.duration_seconds, inner.policy) == (
        "profile-session", "profile-external", 900, None)
    source, dummy = _source(dict(TASK_ROLE_OPTIONS, role_arn=OTHER_ROLE, profile="oidc"), environ, PROFILES, tmp_path)
    inner = source.source.settings
    # An OIDC role has no external ID: ALIBABA_CLOUD_EXTERNAL_ID is not read for it.
    assert (inner.session_name, inner.external_id, inner.duration_seconds, inner.policy) == ("cli-session", None, 3600, None)


def test_the_role_of_a_source_profile_keeps_its_own_settings_under_a_chainable_profile(tmp_path):
    source, dummy = _source(dict(TASK_ROLE_OPTIONS, profile="twice"), {"ALIBABA_CLOUD_EXTERNAL_ID": "env-external"}, PROFILES,
                            tmp_path)
    assert _describe(source) == ("assume", ROLE, ("assume", OTHER_ROLE, ("ecs", "gate-ecs")))
    outer, inner = source.settings, source.source.settings
    assert (outer.session_name, outer.external_id, outer.duration_seconds) == ("task-session", "task-external", 1800)
    assert inner.session_name.startswith("apsaramq-rocketmq-")
    assert (inner.external_id, inner.duration_seconds, inner.policy) == ("env-external", 3600, None)


@pytest.mark.parametrize("params, environ", [
    ({"role_arn": ROLE, "oidc_provider_arn": PROVIDER, "oidc_token_file": "/tmp/token"}, {}),
    ({"role_arn": ROLE}, ENV_OIDC),
    ({}, ENV_OIDC),
    ({"profile": "oidc"}, {}),
])
def test_external_id_is_refused_for_a_role_assumed_by_oidc_naming_the_option(tmp_path, params, environ):
    with pytest.raises(CredentialError) as caught:
        _source(dict(params, external_id="partner-4711"), environ, PROFILES, tmp_path)
    assert str(caught.value) == ("external_id is set, but the role %s is assumed with an OIDC token (AssumeRoleWithOIDC), "
                                 "which takes no external ID: remove external_id" % ROLE)


def test_the_external_id_of_the_environment_is_not_read_for_a_role_assumed_by_oidc(tmp_path):
    source, dummy = _source(environ=dict(ENV_OIDC, ALIBABA_CLOUD_EXTERNAL_ID="env-external"), tmp_path=tmp_path)
    assert _describe(source)[0] == "oidc" and source.settings.external_id is None


def test_an_oidc_profile_reads_the_cli_fields_and_the_sdks_session_field(tmp_path):
    source, dummy = _source({"profile": "oidc"}, config=PROFILES, tmp_path=tmp_path)
    assert _describe(source) == ("oidc", ROLE, PROVIDER, "/var/run/token")
    # expired_seconds 0 is how the CLI writes "not set".
    assert source.settings.session_name == "cli-session" and source.settings.duration_seconds == 3600
    source, dummy = _source({"profile": "oidc-sdk"}, config=PROFILES, tmp_path=tmp_path)
    assert source.settings.session_name == "sdk-session"
    assert (source.settings.sts.vpc, source.settings.sts.region) == (True, "cn-shanghai")


def test_chained_profiles_assume_each_role_with_the_credentials_of_their_source(tmp_path):
    source, dummy = _source({"profile": "twice"}, config=PROFILES, tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("assume", OTHER_ROLE, ("ecs", "gate-ecs")))
    source, dummy = _source({"profile": "with-role-name"}, config=PROFILES, tmp_path=tmp_path)
    assert _describe(source) == ("assume", ROLE, ("ecs", "gate-ecs"))


@pytest.mark.parametrize("profile, message", [
    ("loop-a", "source_profile loop-a leads back to itself"),
    ("no-token-file", "has mode OIDC but no oidc_token_file"),
    ("bad-session", r"ram_session_name \(profile bad-session of .*\) 'x' is not a role session name"),
])
def test_an_unusable_role_profile_is_a_named_error(tmp_path, profile, message):
    with pytest.raises(CredentialError, match=message):
        _source({"profile": profile}, config=PROFILES, tmp_path=tmp_path)


# --- renewing: the provider -------------------------------------------------------------------------------

class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def _issuer(clock, life, failures=None):
    """A fetch that issues credentials living ``life`` seconds; raises while ``failures`` holds True."""
    issued = []

    def fetch():
        if failures and failures[0]:
            raise CredentialError("STS AssumeRole failed: Throttling")
        number = len(issued) + 1
        creds = Credentials("STS.key%d" % number, "secret-%04d" % number, "token-%04d" % number, "role",
                            expiration=clock.now + life)
        issued.append(creds)
        return creds

    return fetch, issued


def test_credentials_are_fetched_once_and_again_only_when_they_near_their_expiry():
    clock = Clock()
    fetch, issued = _issuer(clock, 3600)
    provider = CredentialProvider(StaticSource(Credentials("x", "y")), fetch, [], clock)
    assert provider.get().access_key_id == "STS.key1"
    clock.now += 3600 - chain.REFRESH_MARGIN_SECONDS - 1
    assert provider.get().access_key_id == "STS.key1"
    clock.now += 2
    assert provider.get().access_key_id == "STS.key2" and len(issued) == 2


def test_short_lived_credentials_are_renewed_when_a_fifth_of_their_life_is_left():
    clock = Clock()
    fetch, dummy = _issuer(clock, 10)
    provider = CredentialProvider(StaticSource(Credentials("x", "y")), fetch, [], clock)
    provider.get()
    clock.now += 7.9
    assert provider.get().access_key_id == "STS.key1"
    clock.now += 0.2
    assert provider.get().access_key_id == "STS.key2"


def test_a_failed_renewal_keeps_the_credentials_that_still_work_then_fails_once_they_expired():
    clock = Clock()
    failures = [False]
    fetch, issued = _issuer(clock, 1000, failures)
    provider = CredentialProvider(StaticSource(Credentials("x", "y")), fetch, [], clock)
    provider.get()
    failures[0] = True
    clock.now += 900
    assert provider.get().access_key_id == "STS.key1"
    failures[0] = False
    clock.now += chain.REFRESH_RETRY_SECONDS / 2
    assert provider.get().access_key_id == "STS.key1", "no new try before REFRESH_RETRY_SECONDS"
    clock.now += chain.REFRESH_RETRY_SECONDS
    assert provider.get().access_key_id == "STS.key2"
    failures[0] = True
    clock.now += 1000
    with pytest.raises(CredentialError, match="expired and could not be renewed: STS AssumeRole failed: Throttling"):
        provider.get()


@pytest.mark.parametrize("life", [-5, 0])
def test_credentials_already_expired_when_issued_are_refused_naming_the_clock_and_no_secret(life):
    clock = Clock()
    fetch, issued = _issuer(clock, life)
    secrets = []
    provider = CredentialProvider(EcsRoleSource("gate-ecs"), fetch, secrets, clock)
    with pytest.raises(CredentialError) as caught:
        provider.get()
    message = str(caught.value)
    assert message.startswith("the credentials of ECS RAM role gate-ecs were already expired when issued")
    assert "check the clock of this machine" in message
    assert "secret-0001" not in message and "token-0001" not in message
    assert secrets == ["secret-0001", "token-0001"] and provider.fetches == 0


def test_a_renewal_that_gives_expired_credentials_keeps_the_ones_that_still_work_until_they_expire():
    clock = Clock()
    lives = [1000, -5, -5]

    def fetch():
        number = 4 - len(lives)
        return Credentials("STS.key%d" % number, "secret-%04d" % number, "token-%04d" % number, "role",
                           expiration=clock.now + lives.pop(0))

    provider = CredentialProvider(StaticSource(Credentials("x", "y")), fetch, [], clock)
    provider.get()
    clock.now += 900
    assert provider.get().access_key_id == "STS.key1"
    assert provider.get().access_key_id == "STS.key1" and len(lives) == 1, "not fetched again before REFRESH_RETRY_SECONDS"
    clock.now += 100
    with pytest.raises(CredentialError, match="expired and could not be renewed: .*already expired when issued"):
        provider.get()


def test_every_secret_ever_held_stays_in_the_secrets_list():
    clock = Clock()
    fetch, dummy = _issuer(clock, 100)
    secrets = []
    provider = CredentialProvider(StaticSource(Credentials("x", "y")), fetch, secrets, clock)
    provider.get()
    clock.now += 100
    provider.get()
    assert secrets == ["secret-0001", "token-0001", "secret-0002", "token-0002"]


class FakeSts:
    def __init__(self):
        self.calls = []

    def assume_role(self, source, settings, secrets):
        signer = source.get()
        self.calls.append(("AssumeRole", settings.role_arn, signer.access_key_id))
        return Credentials("STS.role", "RoleSecret%d" % len(self.calls), "RoleToken%d" % len(self.calls), "role",
                           expiration=None)

    def assume_role_with_oidc(self, token, provider_arn, settings, secrets):
        self.calls.append(("AssumeRoleWithOIDC", settings.role_arn, token))
        return Credentials("STS.oidc", "OidcSecret", "OidcToken", "oidc", expiration=None)


def test_the_oidc_token_file_is_read_at_each_renewal_and_its_token_is_a_secret(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("eyJhbGciOi.first.token\n")
    sts = FakeSts()
    provider = build_provider(OidcSource(chain.RoleSettings(ROLE), PROVIDER, str(token_file)), None, sts)
    provider.get()
    assert sts.calls == [("AssumeRoleWithOIDC", ROLE, "eyJhbGciOi.first.token")]
    assert "eyJhbGciOi.first.token" in provider.secrets and "OidcToken" in provider.secrets


@pytest.mark.parametrize("content, problem", [("", "is empty"), ("two words", "holds spaces")])
def test_an_unusable_token_file_is_named_without_its_content(tmp_path, content, problem):
    token_file = tmp_path / "token"
    token_file.write_text(content)
    provider = build_provider(OidcSource(chain.RoleSettings(ROLE), PROVIDER, str(token_file)), None, FakeSts())
    with pytest.raises(CredentialError, match=problem) as caught:
        provider.get()
    assert str(token_file) in str(caught.value) and "words" not in str(caught.value)


def test_a_missing_token_file_is_named(tmp_path):
    provider = build_provider(OidcSource(chain.RoleSettings(ROLE), PROVIDER, str(tmp_path / "absent")), None, FakeSts())
    with pytest.raises(CredentialError, match="cannot read the OIDC token file .*absent"):
        provider.get()


def test_a_role_is_assumed_with_the_credentials_of_its_source():
    sts = FakeSts()
    source = AssumeRoleSource(EcsRoleSource("gate-ecs"), chain.RoleSettings(ROLE))
    provider = build_provider(source, lambda name: Credentials("STS.ecs", "EcsSecret", "EcsToken", name), sts)
    assert provider.get().access_key_id == "STS.role"
    assert sts.calls == [("AssumeRole", ROLE, "STS.ecs")]
    assert provider.secrets == ["EcsSecret", "EcsToken", "RoleSecret1", "RoleToken1"]


# --- where STS is ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("settings, region, network, url", [
    (StsSettings(), None, "public", "https://sts.aliyuncs.com"),
    (StsSettings(), "cn-hangzhou", "public", "https://sts.aliyuncs.com"),
    (StsSettings(region="cn-beijing"), "cn-hangzhou", "public", "https://sts.cn-beijing.aliyuncs.com"),
    (StsSettings(), "cn-hangzhou", "vpc", "https://sts-vpc.cn-hangzhou.aliyuncs.com"),
    (StsSettings(region="cn-beijing", vpc=True), None, "public", "https://sts-vpc.cn-beijing.aliyuncs.com"),
    (StsSettings(endpoint="http://127.0.0.1:8080"), "cn-hangzhou", "vpc", "http://127.0.0.1:8080"),
    (StsSettings(endpoint="sts-vpc.cn-hangzhou.aliyuncs.com"), None, "public", "https://sts-vpc.cn-hangzhou.aliyuncs.com"),
])
def test_the_sts_endpoint_follows_the_settings_region_and_network(settings, region, network, url):
    assert resolve_sts_endpoint(settings, region, network) == url


def test_sts_in_a_vpc_without_a_region_is_refused_naming_what_to_set():
    with pytest.raises(ValueError, match="needs a region: set region, ALIBABA_CLOUD_STS_REGION, or sts_endpoint"):
        resolve_sts_endpoint(StsSettings(vpc=True), None, "public")


def test_the_sts_endpoint_of_the_environment_is_read(tmp_path):
    source, dummy = _source({"role_arn": ROLE}, dict(ENV_KEY, ALIBABA_CLOUD_STS_ENDPOINT="sts-vpc.cn-hangzhou.aliyuncs.com",
                                                     ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED="true"), tmp_path=tmp_path)
    assert (source.settings.sts.endpoint, source.settings.sts.vpc) == ("sts-vpc.cn-hangzhou.aliyuncs.com", True)


def test_an_sts_endpoint_that_cannot_be_one_is_named_by_where_it_came_from(tmp_path):
    source, dummy = _source({"role_arn": ROLE}, dict(ENV_KEY, ALIBABA_CLOUD_STS_ENDPOINT="sts.aliyuncs.com/x"), tmp_path=tmp_path)
    with pytest.raises(ValueError, match="^ALIBABA_CLOUD_STS_ENDPOINT 'sts.aliyuncs.com/x' is not valid"):
        resolve_sts_endpoint(source.settings.sts, "cn-hangzhou")
