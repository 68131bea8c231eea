# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No form of a secret or STS token in a module's output, even when the API quotes what it received."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsApiError, OnsClient
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import REDACTED, secret_forms
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.signer import percent_encode

INSTANCE = "MQ_INST_1234567890_UNIT"
STS_ID = "STS.UnitKey02"
STS_SECRET = "UnitStsSecret02"
# Characters that each encoding changes: "+", "/", "=" (percent-encoding), "%" (encoded twice: "%2525").
TOKEN = "CAIS+Unit/Sts=Token~01%of+Test"
WRONG_SECRET = "Wrong/Secret+Value=03"
SCENARIO = {
    "description": "An STS key, for the secrets tests.",
    "keys": [{"access_key_id": STS_ID, "access_key_secret": STS_SECRET, "security_token": TOKEN}],
    "limits": {"rate": 0},
    "instances": [{"instance_id": INSTANCE, "topics": [{"topic": "orders", "max_offset": 10}],
                   "groups": [{"group_id": "GID_orders", "clients": []}]}],
}
EVERY_FORM = secret_forms([TOKEN, WRONG_SECRET, STS_SECRET])


def test_the_forms_checked_include_what_the_v1_string_to_sign_carries():
    # The server's V1 string to sign percent-encodes the encoded query: the token, encoded twice.
    assert percent_encode(percent_encode(TOKEN)) in EVERY_FORM
    assert "%2525" in percent_encode(percent_encode(TOKEN))


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_a_wrong_secret_with_an_sts_token_leaves_no_form_of_either_in_a_module_result(emulator, run_module, version):
    emulator.load(SCENARIO)
    run = run_module("ons_consumer_connection_info", {
        "access_key_id": STS_ID, "access_key_secret": WRONG_SECRET, "security_token": TOKEN, "endpoint": emulator.url,
        "signature_version": version, "instance_id": INSTANCE, "group_id": "GID_orders", "retries": 0})
    assert run.result["failed"] is True
    # The token was right and the signature wrong: the answer quoted the server's string to sign.
    assert run.result["error"]["code"] == "SignatureDoesNotMatch"
    assert "string to sign" in run.result["msg"]
    for form in EVERY_FORM:
        assert form not in run.output, form
    if version == "v1":
        # The V1 string to sign carried the token, masked where it stood.
        assert REDACTED in run.result["msg"] and REDACTED in run.result["error"]["message"]


def test_secrets_from_the_environment_leave_no_form_in_a_module_result(emulator, run_module, monkeypatch):
    emulator.load(SCENARIO)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", STS_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", WRONG_SECRET)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
    run = run_module("ons_consumer_status_info", {
        "endpoint": emulator.url, "signature_version": "v1", "instance_id": INSTANCE, "group_id": "GID_orders", "retries": 0})
    assert run.result["error"]["code"] == "SignatureDoesNotMatch" and REDACTED in run.result["msg"]
    for form in EVERY_FORM:
        assert form not in run.output, form


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_the_client_error_itself_holds_no_form_of_the_token(emulator, version):
    emulator.load(SCENARIO)
    client = OnsClient(Credentials(STS_ID, WRONG_SECRET, TOKEN), emulator.url, signature_version=version, retries=0)
    with pytest.raises(OnsApiError) as caught:
        client.call("OnsConsumerGetConnection", {"GroupId": "GID_orders", "InstanceId": INSTANCE})
    client.close()
    texts = [str(caught.value), repr(caught.value), caught.value.message, str(caught.value.to_dict())] + \
        [str(arg) for arg in caught.value.args]
    assert caught.value.code == "SignatureDoesNotMatch"
    for text in texts:
        for form in EVERY_FORM:
            assert form not in text, (form, text)
