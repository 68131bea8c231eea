# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The credential chain: where the credentials of a call come from, and how they stay fresh.

First match wins:

1. the module options: ``access_key_id`` / ``access_key_secret`` (/ ``security_token``), and with
   ``role_arn`` that RAM role is assumed with them (AssumeRole); else ``role_arn`` with
   ``oidc_provider_arn`` and ``oidc_token_file`` (each the option, else its environment variable):
   the token is exchanged for the role (AssumeRoleWithOIDC); else ``role_arn`` alone: the role is
   assumed with the credentials that the rest of the chain (2, 4, 5, 6) finds;
2. ``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` / ``ALIBABA_CLOUD_SECURITY_TOKEN``,
   then ``ALICLOUD_ACCESS_KEY`` / ``ALICLOUD_SECRET_KEY`` / ``ALICLOUD_SECURITY_TOKEN``; a key
   without a token, beside ``ALIBABA_CLOUD_ROLE_ARN``, assumes that role (as the aliyun CLI does);
3. ``ALIBABA_CLOUD_ROLE_ARN``, ``ALIBABA_CLOUD_OIDC_PROVIDER_ARN`` and ``ALIBABA_CLOUD_OIDC_TOKEN_FILE``:
   AssumeRoleWithOIDC, where the official chain (``alibabacloud-credentials``) has it (ACK RRSA, CI);
4. the profile of the aliyun CLI file ``~/.aliyun/config.json`` named by the option ``profile``, or
   ``ALIBABA_CLOUD_PROFILE`` or ``ALICLOUD_PROFILE`` unless ``ALIBABA_CLOUD_CLI_PROFILE_DISABLED`` is
   ``true`` (modes AK, StsToken, EcsRamRole, RamRoleArn, OIDC, ChainableRamRoleArn and the CLI's
   older RamRoleArnWithRoleName);
5. the ECS RAM role named by the option ``ecs_role_name`` or ``ALIBABA_CLOUD_ECS_METADATA``, through
   the instance metadata service;
6. the current profile of ``~/.aliyun/config.json``, when the file exists, no profile was named and
   ``ALIBABA_CLOUD_CLI_PROFILE_DISABLED`` is not ``true``.

The chain gives a Source (resolve_source): static keys, an ECS role, or a role assumed from
another source or from an OIDC token. build_provider makes it a CredentialProvider, which fetches
the credentials on first use and again shortly before they expire (REFRESH_MARGIN_SECONDS), so
that a gate waiting for many minutes never signs with an expired STS token. Every secret a
provider ever held (the AccessKey secrets, STS tokens and the OIDC token) is in its ``secrets``
list, which grows as tokens are renewed: callers scrub what they show with it.

This file carries no transport: the ECS metadata service and STS are called through functions the
caller passes in (client.py and sts.py provide them).
"""

import calendar
import hashlib
import json
import os
import re
import threading
import time

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import STS
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import credential_problem, whole_number

ENV_KEY_SETS = (
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"),
    ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"),
)
PROFILE_ENV = ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")
REGION_ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION")
# The variables of roles and OIDC, as the official chain and the aliyun CLI read them.
ROLE_ARN_ENV = "ALIBABA_CLOUD_ROLE_ARN"
OIDC_PROVIDER_ARN_ENV = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
OIDC_TOKEN_FILE_ENV = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
ROLE_SESSION_NAME_ENV = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
EXTERNAL_ID_ENV = "ALIBABA_CLOUD_EXTERNAL_ID"
STS_ENDPOINT_ENV = "ALIBABA_CLOUD_STS_ENDPOINT"
STS_REGION_ENV = "ALIBABA_CLOUD_STS_REGION"
STS_VPC_ENV = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"
ECS_ROLE_ENV = "ALIBABA_CLOUD_ECS_METADATA"
CLI_PROFILE_DISABLED_ENV = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
# Where the ECS metadata service is, when not at its well-known address (Alibaba's ack-ram-tool
# reads the same variable): for tests against an emulator of it.
ECS_METADATA_ENDPOINT_ENV = "ALIBABA_CLOUD_IMDS_ENDPOINT"
CLI_CONFIG_PATH = "~/.aliyun/config.json"
ECS_METADATA_URL = "http://100.100.100.200"
ECS_TOKEN_TTL_SECONDS = "21600"
SUPPORTED_PROFILE_MODES = ("AK", "StsToken", "EcsRamRole", "RamRoleArn", "OIDC", "ChainableRamRoleArn",
                           "RamRoleArnWithRoleName")
# RAM role names: the name goes into the metadata service's URL path, so nothing else may pass.
ROLE_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
ROLE_NAME_RULE = "1 to 64 letters, digits, periods, hyphens and underscores"

# The session of an assumed role: DurationSeconds from 900 to the role's maximum (at most 43200,
# 12 hours); the STS default is 3600.
DURATION_MIN = 900
DURATION_MAX = 43200
DURATION_DEFAULT = 3600
# The options of an assumed role (besides role_arn), which need a role to mean anything.
ROLE_OPTIONS = ("role_session_name", "external_id", "policy", "duration_seconds")
# Temporary credentials are renewed when less than this is left of them (and at the latest when a
# fifth of their life is left, for the short-lived ones of a test): the margin covers a call's
# timeout and retries, and the clock of the machine being a little off.
REFRESH_MARGIN_SECONDS = 180.0
REFRESH_FRACTION = 0.2
# After a failed renewal, the credentials in hand are used (while they last) and the renewal is
# tried again no sooner than this.
REFRESH_RETRY_SECONDS = 10.0
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

HOW_TO_PROVIDE = (
    "provide credentials in one of these ways: the options access_key_id and access_key_secret "
    "(and security_token for STS); the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY); an OIDC token with "
    "ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE (or the options "
    "role_arn, oidc_provider_arn and oidc_token_file); a profile of the aliyun CLI file ~/.aliyun/config.json "
    "(option profile or ALIBABA_CLOUD_PROFILE); or the option ecs_role_name on an ECS instance with a RAM role"
)


class CredentialError(Exception):
    """Credentials could not be found or loaded; the message says why and never holds a secret."""


class Credentials:
    """An access key pair, with an optional STS token, where it came from, and when it expires (epoch seconds, or None)."""

    def __init__(self, access_key_id, access_key_secret, security_token=None, source=None, expiration=None):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token or None
        self.source = source
        self.expiration = expiration

    def secrets(self):
        """Return the values that must never appear in output."""
        return [value for value in (self.access_key_secret, self.security_token) if value]

    def __repr__(self):
        # Never let a secret reach a log through repr().
        return "Credentials(access_key_id=%r, source=%r)" % (self.access_key_id, self.source)


def parse_expiration(text, what):
    """Return the epoch seconds of an ``Expiration`` such as ``2026-11-21T12:00:00Z``; CredentialError naming ``what`` if it is none."""
    if not isinstance(text, str):
        raise CredentialError("%s gave no Expiration for its credentials" % what)
    try:
        return float(calendar.timegm(time.strptime(text.strip(), EXPIRATION_FORMAT)))
    except ValueError:
        raise CredentialError("%s gave an Expiration that is not YYYY-MM-DDThh:mm:ssZ: %r" % (what, text[:40]))


def expiration_text(seconds):
    """The ``Expiration`` form (parse_expiration) of the epoch ``seconds``: ``2026-11-21T12:00:00Z``."""
    return time.strftime(EXPIRATION_FORMAT, time.gmtime(seconds))


def check_credential_values(key_id, secret, token, names, source):
    """Raise CredentialError, naming the option or variable but never quoting the value, for a value that cannot be sent.

    ``names`` are the names of the key ID, the secret and the token where they came from; a
    newline or other control character (a file read with its line end) is the usual cause.
    """
    for name, value, header in ((names[0], key_id, True), (names[1], secret, False), (names[2], token, True)):
        if value is None or (name == names[2] and not value):
            continue
        problem = credential_problem(value, header)
        if problem:
            raise CredentialError("%s (%s) %s: give the value exactly as issued" % (name, source, problem))


def _pair(key_id, secret, token, names, source):
    """Return Credentials when both halves are set; fail when only one of them is, or when a value cannot be sent."""
    if key_id and secret:
        check_credential_values(key_id, secret, token, tuple(names) + ("security_token",) * (3 - len(names)), source)
        return Credentials(key_id, secret, token, source)
    if key_id or secret:
        missing = names[1] if key_id else names[0]
        raise CredentialError("%s is set but %s is not: both are needed" % (
            names[0] if key_id else names[1], missing))
    return None


def _first_env(names, environ):
    for name in names:
        if environ.get(name):
            return environ[name], name
    return None, None


def _is_true(value):
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


# --- the settings of an assumed role ------------------------------------------------------------------

def role_option_problem(name, value):
    """Return why ``value`` cannot be the role setting ``name`` (an option's name), or None. Never quotes a long value."""
    if name == "duration_seconds":
        number = whole_number(value)
        if isinstance(number, bool) or not isinstance(number, int) or not DURATION_MIN <= number <= DURATION_MAX:
            return "is not a whole number of seconds from %d to %d (the role's maximum session duration)" % (
                DURATION_MIN, DURATION_MAX)
        return None
    if name == "policy":
        return _policy_problem(value)
    if name == "oidc_token_file":
        if not isinstance(value, str) or not value.strip():
            return "is not the path of a file"
        return None
    if name == "sts_endpoint":
        return None  # checked as every endpoint is (validation.parse_endpoint)
    kind = {"role_arn": "role_arn", "oidc_provider_arn": "oidc_provider_arn", "role_session_name": "role_session_name",
            "external_id": "external_id"}[name]
    rule = STS.names[kind]
    if not isinstance(value, str) or not rule.pattern.fullmatch(value):
        shown = repr(value) if isinstance(value, str) and len(value) <= 200 else "(%s)" % type(value).__name__
        return "%s is not %s: use %s" % (shown, rule.what, rule.accepted)
    return None


def _policy_problem(value):
    if isinstance(value, (dict, list)):
        return None if isinstance(value, dict) else "is a list, not a policy document (a JSON object)"
    if not isinstance(value, str):
        return "is a %s, not a policy document (a JSON object)" % type(value).__name__
    try:
        document = json.loads(value)
    except ValueError:
        return "is not JSON: give the policy document (a JSON object with Version and Statement)"
    if not isinstance(document, dict):
        return "is not a JSON object: give the policy document (with Version and Statement)"
    return None


def _policy_text(value):
    """The policy as STS takes it: a document given as a dict becomes compact JSON; text stays as given."""
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return value


def _checked(name, value, where):
    problem = role_option_problem(name, value)
    if problem:
        raise CredentialError("%s (%s) %s" % (where[0], where[1], problem))
    return value


class StsSettings:
    """Where STS is: ``endpoint`` (a host or URL, wins), else the ``region`` and whether in a ``vpc`` (see sts.resolve_sts_endpoint).

    ``endpoint_name`` names where the endpoint came from (an option, a variable), for errors.
    """

    def __init__(self, endpoint=None, region=None, vpc=False, endpoint_name="sts_endpoint"):
        self.endpoint = endpoint or None
        self.region = region or None
        self.vpc = bool(vpc)
        self.endpoint_name = endpoint_name

    def key(self):
        return (self.endpoint, self.region, self.vpc)


class RoleSettings:
    """What to ask STS for: the role, its session's name, external ID, policy and duration, and where STS is."""

    def __init__(self, role_arn, session_name=None, external_id=None, policy=None, duration_seconds=None, sts=None):
        self.role_arn = role_arn
        self.session_name = session_name or "apsaramq-rocketmq-%d" % int(time.time())
        self.external_id = external_id or None
        self.policy = _policy_text(policy) if policy else None
        self.duration_seconds = whole_number(duration_seconds) if duration_seconds is not None else DURATION_DEFAULT
        self.sts = sts or StsSettings()

    def key(self):
        # The session name is left out: a default one holds the time, and the same role asked for
        # twice in a run is one session.
        return (self.role_arn, self.external_id, self.policy, self.duration_seconds, self.sts.key())


def _setting(name, option_value, profile_value, env_name, environ, profile_label, profile_field):
    """The first of the option, the profile's field and the environment variable that is set, with where it came from."""
    if option_value is not None and option_value != "":
        return option_value, (name, "module options")
    if profile_value is not None and profile_value != "":
        return profile_value, (profile_field, profile_label)
    if env_name and environ.get(env_name):
        return environ[env_name], (env_name, "environment variable")
    return None, None


def _sts_settings(params, environ, profile=None, profile_label=None):
    profile = profile or {}
    endpoint, where = _setting("sts_endpoint", params.get("sts_endpoint"), profile.get("sts_endpoint"),
                               STS_ENDPOINT_ENV, environ, profile_label, "sts_endpoint")
    region, dummy = _setting("sts_region", None, profile.get("sts_region"), STS_REGION_ENV, environ, profile_label,
                             "sts_region")
    vpc = _is_true(profile.get("enable_vpc")) or _is_true(environ.get(STS_VPC_ENV))
    if endpoint is not None and not isinstance(endpoint, str):
        raise CredentialError("%s (%s) is not a host name or URL" % where)
    return StsSettings(endpoint, region, vpc, where[0] if where else "sts_endpoint")


def role_settings(params, environ, role_arn, role_where, profile=None, profile_label=None, session_field="ram_session_name",
                  outermost=True, oidc=False):
    """The RoleSettings of ``role_arn``: each setting the option, else the profile's field (of ``profile``), else the environment's.

    The options of the role (ROLE_OPTIONS but role_arn: its session name, external ID, policy and
    duration) are the task's role's: they apply to the ``outermost`` role of the chain only, the one
    whose credentials the task uses. A role assumed on the way to it (a profile's, under role_arn or
    as a source_profile) takes its own settings from its profile and the environment. Where STS is
    (sts_endpoint) applies to every role. A role assumed by ``oidc`` (AssumeRoleWithOIDC) has no
    external ID: the option external_id is refused for it, the profile's field and the variable are
    not read. ``role_where`` is ``(name, where)`` of the role ARN, for errors. Raises
    CredentialError naming the setting and where it came from for a value STS would refuse.
    """
    profile = profile or {}
    own = params if outermost else {}
    _checked("role_arn", role_arn, role_where)
    if oidc and own.get("external_id") not in (None, ""):
        raise CredentialError("external_id is set, but the role %s is assumed with an OIDC token (AssumeRoleWithOIDC), "
                              "which takes no external ID: remove external_id" % role_arn)
    session, where = _setting("role_session_name", own.get("role_session_name"),
                              profile.get(session_field) or profile.get("role_session_name"), ROLE_SESSION_NAME_ENV,
                              environ, profile_label, session_field)
    if session is not None:
        _checked("role_session_name", session, where)
    external_id, where = None, None
    if not oidc:
        external_id, where = _setting("external_id", own.get("external_id"), profile.get("external_id"), EXTERNAL_ID_ENV,
                                      environ, profile_label, "external_id")
    if external_id is not None:
        _checked("external_id", external_id, where)
    policy, where = _setting("policy", own.get("policy"), profile.get("policy"), None, environ, profile_label, "policy")
    if policy is not None:
        _checked("policy", policy, where)
    # The CLI writes 0 for "not set".
    expired = profile.get("expired_seconds") or None
    duration, where = _setting("duration_seconds", own.get("duration_seconds"), expired, None, environ, profile_label,
                               "expired_seconds")
    if duration is not None:
        _checked("duration_seconds", duration, where)
    return RoleSettings(role_arn, session, external_id, policy, duration, _sts_settings(params, environ, profile, profile_label))


# --- sources: what the chain found ----------------------------------------------------------------------

def _digest(value):
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest() if value else None


class StaticSource:
    """Credentials given as they are (options, environment, a profile): never renewed."""

    def __init__(self, credentials):
        self.credentials = credentials

    def describe(self):
        return self.credentials.source

    def key(self):
        creds = self.credentials
        return ("static", creds.access_key_id, _digest(creds.access_key_secret), _digest(creds.security_token))


class EcsRoleSource:
    """The RAM role of the ECS instance, from its metadata service: renewed before it expires."""

    def __init__(self, role_name):
        self.role_name = role_name

    def describe(self):
        return "ECS RAM role %s" % self.role_name

    def key(self):
        return ("ecs", self.role_name)


class AssumeRoleSource:
    """A RAM role assumed (STS AssumeRole) with the credentials of another source."""

    def __init__(self, source, settings):
        self.source = source
        self.settings = settings

    def describe(self):
        return "RAM role %s assumed with the credentials of %s" % (self.settings.role_arn, self.source.describe())

    def key(self):
        return ("assume", self.settings.key(), self.source.key())


class OidcSource:
    """A RAM role assumed with an OIDC token read from a file (STS AssumeRoleWithOIDC): the RRSA and CI case."""

    def __init__(self, settings, provider_arn, token_file):
        self.settings = settings
        self.provider_arn = provider_arn
        self.token_file = token_file

    def describe(self):
        return "RAM role %s assumed with the OIDC token of %s (provider %s)" % (
            self.settings.role_arn, self.token_file, self.provider_arn)

    def key(self):
        return ("oidc", self.settings.key(), self.provider_arn, os.path.abspath(os.path.expanduser(self.token_file)))


def read_oidc_token(path):
    """Return the OIDC token in the file ``path``, read again at each call (RRSA and CI rotate it).

    Surrounding whitespace (the line end a shell leaves) is dropped; a token holding any other
    whitespace or a control character is refused. Errors name the file, never the token.
    """
    path = os.path.expanduser(path)
    try:
        with open(path, "r", encoding="utf-8") as handle:
            token = handle.read(1024 * 1024).strip()
    except (IOError, OSError, UnicodeDecodeError) as exc:
        raise CredentialError("cannot read the OIDC token file %s: %s" % (path, getattr(exc, "strerror", None) or
                                                                          type(exc).__name__))
    if not token:
        raise CredentialError("the OIDC token file %s is empty" % path)
    problem = credential_problem(token, True)
    if problem:
        raise CredentialError("the OIDC token in %s %s: it must be the token exactly as issued" % (path, problem))
    return token


# --- the chain ----------------------------------------------------------------------------------------

def load_cli_config(path=None):
    """Read the aliyun CLI configuration file; return None when it does not exist."""
    path = os.path.expanduser(path or CLI_CONFIG_PATH)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "r") as handle:
            config = json.load(handle)
    except (IOError, OSError, ValueError) as exc:
        raise CredentialError("cannot read the aliyun CLI configuration %s: %s" % (path, exc))
    if not isinstance(config, dict) or not isinstance(config.get("profiles", []), list):
        raise CredentialError("the aliyun CLI configuration %s is not of the expected form "
                              "({\"current\": ..., \"profiles\": [...]})" % path)
    return config


def select_profile(config, name, path=None):
    """Return the profile called ``name`` (or the file's current one) from a CLI configuration."""
    wanted = name or config.get("current") or "default"
    for profile in config.get("profiles") or []:
        if isinstance(profile, dict) and profile.get("name") == wanted:
            return profile
    known = sorted(p.get("name") for p in config.get("profiles") or [] if isinstance(p, dict) and p.get("name"))
    raise CredentialError("profile %r is not in %s (profiles there: %s)" % (
        wanted, path or CLI_CONFIG_PATH, ", ".join(known) or "none"))


def _profile_source(profile, config, path, params, environ, seen=(), outermost=True):
    """The Source of a CLI profile, by its mode; ChainableRamRoleArn follows its source_profile (never in a circle).

    ``outermost`` is whether the profile's role is the task's (see role_settings): not under the
    option role_arn, nor as a source_profile.
    """
    mode = profile.get("mode") or "AK"
    label = "profile %s of %s" % (profile.get("name"), path)
    if mode in ("AK", "StsToken", "RamRoleArn"):
        token = profile.get("sts_token") if mode != "AK" else None
        creds = _pair(profile.get("access_key_id"), profile.get("access_key_secret"), token,
                      ("access_key_id", "access_key_secret", "sts_token"), label)
        if creds is None:
            raise CredentialError("%s has no access_key_id and access_key_secret" % label)
        if mode == "StsToken" and not creds.security_token:
            raise CredentialError("%s has mode StsToken but no sts_token" % label)
        if mode != "RamRoleArn":
            return StaticSource(creds)
        return AssumeRoleSource(StaticSource(creds), _profile_role(profile, label, params, environ, outermost))
    if mode == "EcsRamRole":
        return EcsRoleSource(_profile_ecs_role(profile, label, mode))
    if mode == "RamRoleArnWithRoleName":
        return AssumeRoleSource(EcsRoleSource(_profile_ecs_role(profile, label, mode)),
                                _profile_role(profile, label, params, environ, outermost))
    if mode == "ChainableRamRoleArn":
        name = profile.get("source_profile")
        if not name:
            raise CredentialError("%s has mode ChainableRamRoleArn but no source_profile" % label)
        if name in seen or name == profile.get("name"):
            raise CredentialError("%s: source_profile %s leads back to itself" % (label, name))
        inner = _profile_source(select_profile(config, name, path), config, path, params, environ,
                                tuple(seen) + (profile.get("name"),), outermost=False)
        return AssumeRoleSource(inner, _profile_role(profile, label, params, environ, outermost))
    if mode == "OIDC":
        role_arn = profile.get("ram_role_arn")
        provider = profile.get("oidc_provider_arn")
        token_file = profile.get("oidc_token_file")
        for field, value in (("ram_role_arn", role_arn), ("oidc_provider_arn", provider), ("oidc_token_file", token_file)):
            if not value:
                raise CredentialError("%s has mode OIDC but no %s" % (label, field))
        _checked("oidc_provider_arn", provider, ("oidc_provider_arn", label))
        _checked("oidc_token_file", token_file, ("oidc_token_file", label))
        settings = role_settings(params, environ, role_arn, ("ram_role_arn", label), profile, label, outermost=outermost,
                                 oidc=True)
        return OidcSource(settings, provider, token_file)
    raise CredentialError("%s has mode %s, which this collection does not support (supported: %s)" % (
        label, mode, ", ".join(SUPPORTED_PROFILE_MODES)))


def _profile_ecs_role(profile, label, mode):
    if not profile.get("ram_role_name"):
        raise CredentialError("%s has mode %s but no ram_role_name" % (label, mode))
    return profile["ram_role_name"]


def _profile_role(profile, label, params, environ, outermost):
    if not profile.get("ram_role_arn"):
        raise CredentialError("%s has mode %s but no ram_role_arn" % (label, profile.get("mode")))
    return role_settings(params, environ, profile["ram_role_arn"], ("ram_role_arn", label), profile, label,
                         outermost=outermost)


def _oidc_parts(params, environ):
    """``(provider_arn, token_file, from_options)`` of OIDC, each the option else its variable."""
    provider = params.get("oidc_provider_arn") or environ.get(OIDC_PROVIDER_ARN_ENV) or None
    token_file = params.get("oidc_token_file") or environ.get(OIDC_TOKEN_FILE_ENV) or None
    return provider, token_file, bool(params.get("oidc_provider_arn") or params.get("oidc_token_file"))


def _oidc_source(params, environ, role_arn, role_where):
    provider, token_file, dummy = _oidc_parts(params, environ)
    where = ("oidc_provider_arn", "module options") if params.get("oidc_provider_arn") else (OIDC_PROVIDER_ARN_ENV,
                                                                                             "environment variable")
    _checked("oidc_provider_arn", provider, where)
    where = ("oidc_token_file", "module options") if params.get("oidc_token_file") else (OIDC_TOKEN_FILE_ENV,
                                                                                         "environment variable")
    _checked("oidc_token_file", token_file, where)
    return OidcSource(role_settings(params, environ, role_arn, role_where, oidc=True), provider, token_file)


def resolve_source(params, environ=None, config_path=None):
    """Walk the credential chain (see the module's docstring) and return ``(Source, profile_region)``.

    ``params`` holds the module options. ``profile_region`` is the ``region_id`` of the profile
    used, if any, so that a profile can also give the region. Raises CredentialError naming what
    is missing or wrong, never quoting a secret.
    """
    environ = os.environ if environ is None else environ
    role_arn = params.get("role_arn") or None
    provider, token_file, oidc_options = _oidc_parts(params, environ)
    if oidc_options and not (role_arn or environ.get(ROLE_ARN_ENV)):
        raise CredentialError("oidc_provider_arn and oidc_token_file need a role to assume: set role_arn (or %s)" % ROLE_ARN_ENV)
    if oidc_options and not (provider and token_file):
        raise CredentialError("OIDC needs both oidc_provider_arn and oidc_token_file (or %s and %s): %s is not set" % (
            OIDC_PROVIDER_ARN_ENV, OIDC_TOKEN_FILE_ENV, "oidc_token_file" if provider else "oidc_provider_arn"))

    creds = _pair(params.get("access_key_id"), params.get("access_key_secret"), params.get("security_token"),
                  ("access_key_id", "access_key_secret", "security_token"), "module options")
    if creds and oidc_options:
        raise CredentialError("access_key_id and oidc_provider_arn or oidc_token_file are all set: give the AccessKey "
                              "or the OIDC token, not both")
    if creds:
        if role_arn:
            return AssumeRoleSource(StaticSource(creds), role_settings(params, environ, role_arn, ("role_arn", "module options"))), None
        _no_role_options(params)
        return StaticSource(creds), None
    if role_arn and provider and token_file:
        return _oidc_source(params, environ, role_arn, ("role_arn", "module options")), None
    if oidc_options:
        return _oidc_source(params, environ, environ.get(ROLE_ARN_ENV), (ROLE_ARN_ENV, "environment variable")), None
    if role_arn:
        try:
            inner, region = _rest_of_chain(params, environ, config_path, roles=False)
        except CredentialError as exc:
            raise CredentialError("role_arn is set, but the credentials to assume it with were not found: %s" % exc)
        return AssumeRoleSource(inner, role_settings(params, environ, role_arn, ("role_arn", "module options"))), region
    source, region = _rest_of_chain(params, environ, config_path, roles=True)
    if not isinstance(source, (AssumeRoleSource, OidcSource)):
        _no_role_options(params)
    return source, region


def _no_role_options(params):
    given = [name for name in ROLE_OPTIONS if params.get(name) is not None and params.get(name) != ""]
    if given:
        raise CredentialError("%s %s set but no role is assumed: set role_arn (or use a profile of mode RamRoleArn or OIDC)" % (
            " and ".join(given), "is" if len(given) == 1 else "are"))


def _rest_of_chain(params, environ, config_path, roles):
    """Steps 2 to 6 of the chain; with ``roles`` false (a source for the option role_arn), no role of the environment is assumed."""
    role_env = environ.get(ROLE_ARN_ENV) if roles else None
    for names in ENV_KEY_SETS:
        creds = _pair(environ.get(names[0]), environ.get(names[1]), environ.get(names[2]), names,
                      "environment variables %s" % names[0])
        if creds:
            if role_env and not creds.security_token:
                return AssumeRoleSource(StaticSource(creds), role_settings(params, environ, role_env, (
                    ROLE_ARN_ENV, "environment variable"))), None
            return StaticSource(creds), None
    if roles and role_env and environ.get(OIDC_PROVIDER_ARN_ENV) and environ.get(OIDC_TOKEN_FILE_ENV):
        return _oidc_source(params, environ, role_env, (ROLE_ARN_ENV, "environment variable")), None

    # A profile named by the option or the environment comes next; the file's current profile,
    # which nobody named, only after an explicitly named ECS RAM role.
    # ALIBABA_CLOUD_CLI_PROFILE_DISABLED keeps the file from being read for a profile of the
    # environment and for the current one, as in the official chain; the option profile, which the
    # task names, is read all the same (the official chain would refuse it).
    cli_disabled = _is_true(environ.get(CLI_PROFILE_DISABLED_ENV))
    profile_name = params.get("profile") or (None if cli_disabled else _first_env(PROFILE_ENV, environ)[0])
    path = os.path.expanduser(config_path or CLI_CONFIG_PATH)
    if profile_name:
        config = load_cli_config(path)
        if config is None:
            raise CredentialError("profile %r was asked for but %s does not exist" % (profile_name, path))
        profile = select_profile(config, profile_name, path)
        return _profile_source(profile, config, path, params, environ, outermost=roles), profile.get("region_id") or None

    ecs_role = params.get("ecs_role_name") or environ.get(ECS_ROLE_ENV)
    if ecs_role:
        return EcsRoleSource(ecs_role), None

    config = None if cli_disabled else load_cli_config(path)
    if config is not None and config.get("profiles"):
        try:
            profile = select_profile(config, None, path)
            return _profile_source(profile, config, path, params, environ, outermost=roles), profile.get("region_id") or None
        except CredentialError as exc:
            raise CredentialError("no credentials found (the current profile of %s cannot be used: %s): %s" % (
                path, exc, HOW_TO_PROVIDE))
    raise CredentialError("no credentials found: " + HOW_TO_PROVIDE)


# --- providers: the credentials of a source, kept fresh -------------------------------------------------

class CredentialProvider:
    """The current credentials of a source: fetched on first use, fetched again before they expire.

    ``fetch()`` returns new Credentials (with ``expiration``, or None for credentials that do not
    expire) and raises CredentialError. Credentials are renewed once less than
    ``min(REFRESH_MARGIN_SECONDS, REFRESH_FRACTION of their life)`` is left. When a renewal fails
    while the credentials in hand still work, they are used and the renewal is tried again after
    REFRESH_RETRY_SECONDS; once they have expired, ``get`` raises the renewal's error. Credentials
    already expired by this machine's clock when received (a clock ahead of the issuer's) count as
    a failed renewal, whose error says to check the clock. Safe to share between threads: one
    renews, the others wait for it.

    ``secrets`` is the list of every secret the provider (and the sources under it) ever held; it
    only grows, and callers keep a reference to it to scrub their output.
    """

    def __init__(self, source, fetch, secrets, clock=time.time):
        self.source = source
        self.secrets = secrets
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._current = None
        self._obtained = None
        self._retry_at = None
        self.fetches = 0

    def describe(self):
        """Where the credentials come from, for messages."""
        return self.source.describe()

    def remember(self, *values):
        """Add ``values`` (secrets just read or received) to ``secrets``."""
        for value in values:
            if value and value not in self.secrets:
                self.secrets.append(value)

    def _due(self, now):
        current = self._current
        if current is None:
            return True
        if current.expiration is None:
            return False
        life = max(0.0, current.expiration - self._obtained)
        return now >= current.expiration - min(REFRESH_MARGIN_SECONDS, life * REFRESH_FRACTION)

    def _check_not_expired(self, fresh, now):
        """Refuse credentials already expired by this machine's clock when received, their secrets remembered first.

        Used, they would be refused by the service, and fetched again at every call: a clock
        ahead of the issuer's (or an answer kept too long) is what to fix.
        """
        if fresh.expiration is None or fresh.expiration > now:
            return
        self.remember(*fresh.secrets())
        raise CredentialError(
            "the credentials of %s were already expired when issued: they expire at %s but the clock of this machine "
            "says %s; check the clock of this machine (it must be in time, e.g. kept by NTP)" % (
                self.describe(), expiration_text(fresh.expiration), expiration_text(now)))

    def get(self):
        """Return credentials that are valid for a while yet; raise CredentialError when none can be had."""
        with self._lock:
            now = self._clock()
            if not self._due(now):
                return self._current
            current = self._current
            if current is not None and self._retry_at is not None and now < self._retry_at and now < current.expiration:
                return current
            try:
                fresh = self._fetch()
                self._check_not_expired(fresh, now)
            except CredentialError as exc:
                if current is not None and now < current.expiration:
                    self._retry_at = now + REFRESH_RETRY_SECONDS
                    return current
                if current is not None:
                    raise CredentialError("the credentials of %s expired and could not be renewed: %s" % (
                        self.describe(), exc))
                raise
            self.fetches += 1
            self.remember(*fresh.secrets())
            self._current, self._obtained, self._retry_at = fresh, now, None
            return fresh


def build_provider(source, ecs_fetch, sts=None, secrets=None):
    """Return the CredentialProvider of ``source``.

    ``ecs_fetch(role_name)`` returns the Credentials of an ECS RAM role; ``sts`` has
    ``assume_role(source_provider, settings, secrets)`` and ``assume_role_with_oidc(token,
    provider_arn, settings, secrets)``, each returning Credentials (sts.StsCaller). ``secrets``
    is the list the providers of the whole tree add their secrets to (a new one by default).
    """
    secrets = [] if secrets is None else secrets
    if isinstance(source, StaticSource):
        provider = CredentialProvider(source, lambda: source.credentials, secrets)
    elif isinstance(source, EcsRoleSource):
        provider = CredentialProvider(source, lambda: ecs_fetch(source.role_name), secrets)
    elif isinstance(source, AssumeRoleSource):
        inner = build_provider(source.source, ecs_fetch, sts, secrets)
        provider = CredentialProvider(source, lambda: _need_sts(sts).assume_role(inner, source.settings, secrets), secrets)
    elif isinstance(source, OidcSource):
        def fetch():
            token = read_oidc_token(source.token_file)
            provider.remember(token)
            return _need_sts(sts).assume_role_with_oidc(token, source.provider_arn, source.settings, secrets)

        provider = CredentialProvider(source, fetch, secrets)
    else:
        raise TypeError("not a source of credentials: %r" % (source,))
    return provider


def _need_sts(sts):
    if sts is None:
        raise CredentialError("a role is to be assumed but no STS client was given")
    return sts


_SHARED = {}
_SHARED_LOCK = threading.Lock()


def shared_provider(source, key, make):
    """The provider of ``source`` made once per process (``make()``), for every client of the run that has the same ``key``.

    The gate's two API clients then share one STS session, and renew it once.
    """
    with _SHARED_LOCK:
        full = (source.key(), key)
        provider = _SHARED.get(full)
        if provider is None:
            provider = _SHARED[full] = make()
        return provider


def resolve_credentials(params, ecs_fetch, environ=None, config_path=None, sts=None):
    """Walk the credential chain and return ``(Credentials, profile_region)`` (see resolve_source and build_provider).

    ``ecs_fetch(role_name)`` returns Credentials for an ECS RAM role; ``sts`` assumes roles (needed
    only when the chain leads to one).
    """
    source, region = resolve_source(params, environ, config_path)
    return build_provider(source, ecs_fetch, sts).get(), region


def resolve_region(params, profile_region=None, environ=None):
    """Return the region: the option, else the environment, else the profile's; may be None."""
    environ = os.environ if environ is None else environ
    return params.get("region") or _first_env(REGION_ENV, environ)[0] or profile_region


def fetch_ecs_role_credentials(role_name, http_get, http_put, metadata_url=ECS_METADATA_URL):
    """Fetch the temporary credentials of an ECS RAM role from the instance metadata service.

    ``http_put(url, headers)`` and ``http_get(url, headers)`` return ``(status, text)`` and raise
    OSError (as requests does) when the service cannot be reached; they are passed in so that this
    module carries no transport of its own. The IMDSv2 token is asked for
    first; an instance that only serves IMDSv1 is then read without it. The credentials carry
    their ``Expiration``, so that they are fetched again before it.
    """
    if not isinstance(role_name, str) or not ROLE_NAME_PATTERN.fullmatch(role_name):
        raise CredentialError("RAM role name %r is not valid: use %s" % (role_name, ROLE_NAME_RULE))
    headers = {}
    try:
        status, token = http_put(metadata_url + "/latest/api/token",
                                 {"X-aliyun-ecs-metadata-token-ttl-seconds": ECS_TOKEN_TTL_SECONDS})
        if status == 200 and token:
            headers["X-aliyun-ecs-metadata-token"] = token.strip()
    except (IOError, OSError) as exc:  # requests' errors are OSErrors: no token, try IMDSv1
        token_error = exc
    else:
        token_error = None
    url = "%s/latest/meta-data/ram/security-credentials/%s" % (metadata_url, role_name)
    try:
        status, text = http_get(url, headers)
    except (IOError, OSError) as exc:
        raise CredentialError("cannot reach the ECS metadata service for RAM role %r: %s%s" % (
            role_name, exc, " (token request also failed: %s)" % token_error if token_error else ""))
    if status != 200:
        raise CredentialError("the ECS metadata service answered HTTP %s for RAM role %r: is the role "
                              "attached to this instance?" % (status, role_name))
    try:
        data = json.loads(text)
    except ValueError:
        raise CredentialError("the ECS metadata service answered for RAM role %r with something that is not JSON" % role_name)
    if not isinstance(data, dict) or data.get("Code") != "Success" or not data.get("AccessKeyId") or not data.get("AccessKeySecret"):
        raise CredentialError("the ECS metadata service did not give credentials for RAM role %r (Code: %s)" % (
            role_name, data.get("Code") if isinstance(data, dict) else "none"))
    source = "ECS RAM role %s" % role_name
    check_credential_values(data["AccessKeyId"], data["AccessKeySecret"], data.get("SecurityToken"),
                            ("AccessKeyId", "AccessKeySecret", "SecurityToken"), source)
    expiration = None
    if data.get("Expiration") is not None:
        expiration = parse_expiration(data["Expiration"], "the ECS metadata service (RAM role %s)" % role_name)
    return Credentials(data["AccessKeyId"], data["AccessKeySecret"], data.get("SecurityToken"), source, expiration)
