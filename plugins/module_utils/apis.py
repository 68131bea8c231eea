# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""What each API the collection calls is, said once: ONS (4.x), RocketMQ 2022-08-01 (5.x), and STS.

Each API is one ``Api``: the instances it serves (their ID prefix), the rules of its names, its
endpoints, the error codes that mean throttled, worth another try, or not found, and its
operations with their request limits. The modules, the clients and the gate read these
descriptors; nothing else restates them. STS (the Security Token Service, which turns a RAM role
into temporary credentials) serves no instance: the credential chain calls it. Where a fact is inferred rather than published, the
comment says so (``../shared/reference`` in the project holds the sources).

This file imports nothing of the collection's, so that every part of it can read it.
"""

import re
from collections import namedtuple

GENERATION_4 = "4.x"
GENERATION_5 = "5.x"

NameRule = namedtuple("NameRule", "pattern what accepted")
NameRule.__doc__ = """A kind of name: ``pattern`` (matched whole), ``what`` it is, and what is ``accepted`` (for errors)."""

Operation = namedtuple("Operation", "name limit published")
Cause = namedtuple("Cause", "kind fix")
Cause.__doc__ = """What an error says of the run rather than of a consumer: its ``kind`` (``credentials``, ``clock``,
``permission``, ``throttling``, ``endpoint``) and the ``fix`` a person can make."""

# The gateway's codes, the same for both APIs (ons-api.md, "Errors"): none of them says anything of
# consumers, only that the gate could not ask. Matched exactly.
GATEWAY_CAUSES = {}
for _code in ("InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "InvalidAccessKeyId"):
    GATEWAY_CAUSES[_code] = Cause("credentials", "check the AccessKey ID the gate uses (access_key_id, "
                                                 "ALIBABA_CLOUD_ACCESS_KEY_ID, the profile): the API does not know it or it is disabled")
for _code in ("SignatureDoesNotMatch", "IncompleteSignature"):
    GATEWAY_CAUSES[_code] = Cause("credentials", "check the AccessKey secret: it is not the one of the AccessKey ID")
for _code in ("InvalidSecurityToken.Expired", "InvalidSecurityToken.MismatchWithAccessKey", "InvalidSecurityToken.Malformed"):
    GATEWAY_CAUSES[_code] = Cause("credentials", "check the STS token (security_token): it expired or is not the one of the key")
for _code in ("InvalidTimeStamp.Expired", "SignatureNonceUsed"):
    GATEWAY_CAUSES[_code] = Cause("clock", "check the clock of the machine that runs the gate: the API refuses requests "
                                           "more than 15 minutes off")
for _code in ("Forbidden.RAM", "Forbidden", "Forbidden.AccessDenied", "NoPermission"):
    GATEWAY_CAUSES[_code] = Cause("permission", "grant the RAM action the answer names to the user of the gate "
                                                "(the gate guide's RAM policy lists them)")
del _code
# Errors of the clients themselves, by their code (module_utils/errors.py).
THROTTLED = Cause("throttling", "the API refused calls as too many even after the retries: lower rate_limit, raise "
                                "retries, or run fewer gates on the account at once")
CLIENT_CAUSES = {
    "TransportError": Cause("endpoint", "check the endpoint (endpoint, rmq_endpoint, region, network) and that it can "
                                        "be reached from where the gate runs"),
    "ConfigurationError": Cause("endpoint", "check the endpoint and transport options"),
    # The STS token of an assumed role (or of an ECS role) could not be renewed before it expired
    # (errors.CredentialRefreshError): its message names the STS error.
    "CredentialRefreshFailed": Cause("credentials", "check the role the gate assumes (role_arn, its trust policy, "
                                                    "sts:AssumeRole) and, with OIDC, that the token file holds a "
                                                    "token that is still valid"),
}
Operation.__doc__ = """An operation of an API: its ``name``, its request ``limit`` in calls per second per account, and whether that limit is ``published``."""


class Api:
    """One management API: read its attributes; ``check_name``, ``host``, ``limit`` and the code tests answer from them."""

    def __init__(self, key, product, version, generation, instance_prefix, style, signature_versions, hosts, names,
                 throttled_codes, retry_codes, not_found_codes, operations):
        self.key = key
        self.product = product
        self.version = version
        self.generation = generation
        self.instance_prefix = instance_prefix
        self.style = style
        self.signature_versions = signature_versions
        self.hosts = hosts
        self.names = names
        self.throttled_codes = frozenset(throttled_codes)
        self.retry_codes = frozenset(retry_codes)
        self.not_found_codes = frozenset(not_found_codes)
        self.operations = dict((operation.name, operation) for operation in operations)

    def __repr__(self):
        return "<Api %s %s>" % (self.product, self.version)

    def serves(self, instance_id):
        """Tell whether ``instance_id`` is an instance of this API (by its prefix); an API of no instances serves none."""
        return bool(self.instance_prefix) and isinstance(instance_id, str) and instance_id.startswith(self.instance_prefix)

    def check_name(self, kind, value, what):
        """Return ``value`` when it is a name of ``kind`` (a key of ``names``); else raise ValueError naming ``what``."""
        rule = self.names[kind]
        if not isinstance(value, str) or not rule.pattern.fullmatch(value):
            raise ValueError("%s %r is not a valid %s ID: use %s" % (what, value, kind, rule.accepted))
        return value

    def host(self, region, network):
        """The API's host name for ``region`` on ``network`` (a key of ``hosts``: ``public`` or ``vpc``).

        Without a region, the API's ``global`` host if it has one (STS: ``sts.aliyuncs.com``).
        """
        if not region and "global" in self.hosts:
            return self.hosts["global"]
        return self.hosts[network].format(region=region)

    def limit(self, operation):
        """The request limit of ``operation`` in calls per second (the API's default for one not listed)."""
        found = self.operations.get(operation)
        return found.limit if found is not None else DEFAULT_LIMIT

    def is_throttled(self, code):
        """Tell whether ``code`` says "too many requests" (worth another try after a pause)."""
        return code in self.throttled_codes or (isinstance(code, str) and code.startswith("Throttling"))

    def is_not_found(self, code):
        """Tell whether ``code`` says the resource does not exist (never worth another try): one of the API's own codes, exactly."""
        return isinstance(code, str) and code in self.not_found_codes

    def cause_of(self, code):
        """The Cause of an error ``code`` that says nothing of consumers (credentials, clock, permission, throttling, endpoint); else None."""
        if not isinstance(code, str):
            return None
        if code in GATEWAY_CAUSES:
            return GATEWAY_CAUSES[code]
        if self.is_throttled(code):
            return THROTTLED
        return CLIENT_CAUSES.get(code)

    def is_retryable(self, code, http_status):
        """Tell whether an error answer may succeed when sent again.

        Throttling and the API's transient codes are; a not-found code never is, whatever its
        status; else 429 and 5xx answers are, and authentication, permission and parameter errors
        (4xx) are not.
        """
        if self.is_throttled(code) or code in self.retry_codes:
            return True
        if self.is_not_found(code):
            return False
        return http_status is not None and (http_status == 429 or http_status >= 500)


# Request limits are per account and per operation (ons-api.md, "API rate limits").
DEFAULT_LIMIT = 10.0

# Names the 4.x console accepts. Matched whole.
_ONS_NAMES = {
    "instance": NameRule(re.compile(r"[A-Za-z0-9_-]{1,64}"), "an instance ID", "1 to 64 letters, digits, hyphens and underscores"),
    "group": NameRule(re.compile(r"[A-Za-z0-9_%-]{1,128}"), "a group ID", "1 to 128 letters, digits, hyphens, underscores and %"),
    "topic": NameRule(re.compile(r"[A-Za-z0-9_%-]{1,128}"), "a topic", "1 to 128 letters, digits, hyphens, underscores and %"),
    "message": NameRule(re.compile(r"[A-Za-z0-9]{1,128}"), "a message ID",
                        "1 to 128 letters and digits (a message ID is hexadecimal)"),
}

ONS = Api(
    key="ons",
    product="Ons",
    version="2019-02-14",
    generation=GENERATION_4,
    instance_prefix="MQ_INST_",
    style="RPC",
    signature_versions=("v3", "v1"),
    hosts={"public": "ons.{region}.aliyuncs.com", "vpc": "ons-vpc.{region}.aliyuncs.com"},
    names=_ONS_NAMES,
    throttled_codes=("Throttling", "Throttling.User", "Throttling.Api", "Throttling.Tps", "ONS_SYSTEM_FLOW_CONTROL"),
    retry_codes=("ServiceUnavailable", "InternalError"),
    # ONS names each missing thing with a code of its own.
    not_found_codes=("BIZ_SUBSCRIPTION_NOT_FOUND", "INSTANCE_NOT_FOUND", "BIZ_TOPIC_NOT_FOUND", "BIZ_NO_MESSAGE"),
    operations=(
        Operation("OnsConsumerStatus", 10.0, True),
        Operation("OnsConsumerAccumulate", 10.0, True),
        Operation("OnsConsumerGetConnection", 10.0, True),
        Operation("OnsGroupSubDetail", 10.0, True),
        Operation("OnsGroupList", 10.0, True),
        Operation("OnsMessageGetByMsgId", 10.0, True),
        Operation("OnsMessageTrace", 10.0, True),
        Operation("OnsInstanceInServiceList", 50.0, True),
        Operation("OnsInstanceBaseInfo", 50.0, True),
        # The current reference publishes no limit for the dead-letter query (an older page said 10 per user):
        # the 10 calls per second of the others is assumed.
        Operation("OnsDLQMessagePageQueryByGroupId", 10.0, False),
    ),
)

# Names as the 5.x console accepts them, and a little more. The published rule for topics and
# groups is letters, digits, "_" and "-", 1 to 60 characters (rocketmq5-api.md, "Names"); instances
# migrated from 4.x keep their 4.x names, which may hold "%" and "." and run to 128 characters, so
# a name is never refused here that the API might take (each travels percent-encoded in the path;
# "." and ".." alone are refused, see signer.encode_path).
_RMQ_NAMES = {
    "instance": NameRule(re.compile(r"[A-Za-z0-9_-]{1,64}"), "an instance ID", "1 to 64 letters, digits, hyphens and underscores"),
    "group": NameRule(re.compile(r"(?!\.{1,2}$)[A-Za-z0-9_.%-]{1,128}"), "a group ID",
                      "1 to 128 letters, digits, hyphens, underscores, periods and %, not . or .. alone"),
    "topic": NameRule(re.compile(r"(?!\.{1,2}$)[A-Za-z0-9_.%-]{1,128}"), "a topic",
                      "1 to 128 letters, digits, hyphens, underscores, periods and %, not . or .. alone"),
    "message": NameRule(re.compile(r"[A-Za-z0-9]{1,128}"), "a message ID",
                        "1 to 128 letters and digits (a message ID is hexadecimal)"),
}

RMQ = Api(
    key="rmq",
    product="RocketMQ",
    version="2022-08-01",
    generation=GENERATION_5,
    instance_prefix="rmq-",
    style="ROA",
    signature_versions=("v3",),
    # The VPC host follows the SDKs' generic rule: inferred, no endpoint list publishes it.
    hosts={"public": "rocketmq.{region}.aliyuncs.com", "vpc": "rocketmq-vpc.{region}.aliyuncs.com"},
    names=_RMQ_NAMES,
    throttled_codes=("Throttling", "Throttling.User", "Throttling.Api", "Rejected.Throttling"),
    retry_codes=("ServiceUnavailable", "InternalError"),
    # Confirmed: Instance.NotFound, ConsumerGroup.NotFound, Topic.NotFound, and a .NotExisted family
    # (rocketmq5-api.md). Matched exactly, never by suffix: InvalidAccessKeyId.NotFound is the
    # gateway's, and says the key, not a resource, is unknown. The .NotExisted spellings and the
    # codes of a missing message or trace are inferred.
    not_found_codes=("Instance.NotFound", "ConsumerGroup.NotFound", "Topic.NotFound", "Instance.NotExisted",
                     "ConsumerGroup.NotExisted", "Topic.NotExisted", "Message.NotFound", "Message.NotExisted",
                     "Trace.NotFound", "Trace.NotExisted", "MessageTrace.NotFound", "Msg.NotFound"),
    # No 5.x request limit is published: 10 calls per second per operation is inferred.
    operations=tuple(Operation(name, 10.0, False) for name in (
        "ListInstances", "GetInstance", "ListConsumerGroups", "GetConsumerGroup", "ListConsumerConnections",
        "GetConsumerGroupLag", "ListConsumerGroupSubscriptions", "GetConsumerGroupSubscription", "GetTrace",
        "ListMessages")),
)

# The Security Token Service: what the credential chain calls to assume a RAM role (AssumeRole,
# signed with the source credentials) or to exchange an OIDC token for one (AssumeRoleWithOIDC,
# which is anonymous: no AccessKey signs it). RPC style, as ONS. Its hosts: sts.aliyuncs.com
# without a region, sts.<region>.aliyuncs.com, and sts-vpc.<region>.aliyuncs.com in a VPC (the
# host the ACK RRSA webhook injects as ALIBABA_CLOUD_STS_ENDPOINT).
_STS_NAMES = {
    # Names as the RAM console and the STS reference state them (RoleSessionName: 2 to 64 of these
    # characters; older pages said 32). Matched whole.
    "role_arn": NameRule(re.compile(r"acs:ram::[0-9]{1,32}:role/[A-Za-z0-9._@-]{1,64}"), "a RAM role ARN",
                         "acs:ram::<account ID>:role/<role name>, the role name of 1 to 64 letters, digits, periods, "
                         "hyphens, underscores and @"),
    "oidc_provider_arn": NameRule(re.compile(r"acs:ram::[0-9]{1,32}:oidc-provider/[A-Za-z0-9._-]{1,128}"),
                                  "an OIDC provider ARN",
                                  "acs:ram::<account ID>:oidc-provider/<provider name>, the name of 1 to 128 letters, "
                                  "digits, periods, hyphens and underscores"),
    "role_session_name": NameRule(re.compile(r"[A-Za-z0-9._@-]{2,64}"), "a role session name",
                                  "2 to 64 letters, digits, periods, hyphens, underscores and @"),
    "external_id": NameRule(re.compile(r"[A-Za-z0-9=,.@:/_-]{2,1224}"), "an external ID",
                            "2 to 1224 letters, digits and =,.@:/-_"),
}

STS = Api(
    key="sts",
    product="Sts",
    version="2015-04-01",
    generation=None,
    instance_prefix=None,
    style="RPC",
    signature_versions=("v3", "v1"),
    hosts={"public": "sts.{region}.aliyuncs.com", "vpc": "sts-vpc.{region}.aliyuncs.com", "global": "sts.aliyuncs.com"},
    names=_STS_NAMES,
    throttled_codes=("Throttling", "Throttling.User", "Throttling.Api"),
    retry_codes=("ServiceUnavailable", "InternalError"),
    # A role that does not exist never comes into being by asking again.
    not_found_codes=("EntityNotExist.Role",),
    # No request limit of STS is published: the 10 calls per second of the others is assumed; the
    # chain calls it once per token.
    operations=(Operation("AssumeRole", 10.0, False), Operation("AssumeRoleWithOIDC", 10.0, False)),
)

# The APIs that serve instances: the gate reads each instance through one of them.
APIS = (ONS, RMQ)


def api_of(instance_id):
    """Return the Api that serves ``instance_id`` (``MQ_INST_...``: ONS; ``rmq-...``: RocketMQ 2022-08-01), else None."""
    for api in APIS:
        if api.serves(instance_id):
            return api
    return None


def api_or_ons(instance_id):
    """Return the Api that serves ``instance_id``; ONS for an ID of neither form, which ONS then refuses by name."""
    return api_of(instance_id) or ONS
