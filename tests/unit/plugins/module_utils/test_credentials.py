# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import metadata_transport
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import (
    CredentialError,
    Credentials,
    fetch_ecs_role_credentials,
    resolve_credentials,
    resolve_region,
)

NO_OPTIONS = {}


def _no_ecs(role):
    raise AssertionError("the ECS metadata service must not be asked for role %s" % role)


def _resolve(params=None, environ=None, config=None, tmp_path=None, ecs=_no_ecs):
    path = None
    if tmp_path is not None:
        path = str(tmp_path / "config.json")
        if config is not None:
            with open(path, "w") as handle:
                handle.write(config if isinstance(config, str) else json.dumps(config))
    return resolve_credentials(params or NO_OPTIONS, ecs, environ=environ or {}, config_path=path)


def test_module_options_win_over_the_environment(tmp_path):
    creds, dummy = _resolve({"access_key_id": "opt-id", "access_key_secret": "opt-secret", "security_token": "tok"},
                            {"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env"}, tmp_path=tmp_path)
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == ("opt-id", "opt-secret", "tok")


def test_alibaba_cloud_variables_win_over_alicloud_ones(tmp_path):
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "a-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "a-secret",
               "ALIBABA_CLOUD_SECURITY_TOKEN": "a-token", "ALICLOUD_ACCESS_KEY": "b-id", "ALICLOUD_SECRET_KEY": "b-secret"}
    creds, dummy = _resolve(environ=environ, tmp_path=tmp_path)
    assert (creds.access_key_id, creds.security_token) == ("a-id", "a-token")


def test_alicloud_variables_are_read(tmp_path):
    creds, dummy = _resolve(environ={"ALICLOUD_ACCESS_KEY": "b-id", "ALICLOUD_SECRET_KEY": "b-secret",
                                     "ALICLOUD_SECURITY_TOKEN": "b-token"}, tmp_path=tmp_path)
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == ("b-id", "b-secret", "b-token")


