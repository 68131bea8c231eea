# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of this collection shares: options, input checks, the client, failing safely."""

import re
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import (
    NETWORKS,
    REQUESTS_IMPORT_ERROR,
    SIGNATURE_VERSIONS,
    OnsClient,
    OnsError,
    metadata_transport,
    resolve_endpoint,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import (
    ROLE_NAME_PATTERN,
    ROLE_NAME_RULE,
    CredentialError,
    fetch_ecs_role_credentials,
    resolve_credentials,
    resolve_region,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import scrub, scrub_all, secret_forms
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import (
    check_ca_bundle,
    check_rate_limit,
    check_region,
    check_retries,
    check_timeout,
    parse_endpoint,
)

# The options documented once in the doc fragment apsaramq.rocketmq.ons.
ONS_ARGUMENT_SPEC = dict(
    access_key_id=dict(type="str", aliases=["access_key"]),
    access_key_secret=dict(type="str", no_log=True, aliases=["secret_key"]),
    security_token=dict(type="str", no_log=True, aliases=["sts_token"]),
    profile=dict(type="str"),
    ecs_role_name=dict(type="str"),
    region=dict(type="str", aliases=["region_id"]),
    network=dict(type="str", default="public", choices=list(NETWORKS)),
    endpoint=dict(type="str"),
    signature_version=dict(type="str", default="v3", choices=list(SIGNATURE_VERSIONS)),
    timeout=dict(type="float", default=10.0),
    retries=dict(type="int", default=5),
    rate_limit=dict(type="float", default=10.0),
    validate_certs=dict(type="bool", default=True),
    ca_bundle=dict(type="path"),
)

# The option of modules that query several items at once (doc fragment apsaramq.rocketmq.ons.batch).
BATCH_ARGUMENT_SPEC = dict(fail_on_error=dict(type="bool", default=True))

# The options of a module that asks one operation about each of one or several consumer groups.
GROUPS_ARGUMENT_SPEC = dict(
    instance_id=dict(type="str"),
    group_id=dict(type="str"),
    group_ids=dict(type="list", elements="str"),
    **BATCH_ARGUMENT_SPEC
)

# The options of a module that asks one operation about each of one or several messages of a topic.
MESSAGES_ARGUMENT_SPEC = dict(
    instance_id=dict(type="str", required=True),
    topic=dict(type="str", required=True),
    msg_id=dict(type="str"),
    msg_ids=dict(type="list", elements="str"),
    **BATCH_ARGUMENT_SPEC
)

# Names as the console accepts them; "%" joins an instance ID and a name in namespaced IDs. Matched
# with fullmatch: "$" would also accept a name followed by a newline.
NAME_RULES = {
    "instance": (re.compile(r"[A-Za-z0-9_-]{1,64}"), "1 to 64 letters, digits, hyphens and underscores"),
    "group": (re.compile(r"[A-Za-z0-9_%-]{1,128}"), "1 to 128 letters, digits, hyphens, underscores and %"),
    "topic": (re.compile(r"[A-Za-z0-9_%-]{1,128}"), "1 to 128 letters, digits, hyphens, underscores and %"),
    "message": (re.compile(r"[A-Za-z0-9]{1,128}"), "1 to 128 letters and digits (a message ID is hexadecimal)"),
}
# Resource tags as the API accepts them in Tag.N.Key / Tag.N.Value.
MAX_TAGS = 20
MAX_TAG_LENGTH = 128
TAG_RESERVED_PREFIXES = ("acs:", "aliyun")
# Threads for batched queries: the rate limit, not the thread count, sets the pace.
MAX_WORKERS = 8
ECS_METADATA_TIMEOUT = 5.0


def _check_tag_text(what, text, allow_empty):
    if text is None:
        raise ValueError("%s is null: use a string (\"\" for an empty value)" % what)
    if not isinstance(text, str):
        raise ValueError("%s is a %s (%r): use a string" % (what, type(text).__name__, text))
    if not text and not allow_empty:
        raise ValueError("%s is empty: use 1 to %d characters" % (what, MAX_TAG_LENGTH))
    if len(text) > MAX_TAG_LENGTH or text.startswith(TAG_RESERVED_PREFIXES) or "http://" in text or "https://" in text:
        raise ValueError("%s %r is not valid: use at most %d characters, not starting with acs: or aliyun, "
                         "without http:// or https://" % (what, text, MAX_TAG_LENGTH))


def tag_parameters(tags):
    """Return the API parameters ``Tag.N.Key`` and ``Tag.N.Value`` for the dict ``tags``, in its order.

    Numbers are taken as their text. Raises ValueError, naming the tag, for anything the API refuses.
    """
    if len(tags) > MAX_TAGS:
        raise ValueError("has %d tags: use at most %d" % (len(tags), MAX_TAGS))
    params = {}
    for index, (key, value) in enumerate(tags.items(), 1):
        _check_tag_text("key", key, allow_empty=False)
        # YAML reads env: 1 as a number; tag values are text. A boolean is more likely a mistake.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        _check_tag_text("value of key %r" % key, value, allow_empty=True)
        params["Tag.%d.Key" % index] = key
        params["Tag.%d.Value" % index] = value
    return params


# Codes with which the API says "nothing to show" rather than "failed" (see call_or_absent).
NOT_ONLINE = "BIZ_CONSUMER_NOT_ONLINE"
NO_MESSAGE = "BIZ_NO_MESSAGE"


def call_or_absent(client, action, params, absent_code):
    """Call ``action``; return ``(answer, None)``, or ``(None, request_id)`` when the API answers ``absent_code``.

    ``absent_code`` is the code with which the API says "nothing to show" rather than "failed", such
    as ``BIZ_CONSUMER_NOT_ONLINE`` for a group without clients or ``BIZ_NO_MESSAGE``. Other errors raise.
    """
    try:
        return client.call(action, params), None
    except OnsError as exc:
        if exc.code != absent_code:
            raise
        return None, exc.request_id


class OnsModule:
    """An AnsibleModule with the collection's shared options, its API client and safe failures."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(ONS_ARGUMENT_SPEC)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self._secrets = []
        self._client = None
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._check_transport_options()

    def _check_transport_options(self):
        # Every connection option is checked before anything is built from it: a value the HTTP
        # library or the clock cannot take must end here, with the option's name, not in a traceback.
        params = self.params
        checks = [(check_timeout, "timeout"), (check_retries, "retries"), (check_rate_limit, "rate_limit")]
        if params.get("region") is not None:
            checks.append((check_region, "region"))
        if params.get("endpoint") is not None:
            checks.append((parse_endpoint, "endpoint"))
        if params.get("validate_certs") and params.get("ca_bundle") is not None:
            checks.append((check_ca_bundle, "ca_bundle"))
        for check, name in checks:
            try:
                check(params[name])
            except ValueError as exc:
                self.fail_json(msg=str(exc))
        role = params.get("ecs_role_name")
        if role is not None and not ROLE_NAME_PATTERN.fullmatch(role):
            self.fail_json(msg="ecs_role_name %r is not a valid RAM role name: use %s" % (role, ROLE_NAME_RULE))

    @classmethod
    def for_groups(cls, argument_spec=None, **kwargs):
        """An OnsModule with the options of GROUPS_ARGUMENT_SPEC (plus ``argument_spec``)."""
        spec = dict(GROUPS_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        return cls(spec, mutually_exclusive=[("group_id", "group_ids")], required_one_of=[("group_id", "group_ids")],
                   **kwargs)

    def exit_with_groups(self, what, query, new_entry):
        """Query every group of ``group_id``/``group_ids`` and exit with their entries in ``groups``.

        ``query(client, instance_id, group_id)`` returns a group's entry; ``new_entry(instance_id,
        group_id)`` is the entry of a group whose query failed (see query_each). A failure reads
        ``Failed to <what> of group <group_id>: ...``.
        """
        instance_id = self.params["instance_id"]
        if instance_id is not None:
            self.check_name("instance_id", instance_id, "instance")
        group_ids = self.one_or_many("group_id", "group_ids", "group")
        client = self.client
        groups = self.query_each(lambda group_id: query(client, instance_id, group_id), group_ids,
                                 lambda group_id: "%s of group %s" % (what, group_id),
                                 lambda group_id: new_entry(instance_id, group_id))
        self.exit_entries("groups", groups, "group_id")

    @classmethod
    def for_messages(cls, argument_spec=None, **kwargs):
        """An OnsModule with the options of MESSAGES_ARGUMENT_SPEC (plus ``argument_spec``)."""
        spec = dict(MESSAGES_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        return cls(spec, mutually_exclusive=[("msg_id", "msg_ids")], required_one_of=[("msg_id", "msg_ids")], **kwargs)

    def exit_with_messages(self, what, query, new_entry):
        """Query every message of ``msg_id``/``msg_ids`` and exit with their entries in ``messages``.

        ``query(client, instance_id, topic, msg_id)`` returns a message's entry; ``new_entry(instance_id,
        topic, msg_id)`` is the entry of a message whose query failed. A failure reads
        ``Failed to <what> <msg_id> of topic <topic>: ...``.
        """
        instance_id = self.check_name("instance_id", self.params["instance_id"], "instance")
        topic = self.check_name("topic", self.params["topic"], "topic")
        msg_ids = self.one_or_many("msg_id", "msg_ids", "message")
        client = self.client
        messages = self.query_each(lambda msg_id: query(client, instance_id, topic, msg_id), msg_ids,
                                   lambda msg_id: "%s %s of topic %s" % (what, msg_id, topic),
                                   lambda msg_id: new_entry(instance_id, topic, msg_id))
        self.exit_entries("messages", messages, "msg_id")

    def exit_entries(self, key, entries, single_option):
        """Exit with ``entries`` under ``key``; when option ``single_option`` was used, its entry's keys also at the top level."""
        result = {key: entries}
        if self.params.get(single_option) is not None:
            result.update(entries[0])
        self.exit_json(**result)

    def check_name(self, param, value, kind):
        """Fail unless ``value`` (from option ``param``) is a valid name of ``kind`` (see NAME_RULES)."""
        pattern, accepted = NAME_RULES[kind]
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.fail_json(msg="%s %r is not a valid %s ID: use %s" % (param, value, kind, accepted))
        return value

    def one_or_many(self, single, many, kind):
        """Return the names given by option ``single`` or ``many``, checked, duplicates dropped, in order."""
        if self.params.get(single) is not None:
            return [self.check_name(single, self.params[single], kind)]
        values = self.params.get(many) or []
        if not values:
            self.fail_json(msg="%s must name at least one %s" % (many, kind))
        seen = []
        for value in values:
            self.check_name(many, value, kind)
            if value not in seen:
                seen.append(value)
        return seen

    def tag_params(self, param):
        """Return the ``Tag.N.Key``/``Tag.N.Value`` API parameters of the dict option ``param``; fail on a bad tag."""
        params = {}
        try:
            params = tag_parameters(self.params.get(param) or {})
        except ValueError as exc:
            self.fail_json(msg="%s: %s (a dict of tag keys and string values)" % (param, exc))
        return params

    @property
    def client(self):
        """The API client, built on first use from the options, the environment and the CLI profile."""
        if self._client is None:
            self._client = self._build_client()
        return self._client

    @staticmethod
    def _ecs_fetch(role_name):
        get, put = metadata_transport(ECS_METADATA_TIMEOUT)
        return fetch_ecs_role_credentials(role_name, get, put)

    def _build_client(self):
        params = self.params
        try:
            credentials, profile_region = resolve_credentials(params, self._ecs_fetch)
        except CredentialError as exc:
            self.fail_json(msg="Failed to find credentials: %s" % exc)
        self._secrets = credentials.secrets()
        # Values from the environment or a profile are not no_log options: redact them too, in
        # every form a request carries them (see safe_text.secret_forms).
        for form in secret_forms(self._secrets):
            self.module.no_log_values.add(form)
        try:
            base_url = resolve_endpoint(resolve_region(params, profile_region), params["network"], params["endpoint"])
            return OnsClient(credentials, base_url, signature_version=params["signature_version"],
                             timeout=params["timeout"], retries=params["retries"], rate_limit=params["rate_limit"],
                             validate_certs=params["validate_certs"], ca_bundle=params["ca_bundle"],
                             pool_size=MAX_WORKERS)
        except ValueError as exc:
            self.fail_json(msg=str(exc))

    def query_each(self, func, items, describe, empty_entry=None):
        """Return ``[func(item) for item in items]``, run concurrently within the client's rate limit.

        When a call fails, the module fails with the error of the first failing item in the order
        given, as ``Failed to <describe(item)>: <error>``; unless the module has the option
        ``fail_on_error`` set to false, in which case that item's entry is ``empty_entry(item)``
        with the key ``error`` holding the error. Every entry has the key ``error``.
        """
        def attempt(item):
            try:
                return func(item), None
            except OnsError as exc:
                return None, exc

        if len(items) <= 1:
            outcomes = [attempt(item) for item in items]
        else:
            with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(items))) as pool:
                outcomes = list(pool.map(attempt, items))
        tolerate = self.params.get("fail_on_error") is False and empty_entry is not None
        entries = []
        for item, (entry, error) in zip(items, outcomes):
            if error is not None:
                if not tolerate:
                    self.fail_api(describe(item), error)
                entry = empty_entry(item)
                entry["error"] = dict(error.to_dict(), message="Failed to %s: %s" % (describe(item), error))
            else:
                entry["error"] = None
            entries.append(entry)
        return entries

    def fail_json(self, msg, **kwargs):
        """Fail the module with ``msg``, secrets scrubbed from it and from every other value."""
        self._close()
        self.module.fail_json(msg=scrub(msg, self._secrets), **scrub_all(kwargs, self._secrets))

    def fail_api(self, what, error):
        """Fail with ``Failed to <what>: <Code>: <Message> (request id <id>)`` and the error's details."""
        self.fail_json(msg="Failed to %s: %s" % (what, error), error=error.to_dict())

    def exit_json(self, **result):
        """Exit with ``result``; info modules never change anything."""
        self._close()
        result = scrub_all(result, self._secrets)
        result["changed"] = False
        self.module.exit_json(**result)

    def _close(self):
        if self._client is not None:
            self._client.close()
