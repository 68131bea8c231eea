# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""STS (product ``Sts``, version ``2015-04-01``, apis.STS): a RAM role's temporary credentials.

Two operations, both RPC style like ONS and sent by the same client code (client.RpcClient):

* ``AssumeRole``, signed with the source credentials (an AccessKey, or the temporary credentials of
  an ECS role or of another role), with ``RoleArn``, ``RoleSessionName``, ``DurationSeconds`` and,
  when set, ``Policy`` and ``ExternalId``;
* ``AssumeRoleWithOIDC``, anonymous (no AccessKey signs it: the OIDC token is the proof), with
  ``RoleArn``, ``OIDCProviderArn``, ``OIDCToken``, ``RoleSessionName``, ``DurationSeconds`` and
  ``Policy`` when set. Its parameters are sent as the official credential provider sends them.

Both answer ``Credentials`` {AccessKeyId, AccessKeySecret, SecurityToken, Expiration}. StsCaller
is what credentials.build_provider calls to renew a role's credentials; its errors are
CredentialError, naming the role, the operation, the endpoint and STS's code, never a secret.
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import STS
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import RpcClient, resolve_endpoint
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import (
    CredentialError,
    Credentials,
    check_credential_values,
    parse_expiration,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import ApiError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import scrub
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import check_region, parse_endpoint


class StsClient(RpcClient):
    """Calls to STS over one keep-alive session; without credentials, anonymous calls (AssumeRoleWithOIDC)."""

    API = STS

    def _clean_error(self, exc):
        """As ApiClient's, but the body of an answer is never quoted.

        An answer of STS that is not its JSON (cut short, say) may begin with the AccessKeySecret and
        SecurityToken it has just issued: they are in no secrets list yet, so masking cannot hide
        them. The error says what was wrong with the answer (its status and kind), never its text.
        """
        exc.body_to_quote = exc.quote_after = None
        super(StsClient, self)._clean_error(exc)


def resolve_sts_endpoint(settings, region=None, network="public"):
    """Return the base URL of STS for ``settings`` (credentials.StsSettings).

    ``settings.endpoint`` wins (a host, ``host:port`` or URL: the option ``sts_endpoint`` or
    ALIBABA_CLOUD_STS_ENDPOINT). Else in a VPC (``settings.vpc``, or ``network`` ``vpc``) the VPC
    host of the STS region (``settings.region``, else ``region``): ``sts-vpc.<region>.aliyuncs.com``;
    else ``sts.<region>.aliyuncs.com`` for an STS region, ``sts.aliyuncs.com`` without one.
    Raises ValueError naming the setting at fault.
    """
    if settings.endpoint:
        # Checked first under the name it came by (an option, a variable).
        parse_endpoint(settings.endpoint, settings.endpoint_name)
        return resolve_endpoint(endpoint=settings.endpoint)
    vpc = settings.vpc or network == "vpc"
    sts_region = settings.region or (region if vpc else None)
    if vpc and not sts_region:
        raise ValueError("STS in a VPC needs a region: set region, ALIBABA_CLOUD_STS_REGION, or sts_endpoint")
    if sts_region:
        check_region(sts_region)
    return "https://%s" % STS.host(sts_region, "vpc" if vpc else "public")


def credentials_of(body, what):
    """The Credentials in an answer of AssumeRole or AssumeRoleWithOIDC; CredentialError when it has none that can be used."""
    found = body.get("Credentials")
    if not isinstance(found, dict) or not all(isinstance(found.get(name), str) and found.get(name) for name in (
            "AccessKeyId", "AccessKeySecret", "SecurityToken")):
        raise CredentialError("STS answered for %s without Credentials {AccessKeyId, AccessKeySecret, SecurityToken}" % what)
    check_credential_values(found["AccessKeyId"], found["AccessKeySecret"], found["SecurityToken"],
                            ("AccessKeyId", "AccessKeySecret", "SecurityToken"), "STS, for %s" % what)
    expiration = parse_expiration(found.get("Expiration"), "STS (for %s)" % what)
    return Credentials(found["AccessKeyId"], found["AccessKeySecret"], found["SecurityToken"], what, expiration)


class StsCaller:
    """Assumes roles for the credential chain, with the transport options of ``params`` (the module's) and its ``region``.

    Each call opens a client and closes it: a role is assumed once per session, not per API call.
    """

    def __init__(self, params, region=None):
        self.region = region
        self.network = params.get("network") or "public"
        self.signature_version = params.get("signature_version") or "v3"
        self.timeout = params.get("timeout", 10.0)
        self.retries = params.get("retries", 5)
        self.validate_certs = params.get("validate_certs", True)
        self.ca_bundle = params.get("ca_bundle")

    def key(self):
        """What sets these calls apart: the providers of a run share their STS session only when it is the same."""
        return (self.region, self.network, self.signature_version, self.timeout, self.retries, self.validate_certs,
                self.ca_bundle)

    def _call(self, credentials, settings, secrets, action, params, what):
        try:
            base_url = resolve_sts_endpoint(settings.sts, self.region, self.network)
        except ValueError as exc:
            raise CredentialError(str(exc))
        client = None
        try:
            client = StsClient(credentials, base_url, signature_version=self.signature_version, timeout=self.timeout,
                               retries=self.retries, validate_certs=self.validate_certs, ca_bundle=self.ca_bundle,
                               pool_size=1, secrets=secrets)
            body = client.call(action, params)
        except (ApiError, ValueError) as exc:
            raise CredentialError(scrub("STS %s at %s for %s failed: %s" % (action, base_url, what, exc), secrets))
        finally:
            if client is not None:
                client.close()
        return credentials_of(body, what)

    @staticmethod
    def _common(settings):
        params = {"RoleArn": settings.role_arn, "RoleSessionName": settings.session_name,
                  "DurationSeconds": str(settings.duration_seconds)}
        if settings.policy:
            params["Policy"] = settings.policy
        return params

    def assume_role(self, source, settings, secrets):
        """Return the Credentials of ``settings.role_arn`` (credentials.RoleSettings), asked with the credentials of ``source`` (a provider)."""
        params = self._common(settings)
        if settings.external_id:
            params["ExternalId"] = settings.external_id
        return self._call(source, settings, secrets, "AssumeRole", params, "RAM role %s" % settings.role_arn)

    def assume_role_with_oidc(self, token, provider_arn, settings, secrets):
        """Return the Credentials of ``settings.role_arn`` for the OIDC ``token`` of ``provider_arn`` (an anonymous call)."""
        params = self._common(settings)
        params.update(OIDCProviderArn=provider_arn, OIDCToken=token)
        return self._call(None, settings, secrets, "AssumeRoleWithOIDC", params,
                          "RAM role %s (OIDC provider %s)" % (settings.role_arn, provider_arn))
