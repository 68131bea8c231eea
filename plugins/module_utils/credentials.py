# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The credential chain: where an access key comes from.

First match wins:

1. the module options ``access_key_id`` / ``access_key_secret`` / ``security_token``;
2. ``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` / ``ALIBABA_CLOUD_SECURITY_TOKEN``;
3. ``ALICLOUD_ACCESS_KEY`` / ``ALICLOUD_SECRET_KEY`` / ``ALICLOUD_SECURITY_TOKEN``;
4. a profile of the aliyun CLI file ``~/.aliyun/config.json`` named by the option ``profile``, or
   ``ALIBABA_CLOUD_PROFILE`` or ``ALICLOUD_PROFILE`` (modes AK, StsToken, EcsRamRole);
5. the ECS RAM role named by the option ``ecs_role_name``, through the instance metadata service;
6. the current profile of ``~/.aliyun/config.json``, when the file exists and no profile was named.
"""

import json
import os
import re

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import credential_problem

ENV_KEY_SETS = (
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"),
    ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"),
)
PROFILE_ENV = ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")
REGION_ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION")
CLI_CONFIG_PATH = "~/.aliyun/config.json"
ECS_METADATA_URL = "http://100.100.100.200"
ECS_TOKEN_TTL_SECONDS = "21600"
SUPPORTED_PROFILE_MODES = ("AK", "StsToken", "EcsRamRole")
# RAM role names: the name goes into the metadata service's URL path, so nothing else may pass.
ROLE_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
ROLE_NAME_RULE = "1 to 64 letters, digits, periods, hyphens and underscores"

HOW_TO_PROVIDE = (
    "provide credentials in one of these ways: the options access_key_id and access_key_secret "
    "(and security_token for STS); the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY); a profile of "
    "the aliyun CLI file ~/.aliyun/config.json (option profile or ALIBABA_CLOUD_PROFILE); or the "
    "option ecs_role_name on an ECS instance with a RAM role"
)


class CredentialError(Exception):
    """Credentials could not be found or loaded; the message says why and never holds a secret."""


class Credentials:
    """An access key pair, with an optional STS token, and where it came from."""

    def __init__(self, access_key_id, access_key_secret, security_token=None, source=None):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token or None
        self.source = source

    def secrets(self):
        """Return the values that must never appear in output."""
        return [value for value in (self.access_key_secret, self.security_token) if value]

    def __repr__(self):
        # Never let a secret reach a log through repr().
        return "Credentials(access_key_id=%r, source=%r)" % (self.access_key_id, self.source)


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


def fetch_ecs_role_credentials(role_name, http_get, http_put, metadata_url=ECS_METADATA_URL):
    """Fetch the temporary credentials of an ECS RAM role from the instance metadata service.

    ``http_put(url, headers)`` and ``http_get(url, headers)`` return ``(status, text)`` and raise
    OSError (as requests does) when the service cannot be reached; they are passed in so that this
    module carries no transport of its own. The IMDSv2 token is asked for
    first; an instance that only serves IMDSv1 is then read without it.
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
    return Credentials(data["AccessKeyId"], data["AccessKeySecret"], data.get("SecurityToken"), source)


def _from_profile(profile, path, ecs_fetch):
    mode = profile.get("mode") or "AK"
    label = "profile %s of %s" % (profile.get("name"), path)
    if mode == "AK":
        creds = _pair(profile.get("access_key_id"), profile.get("access_key_secret"), None,
                      ("access_key_id", "access_key_secret"), label)
    elif mode == "StsToken":
        creds = _pair(profile.get("access_key_id"), profile.get("access_key_secret"), profile.get("sts_token"),
                      ("access_key_id", "access_key_secret", "sts_token"), label)
        if creds and not creds.security_token:
            raise CredentialError("%s has mode StsToken but no sts_token" % label)
    elif mode == "EcsRamRole":
        if not profile.get("ram_role_name"):
            raise CredentialError("%s has mode EcsRamRole but no ram_role_name" % label)
        return ecs_fetch(profile["ram_role_name"])
    else:
        raise CredentialError("%s has mode %s, which this collection does not support (supported: %s)" % (
            label, mode, ", ".join(SUPPORTED_PROFILE_MODES)))
    if creds is None:
        raise CredentialError("%s has no access_key_id and access_key_secret" % label)
    return creds


def resolve_credentials(params, ecs_fetch, environ=None, config_path=None):
    """Walk the credential chain and return ``(Credentials, profile_region)``.

    ``params`` holds the module options; ``ecs_fetch(role_name)`` returns Credentials for an ECS
    RAM role. ``profile_region`` is the ``region_id`` of the profile used, if any, so that a
    profile can also give the region.
    """
    environ = os.environ if environ is None else environ
    creds = _pair(params.get("access_key_id"), params.get("access_key_secret"), params.get("security_token"),
                  ("access_key_id", "access_key_secret", "security_token"), "module options")
    if creds:
        return creds, None
    for names in ENV_KEY_SETS:
        creds = _pair(environ.get(names[0]), environ.get(names[1]), environ.get(names[2]), names,
                      "environment variables %s" % names[0])
        if creds:
            return creds, None

    # A profile named by the option or the environment comes next; the file's current profile,
    # which nobody named, only after an explicitly named ECS RAM role.
    profile_name = params.get("profile") or _first_env(PROFILE_ENV, environ)[0]
    path = os.path.expanduser(config_path or CLI_CONFIG_PATH)
    if profile_name:
        config = load_cli_config(path)
        if config is None:
            raise CredentialError("profile %r was asked for but %s does not exist" % (profile_name, path))
        profile = select_profile(config, profile_name, path)
        return _from_profile(profile, path, ecs_fetch), profile.get("region_id") or None

    if params.get("ecs_role_name"):
        return ecs_fetch(params["ecs_role_name"]), None

    config = load_cli_config(path)
    if config is not None and config.get("profiles"):
        try:
            profile = select_profile(config, None, path)
            return _from_profile(profile, path, ecs_fetch), profile.get("region_id") or None
        except CredentialError as exc:
            raise CredentialError("no credentials found (the current profile of %s cannot be used: %s): %s" % (
                path, exc, HOW_TO_PROVIDE))
    raise CredentialError("no credentials found: " + HOW_TO_PROVIDE)


def resolve_region(params, profile_region=None, environ=None):
    """Return the region: the option, else the environment, else the profile's; may be None."""
    environ = os.environ if environ is None else environ
    return params.get("region") or _first_env(REGION_ENV, environ)[0] or profile_region