def test_half_a_key_pair_is_an_error_naming_the_missing_half(tmp_path):
    with pytest.raises(CredentialError, match="access_key_secret"):
        _resolve({"access_key_id": "only-id"}, tmp_path=tmp_path)
    with pytest.raises(CredentialError, match="ALIBABA_CLOUD_ACCESS_KEY_ID"):
        _resolve(environ={"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}, tmp_path=tmp_path)


CLI_CONFIG = {
    "current": "default",
    "profiles": [
        {"name": "default", "mode": "AK", "access_key_id": "ak-id", "access_key_secret": "ak-secret", "region_id": "cn-shanghai"},
        {"name": "sts", "mode": "StsToken", "access_key_id": "sts-id", "access_key_secret": "sts-secret", "sts_token": "sts-tok"},
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "gate-role", "region_id": "cn-beijing"},
        {"name": "arn", "mode": "RamRoleArn", "access_key_id": "x", "access_key_secret": "y"},
        {"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://signin.example"},
        {"name": "broken", "mode": "StsToken", "access_key_id": "i", "access_key_secret": "s"},
    ],
}


def test_the_current_profile_is_used_when_nothing_else_is_set(tmp_path):
    creds, region = _resolve(config=CLI_CONFIG, tmp_path=tmp_path)
    assert (creds.access_key_id, region) == ("ak-id", "cn-shanghai")


def test_a_profile_is_chosen_by_option_or_environment(tmp_path):
    creds, dummy = _resolve({"profile": "sts"}, config=CLI_CONFIG, tmp_path=tmp_path)
    assert (creds.access_key_id, creds.security_token) == ("sts-id", "sts-tok")
    creds, dummy = _resolve(environ={"ALICLOUD_PROFILE": "sts"}, config=CLI_CONFIG, tmp_path=tmp_path)
    assert creds.access_key_id == "sts-id"


def test_an_ecs_ram_role_profile_asks_the_metadata_service(tmp_path):
    asked = []

    def ecs(role):
        asked.append(role)
        return Credentials("role-id", "role-secret", "role-token", "ECS RAM role %s" % role)

    creds, region = _resolve({"profile": "ecs"}, config=CLI_CONFIG, tmp_path=tmp_path, ecs=ecs)
    assert asked == ["gate-role"] and creds.security_token == "role-token" and region == "cn-beijing"


@pytest.mark.parametrize("profile, message", [
    ("arn", "mode RamRoleArn but no ram_role_arn"),
    ("sso", "CloudSSO, which this collection does not support"),
    ("broken", "mode StsToken but no sts_token"),
    ("missing", "profile 'missing' is not in"),
])
def test_unusable_profiles_are_named_errors(tmp_path, profile, message):
    with pytest.raises(CredentialError, match=message):
        _resolve({"profile": profile}, config=CLI_CONFIG, tmp_path=tmp_path)


def test_a_named_profile_without_the_file_is_an_error(tmp_path):
    with pytest.raises(CredentialError, match="does not exist"):
        _resolve({"profile": "default"}, tmp_path=tmp_path)


def test_a_malformed_cli_file_is_an_error(tmp_path):
    with pytest.raises(CredentialError, match="cannot read"):
        _resolve({"profile": "default"}, config="{not json", tmp_path=tmp_path)


def test_an_explicit_ecs_role_wins_over_the_unnamed_current_profile(tmp_path):
    def ecs(role):
        return Credentials("role-id", "role-secret", "t", role)

    creds, dummy = _resolve({"ecs_role_name": "explicit"}, config=CLI_CONFIG, tmp_path=tmp_path, ecs=ecs)
    assert creds.access_key_id == "role-id"


def test_no_credentials_lists_every_way_to_give_them(tmp_path):
    with pytest.raises(CredentialError) as caught:
        _resolve(tmp_path=tmp_path)
    text = str(caught.value)
    for way in ("access_key_id", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "~/.aliyun/config.json",
                "ecs_role_name"):
        assert way in text


def test_region_comes_from_option_then_environment_then_profile():
    assert resolve_region({"region": "cn-hangzhou"}, "cn-beijing", {"ALIBABA_CLOUD_REGION_ID": "x"}) == "cn-hangzhou"
    assert resolve_region({}, "cn-beijing", {"ALICLOUD_REGION": "ap-southeast-1"}) == "ap-southeast-1"
    assert resolve_region({}, "cn-beijing", {}) == "cn-beijing"
    assert resolve_region({}, None, {}) is None


def test_credentials_repr_never_shows_the_secret():
    text = repr(Credentials("id", "very-secret", "very-token"))
    assert "very-secret" not in text and "very-token" not in text


class MetadataService:
    """A loopback stand-in for the ECS metadata service at 100.100.100.200."""

    def __init__(self, imdsv2=True, role="gate-role", body=None):
        self.imdsv2 = imdsv2
        self.role = role
        self.body = body or {"Code": "Success", "AccessKeyId": "STS.id", "AccessKeySecret": "role-secret",
                             "SecurityToken": "role-token", "Expiration": "2026-11-21T12:00:00Z"}
        self.seen_tokens = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                if not service.imdsv2 or self.path != "/latest/api/token":
                    return self._answer(403, "forbidden")
                if self.headers.get("X-aliyun-ecs-metadata-token-ttl-seconds") != "21600":
                    return self._answer(400, "missing ttl")
                return self._answer(200, "imds-token")

            def do_GET(self):
                service.seen_tokens.append(self.headers.get("X-aliyun-ecs-metadata-token"))
                if service.imdsv2 and self.headers.get("X-aliyun-ecs-metadata-token") != "imds-token":
                    return self._answer(401, "token required")
                if self.path != "/latest/meta-data/ram/security-credentials/%s" % service.role:
                    return self._answer(404, "not found")
                return self._answer(200, json.dumps(service.body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _fetch(service, role="gate-role"):
    get, put = metadata_transport(2.0)
    return fetch_ecs_role_credentials(role, get, put, metadata_url=service.url)


def test_ecs_role_credentials_use_the_imdsv2_token():
    with MetadataService() as service:
        creds = _fetch(service)
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == ("STS.id", "role-secret", "role-token")
    assert service.seen_tokens == ["imds-token"]


def test_ecs_role_credentials_fall_back_to_imdsv1():
    with MetadataService(imdsv2=False) as service:
        creds = _fetch(service)
    assert creds.access_key_id == "STS.id" and service.seen_tokens == [None]


def test_an_unknown_ecs_role_is_a_clear_error():
    with MetadataService() as service:
        with pytest.raises(CredentialError, match="HTTP 404 for RAM role 'other'"):
            _fetch(service, role="other")


def test_a_failed_ecs_answer_is_an_error_without_secrets():
    with MetadataService(body={"Code": "Failed", "AccessKeySecret": "leaked?"}) as service:
        with pytest.raises(CredentialError) as caught:
            _fetch(service)
    assert "Code: Failed" in str(caught.value) and "leaked?" not in str(caught.value)


def test_an_unreachable_metadata_service_is_a_clear_error():
    get, put = metadata_transport(0.5)
    with pytest.raises(CredentialError, match="cannot reach the ECS metadata service"):
        fetch_ecs_role_credentials("gate-role", get, put, metadata_url="http://127.0.0.1:9")


@pytest.mark.parametrize("params, environ, config, named", [
    ({"access_key_id": "LTAI5t\n", "access_key_secret": "HiddenValue01"}, None, None, "access_key_id (module options)"),
    ({"access_key_id": "LTAI5t", "access_key_secret": "HiddenValue01\n"}, None, None, "access_key_secret (module options)"),
    ({"access_key_id": "LTAI5t", "access_key_secret": "s", "security_token": "HiddenValue01\r"}, None, None,
     "security_token (module options)"),
    (None, {"ALICLOUD_ACCESS_KEY": "LTAI5t", "ALICLOUD_SECRET_KEY": "Hidden\x1bValue01"}, None,
     "ALICLOUD_SECRET_KEY (environment variables ALICLOUD_ACCESS_KEY)"),
    ({"profile": "p"}, None, {"profiles": [{"name": "p", "mode": "StsToken", "access_key_id": "LTAI5t",
                                            "access_key_secret": "s", "sts_token": "HiddenValue01\n"}]},
     "sts_token (profile p of"),
])
def test_a_credential_with_a_control_character_is_refused_naming_where_it_came_from(tmp_path, params, environ, config, named):
    with pytest.raises(CredentialError, match="holds a newline or other control character") as caught:
        _resolve(params, environ, config, tmp_path=tmp_path)
    assert str(caught.value).startswith(named)
    assert "HiddenValue01" not in str(caught.value) and "Hidden\x1b" not in str(caught.value)


def test_ecs_role_credentials_with_a_control_character_are_refused():
    def get(url, headers):
        return 200, json.dumps({"Code": "Success", "AccessKeyId": "STS.x", "AccessKeySecret": "HiddenValue01",
                                "SecurityToken": "Token\nValue"})

    def put(url, headers):
        return 200, "metadata-token"

    with pytest.raises(CredentialError, match="SecurityToken .ECS RAM role demo. holds a newline") as caught:
        fetch_ecs_role_credentials("demo", get, put)
    assert "Token\nValue" not in str(caught.value)


@pytest.mark.parametrize("role", ["../../latest/user-data", "role\nX: 1", "r" * 65, ""])
def test_a_role_name_that_would_leave_the_credentials_path_is_refused_before_any_request(role):
    def refuse(url, headers):
        raise AssertionError("nothing may be asked for role %r" % role)

    with pytest.raises(CredentialError, match="RAM role name .* is not valid: use 1 to 64 letters"):
        fetch_ecs_role_credentials(role, refuse, refuse)
