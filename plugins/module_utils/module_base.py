# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""What every module of this collection shares, whichever API it calls: options, input checks, the client, failing safely.

check_connection_options and query_concurrently need no AnsibleModule: a controller-side plugin
checks its options and runs its queries with them exactly as the modules do (and builds its
clients with client.connect and rmq_client.connect_rmq).

ApiModule is the module base both API generations share; ons_module.OnsModule serves the
``ons_*`` modules (4.x instances, ONS API), rmq_module.RmqModule the ``rmq_*`` ones (5.x
instances, RocketMQ 2022-08-01 API).
"""

import inspect
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import (
    NETWORKS,
    REQUESTS_IMPORT_ERROR,
    SIGNATURE_VERSIONS,
    POOL_SIZE,
    fetch_ecs_credentials,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import (
    ROLE_NAME_PATTERN,
    ROLE_NAME_RULE,
    CredentialError,
    role_option_problem,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import in_order, outcome_of, tag_parameters
from ansible_collections.apsaramq.rocketmq.plugins.module_utils import rmq_queries
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
    # An assumed RAM role (STS AssumeRole), or an OIDC token exchanged for one (AssumeRoleWithOIDC):
    # the doc fragment apsaramq.rocketmq.credentials says how they combine with the rest.
    role_arn=dict(type="str"),
    role_session_name=dict(type="str"),
    external_id=dict(type="str", no_log=False),
    policy=dict(type="raw"),
    duration_seconds=dict(type="int"),
    oidc_provider_arn=dict(type="str"),
    oidc_token_file=dict(type="path", no_log=False),
    sts_endpoint=dict(type="str"),
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

# The options of the rmq_* modules (doc fragment apsaramq.rocketmq.rmq): those of the ONS modules but
# signature_version, as the RocketMQ 5.x API takes ACS3-HMAC-SHA256 only.
RMQ_ARGUMENT_SPEC = dict((name, spec) for name, spec in ONS_ARGUMENT_SPEC.items() if name != "signature_version")

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

# Threads for batched queries: the rate limit, not the thread count, sets the pace (and the
# clients' pools hold a connection for each: client.POOL_SIZE).
MAX_WORKERS = POOL_SIZE
# Where this collection's modules live, to tell which one is running (see _running_module_name).
MODULES_PACKAGE = "ansible_collections.apsaramq.rocketmq.plugins.modules."


def check_connection_options(params):
    """Check the connection options of ``params`` (a dict of ONS_ARGUMENT_SPEC's option names).

    Every connection option is checked before anything is built from it: a value the HTTP library
    or the clock cannot take must end here, with the option's name, not in a traceback. Raises
    ValueError naming the option, its problem and what is accepted.
    """
    checks = [(check_timeout, "timeout"), (check_retries, "retries"), (check_rate_limit, "rate_limit")]
    if params.get("region") is not None:
        checks.append((check_region, "region"))
    if params.get("endpoint") is not None:
        checks.append((parse_endpoint, "endpoint"))
    if params.get("validate_certs") and params.get("ca_bundle") is not None:
        checks.append((check_ca_bundle, "ca_bundle"))
    for check, name in checks:
        check(params.get(name))
    role = params.get("ecs_role_name")
    if role is not None and not ROLE_NAME_PATTERN.fullmatch(role):
        raise ValueError("ecs_role_name %r is not a valid RAM role name: use %s" % (role, ROLE_NAME_RULE))
    if params.get("sts_endpoint") is not None:
        parse_endpoint(params["sts_endpoint"], "sts_endpoint")
    for name in ("role_arn", "role_session_name", "external_id", "policy", "duration_seconds", "oidc_provider_arn",
                 "oidc_token_file"):
        if params.get(name) is not None:
            problem = role_option_problem(name, params[name])
            if problem:
                raise ValueError("%s %s" % (name, problem))


def query_concurrently(func, items, max_workers=MAX_WORKERS):
    """Return the outcome of ``func(item)`` for each of ``items``, in their order.

    An outcome is ``(entry, None)``, or ``(None, error)`` when ``func`` raised an ApiError; other
    exceptions propagate. Several items are queried on up to ``max_workers`` threads: the client's
    rate limit, not the thread count, sets the pace.
    """
    items = list(items)
    if len(items) <= 1:
        return in_order(func, items)
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items))) as pool:
        return list(pool.map(lambda item: outcome_of(func, item), items))


def _running_module_name(module):
    """Return the short name of the module running (``ons_trace_info``), or None when it cannot be told.

    Private. The module whose main() built ``module`` is found on the call stack, as the runner of
    Ansible (its ``_module_fqn``) or an import names it; else the name the task passed is used.
    """
    frame = inspect.currentframe()
    try:
        while frame is not None:
            spec = frame.f_globals.get("__spec__")
            qualified = frame.f_globals.get("_module_fqn") or getattr(spec, "name", None) or frame.f_globals.get("__name__")
            if isinstance(qualified, str) and qualified.startswith(MODULES_PACKAGE):
                return qualified[len(MODULES_PACKAGE):]
            frame = frame.f_back
    finally:
        del frame
    name = getattr(module, "_name", None)
    name = name.rsplit(".", 1)[-1] if isinstance(name, str) else None
    return name if name in rmq_queries.COUNTERPARTS else None


class ApiModule:
    """An AnsibleModule with the collection's shared options, an API client and safe failures.

    The base of OnsModule and RmqModule: a subclass names its connection options
    (``connection_spec``) and how a client is built from them (``_connect(params, ecs_fetch)``,
    like connect).
    """

    connection_spec = {}
    # The check of a name given as an option (apis.Api.check_name): the rules differ per API.
    _name_rule = None

    @staticmethod
    def _connect(params, ecs_fetch):
        raise NotImplementedError("a subclass of ApiModule says how its client is built")

    def __init__(self, argument_spec, **kwargs):
        spec = dict(self.connection_spec)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self._secrets = []
        self._client = None
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._check_transport_options()
        self._check_generation()

    def _check_transport_options(self):
        try:
            check_connection_options(self.params)
        except ValueError as exc:
            self.fail_json(msg=str(exc))

    def _check_generation(self):
        """Fail, naming the module to use, when an instance ID is of the generation the other API serves (rmq_queries.wrong_generation)."""
        name = _running_module_name(self.module)
        if name is None:
            return
        for option in ("instance_id", "instance_ids"):
            values = self.params.get(option)
            for value in [values] if isinstance(values, str) else values or []:
                problem = rmq_queries.wrong_generation(name, option, value)
                if problem:
                    self.fail_json(msg=problem)

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
        """Fail unless ``value`` (from option ``param``) is a valid name of ``kind`` (see ons_queries.NAME_RULES, rmq_queries.NAME_RULES)."""
        try:
            self._name_rule(param, value, kind)
        except ValueError as exc:
            self.fail_json(msg=str(exc))
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

    # A class attribute, so that a subclass can fetch ECS role credentials its own way.
    _ecs_fetch = staticmethod(fetch_ecs_credentials)

    def _build_client(self):
        client = None
        try:
            client, self._secrets = self._connect(self.params, self._ecs_fetch)
        except CredentialError as exc:
            self.fail_json(msg="Failed to find credentials: %s" % exc)
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        # Values from the environment or a profile are not no_log options: redact them too, in
        # every form a request carries them (see safe_text.secret_forms).
        for form in secret_forms(self._secrets):
            self.module.no_log_values.add(form)
        return client

    def query_each(self, func, items, describe, empty_entry=None):
        """Return ``[func(item) for item in items]``, run concurrently within the client's rate limit.

        When a call fails, the module fails with the error of the first failing item in the order
        given, as ``Failed to <describe(item)>: <error>``; unless the module has the option
        ``fail_on_error`` set to false, in which case that item's entry is ``empty_entry(item)``
        with the key ``error`` holding the error. Every entry has the key ``error``.
        """
        return self.entries_of(items, query_concurrently(func, items), describe, empty_entry)

    def entries_of(self, items, outcomes, describe, empty_entry=None):
        """Return the entries of ``outcomes`` (see query_concurrently), one per item of ``items``.

        Fails, or keeps going, on a failed item as query_each says. Every entry has the key ``error``.
        """
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
