# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""Every check of the deployment gate, in one place.

A built-in check is one function registered with ``@check(name, kind, default, reads, expected)``:
it takes the check's setting and the group's facts and returns ``(status, observed, offenders,
reason)``. ``kind`` says what value the setting takes (gate_spec validates it), ``default`` is
its value when nobody sets it (None or False: off), ``reads`` which facts it needs, and
``expected`` renders the setting as the report's expected value. The checks are evaluated and
reported in the order they are registered. Adding a check is one function here, plus its
documentation (the gate module, the consumer_health role) and its tests.

Custom checks are rules: a JMESPath ``query`` compared with ``expect``, or a list of Jinja
conditions ``that`` (as ``ansible.builtin.assert`` takes them), both over the same facts. The
facts of a group are exactly what the info modules return:

``status``
    the group's entry of ``ons_consumer_status_info`` with ``detail: true``;
``connections``
    ``status.connections``;
``summary``
    the ``connection_summary`` filter of those connections;
``accumulate``
    the lag figures of the same answer, keyed as ``ons_consumer_accumulate_info`` returns them
    (OnsConsumerStatus with ``Detail`` gives them, so the gate does not ask OnsConsumerAccumulate);
``samples``
    the lag of each attempt so far (``seconds`` since the gate started, ``total_diff``,
    ``delay_time``, ``last_timestamp`` and ``topics``), for the trend checks;
``dead_letters``
    the group's entry of ``ons_dead_letter_info`` (4.x) or ``rmq_dead_letter_info`` (5.x) over the
    window of ``dead_letter_lookback``, when ``max_dead_letters`` is set (a read of its own); else None;
``group_id``, ``group_type``, ``instance_id``.
"""

import datetime
from collections import namedtuple
from collections.abc import Mapping

from ansible.errors import AnsibleError

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import iso_time
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import number_text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.connection_summary import connection_summary
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import DEAD_LETTER, FAILED_STATUSES, backend_for
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import (
    CONNECTIONS,
    DEAD_LETTERS,
    DELIVERY_SUITE,
    FAILED,
    HEALTH_SUITE,
    INCONCLUSIVE,
    LAG,
    NOT_APPLICABLE,
    PASSED,
    RULES,
    SAMPLES,
    Problem,
    figure,
    outcome_of,
    plain,
    plural,
    problem,
    query_error,
    render,
    short,
    verdict,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.versions import version_key

try:
    import jmespath
    from jmespath.exceptions import JMESPathError
except ImportError:  # pragma: no cover - jmespath is a runtime requirement; gate_spec says so when a rule needs it
    jmespath = None
    JMESPathError = Exception

# What a check reads: CONNECTIONS, LAG or SAMPLES (gate_model).
Check = namedtuple('Check', 'name kind default reads expected evaluate')
# name -> Check, in the order the checks are evaluated and reported.
CHECKS = {}

HTTP_REASON = ('HTTP consumers hold no long-lived connection, so the API lists no clients to check '
               'for an HTTP group')
# The verdict of an HTTP group that no check applies to: it fails closed.
APPLICABLE_CHECK = 'applicable_checks'
SELECT_CHECK = 'select'
DELIVERY_CHECK = 'consumed'

# How much of a client's version a line shows: a version name is short, so a longer value (the API
# may give anything, 5000 digits too) is no version; it is shown by its start and its length.
VERSION_SHOWN = 40
VERSION_START = 16

# The keys of a group's entry of ons_consumer_accumulate_info, all of which OnsConsumerStatus gives.
ACCUMULATE_KEYS = ('group_id', 'instance_id', 'online', 'total_diff', 'consume_tps', 'delay_time', 'last_timestamp',
                   'topics', 'request_id')


def check(name, kind, default, reads, expected):
    """Register the decorated function as the built-in check ``name`` (see the module docstring).

    A check whose facts the API of a group does not give is reported ``not_applicable`` with the
    reason its backend gives (gate_backends: ``not_given``).
    """
    def register(function):
        CHECKS[name] = Check(name, kind, default, reads, expected, function)
        return function
    return register


def enabled(setting):
    """Whether a check's setting turns it on: anything but None and False (a limit of 0 is a check)."""
    return setting is not None and setting is not False


def expected_text(name, setting):
    """The expected value of built-in check ``name`` with ``setting``, as the report shows it."""
    return CHECKS[name].expected(setting)


# ---------------------------------------------------------------------------------------------
# Naming clients and topics in offender lines


def _detail_name(client):
    """A client of a detailed status's ``clients`` as _client_name names a connection (its address is ``connection`` there)."""
    return {'client_addr': client.get('connection'), 'client_id': client.get('client_id')}


def _client_name(connection, detail=''):
    """Name a client for an offender line: its address, what is wrong with it, then its client ID."""
    address = connection.get('client_addr')
    client_id = connection.get('client_id')
    text = str(address or client_id or 'a client without address or ID')
    if detail:
        text += ' ' + detail
    if address and client_id:
        text += ' (client id %s)' % client_id
    return text


def _version_text(version):
    """A client's version as a line shows it: ``no version``, the name, or a long value's start and length."""
    if version is None or version == '':
        return 'no version'
    text = version if isinstance(version, str) else number_text(version)
    return text if len(text) <= VERSION_SHOWN else '%s\u2026(%d characters)' % (text[:VERSION_START], len(text))


def _version_identity(version):
    try:
        return version_key(version)
    except AnsibleError:
        return ('unrecognised', version)


def _versions_observed(summary):
    """The versions of connection_summary with their counts, each as a line shows it (see _version_text)."""
    observed = {}
    for version, number in (summary['versions'] or {}).items():
        shown = _version_text(version)
        observed[shown] = observed.get(shown, 0) + number
    return observed


def _topics(status, key):
    """The status's topics whose ``key`` is a figure, as (topic, value) pairs."""
    topics = status.get('topics')
    if not isinstance(topics, list):
        return []
    return [(topic.get('topic'), topic[key]) for topic in topics if isinstance(topic, Mapping) and figure(topic.get(key))]


def _lagging_topics(status, key, render_topic):
    rows = sorted(((topic, value) for topic, value in _topics(status, key) if value > 0), key=lambda row: -row[1])
    return [render_topic(topic, value) for topic, value in rows]


def _negative_topics(status, key):
    return ['topic %s: %s' % (topic, value) for topic, value in _topics(status, key) if value < 0]


# ---------------------------------------------------------------------------------------------
# The built-in checks


@check('min_consumers', 'count', 1, CONNECTIONS, lambda limit: '>= %d' % limit)
def min_consumers(limit, facts):
    count = len(facts['connections'])
    if count >= limit:
        return PASSED, count, [], ''
    return FAILED, count, [], '%s online, %d needed' % (plural(count, 'client'), limit)


@check('max_consumers', 'count', None, CONNECTIONS, lambda limit: '<= %d' % limit)
def max_consumers(limit, facts):
    count = len(facts['connections'])
    if count <= limit:
        return PASSED, count, [], ''
    return FAILED, count, [], '%d clients online, at most %d allowed' % (count, limit)


@check('min_version', 'version', None, CONNECTIONS, lambda minimum: '>= %s' % minimum)
def min_version(minimum, facts):
    connections, summary = facts['connections'], facts['summary']
    floor = version_key(minimum)
    below, unknown = [], []
    for connection in connections:
        version = connection.get('version')
        try:
            key = version_key(version)
        except AnsibleError:
            # This check cannot order the client; the group's other checks are judged all the same.
            unknown.append(_client_name(connection, 'on %s' % _version_text(version)))
            continue
        if key < floor:
            below.append(_client_name(connection, 'on %s' % _version_text(version)))
    observed = summary['min_version'] if not summary['unknown_version_count'] else _versions_observed(summary)
    if not connections:
        return PASSED, None, [], 'no client online'
    if below:
        return FAILED, observed, below + unknown, '%s below %s' % (plural(len(below), 'client'), minimum)
    if unknown:
        return INCONCLUSIVE, observed, unknown, 'the version of %s is not a RocketMQ version name' % plural(len(unknown), 'client')
    return PASSED, observed, [], ''


@check('uniform_version', 'flag', False, CONNECTIONS, lambda _setting: 'one version')
def uniform_version(_setting, facts):
    connections = facts['connections']
    observed = _versions_observed(facts['summary'])
    if not connections:
        return PASSED, observed, [], 'no client online'
    identities = {}
    for connection in connections:
        identities.setdefault(_version_identity(connection.get('version')), []).append(connection)
    if len(identities) == 1:
        return PASSED, observed, [], ''
    # The rollout target is the highest recognised version; clients on anything else lag behind.
    recognised = [key for key in identities if key[0] != 'unrecognised']
    target = max(recognised) if recognised else max(identities, key=lambda key: len(identities[key]))
    offenders = [_client_name(connection, 'on %s' % _version_text(connection.get('version')))
                 for key, members in identities.items() if key != target for connection in members]
    return FAILED, observed, offenders, '%d versions in use; %s not on %s' % (
        len(identities), plural(len(offenders), 'client'), _version_text(identities[target][0].get('version')))


@check('allowed_languages', 'languages', None, CONNECTIONS, lambda allowed: allowed)
def allowed_languages(allowed, facts):
    connections = facts['connections']
    observed = facts['summary']['languages']
    wrong, unknown = [], []
    for connection in connections:
        language = connection.get('language')
        if not isinstance(language, str) or not language:
            unknown.append(_client_name(connection, 'in no reported language'))
        elif language.upper() not in allowed:
            wrong.append(_client_name(connection, 'in %s' % language))
    if wrong:
        return FAILED, observed, wrong + unknown, '%s in a language not allowed' % plural(len(wrong), 'client')
    if unknown:
        return INCONCLUSIVE, observed, unknown, 'the API does not give the language of %s' % plural(len(unknown), 'client')
    return PASSED, observed, [], 'no client online' if not connections else ''


@check('message_model', 'model', None, CONNECTIONS, lambda model: model)
def message_model(model, facts):
    observed = facts['status'].get('consume_model')
    if not isinstance(observed, str) or not observed:
        return INCONCLUSIVE, None, [], 'the API does not give the message model of the group'
    if observed.upper() != model:
        return FAILED, observed, [], 'the group consumes in %s mode' % observed
    return PASSED, observed, [], ''


@check('unique_client_ids', 'flag', True, CONNECTIONS, lambda _setting: 'no client ID shared')
def unique_client_ids(_setting, facts):
    connections = facts['connections']
    by_id = {}
    missing = []
    for connection in connections:
        client_id = connection.get('client_id')
        if not isinstance(client_id, str) or not client_id:
            missing.append(_client_name(connection))
        else:
            by_id.setdefault(client_id, []).append(connection)
    shared = {client_id: members for client_id, members in by_id.items() if len(members) > 1}
    observed = sorted(shared)
    if shared:
        offenders = [_client_name(member) for client_id in sorted(shared) for member in shared[client_id]]
        return FAILED, observed, offenders, '%s used by more than one client' % plural(len(shared), 'client ID')
    if missing:
        return INCONCLUSIVE, observed, missing, 'the API does not give the ID of %s' % plural(len(missing), 'client')
    return PASSED, observed, [], 'no client online' if not connections else ''


def _subscription_text(subscriptions):
    return '; '.join('%s: %s' % (topic, expression) for topic, expression in subscriptions) or 'nothing'


def _subscription_sets(status):
    """Return [(client, ((topic, expression), ...))] from the clients of a detailed status, or None."""
    clients = status.get('clients')
    if not isinstance(clients, list) or not clients:
        return None
    sets = []
    for client in clients:
        if not isinstance(client, Mapping) or not isinstance(client.get('subscriptions'), list):
            return None
        pairs = []
        for item in client['subscriptions']:
            if not isinstance(item, Mapping):
                return None
            pairs.append((str(item.get('topic')), str(item.get('sub_string'))))
        sets.append((_detail_name(client), tuple(sorted(pairs))))
    return sets


@check('subscription_consistent', 'flag', True, CONNECTIONS, lambda _setting: 'the same subscriptions on every client')
def subscription_consistent(_setting, facts):
    status, connections = facts['status'], facts['connections']
    same = status.get('subscription_same')
    sets = _subscription_sets(status)
    differing = []
    distinct = []
    if sets:
        counts = {}
        for _client, subscriptions in sets:
            counts[subscriptions] = counts.get(subscriptions, 0) + 1
        # Most common first; the sort is stable, so ties keep the order the clients came in.
        distinct = sorted(counts, key=lambda item: -counts[item])
        if len(distinct) > 1:
            common = distinct[0]
            differing = [_client_name(client, 'subscribes %s (most clients: %s)' % (_subscription_text(subscriptions),
                                                                                    _subscription_text(common)))
                         for client, subscriptions in sets if subscriptions != common]
    observed = [_subscription_text(item) for item in distinct] if distinct else same
    if same is False or differing:
        # 4.x names the clients that differ; 5.x says per topic whether its subscriptions agree.
        offenders = differing or ['topic %s' % topic for topic in status.get('inconsistent_topics') or []]
        return FAILED, observed, offenders, 'the clients subscribe differently; messages are lost or consumed twice until they agree'
    if same is True or (sets is not None and len(distinct) == 1):
        return PASSED, observed, [], ''
    if not connections and status.get('online') is False:
        return PASSED, observed, [], 'no client online'
    return INCONCLUSIVE, observed, [], 'the API does not say whether the subscriptions agree'


@check('rebalance_ok', 'flag', False, CONNECTIONS, lambda _setting: True)
def rebalance_ok(_setting, facts):
    value = facts['status'].get('rebalance_ok')
    if value is True:
        return PASSED, True, [], ''
    if value is False:
        return FAILED, False, [], 'the broker reports that the queues are not balanced across the clients'
    return INCONCLUSIVE, None, [], 'the API does not say whether the queues are balanced'


@check('max_lag', 'lag', None, LAG, lambda limit: '<= %d' % limit)
def max_lag(limit, facts):
    status = facts['status']
    value = status.get('total_diff')
    if isinstance(value, bool) or not isinstance(value, int):
        return INCONCLUSIVE, value, [], 'the API does not give the number of messages not consumed'
    if not figure(value):
        return INCONCLUSIVE, number_text(value), [], 'the API gave a number of messages not consumed beyond any count'
    negative = _negative_topics(status, 'total_diff')
    if value < 0 or negative:
        # A count below zero is not a count: never read it as "caught up".
        return INCONCLUSIVE, value, negative, 'the API gave a negative number of messages not consumed'
    if value > limit:
        offenders = _lagging_topics(status, 'total_diff', lambda topic, lag: 'topic %s: %d messages behind' % (topic, lag))
        return FAILED, value, offenders, '%d messages not consumed yet, at most %d allowed' % (value, limit)
    return PASSED, value, [], ''


@check('max_delay_seconds', 'seconds', None, LAG, lambda limit: '<= %s s' % limit)
def max_delay_seconds(limit, facts):
    status = facts['status']
    value = status.get('delay_time')
    if not figure(value):
        return INCONCLUSIVE, value, [], 'the API does not give how late the group is'
    negative = _negative_topics(status, 'delay_time')
    if value < 0 or negative:
        return INCONCLUSIVE, value, negative, 'the API gave a negative delay'
    seconds = round(value / 1000.0, 3)
    if seconds > limit:
        offenders = _lagging_topics(status, 'delay_time',
                                    lambda topic, delay: 'topic %s: %s s behind' % (topic, round(delay / 1000.0, 3)))
        return FAILED, '%s s' % seconds, offenders, 'the group is %s s behind, at most %s s allowed' % (seconds, limit)
    return PASSED, '%s s' % seconds, [], ''


def _topic_series(samples):
    """{topic: [(seconds, lag, last_timestamp), ...]} over the samples, in order; None for an unreadable one."""
    series = {}
    for sample in samples:
        for topic in sample['topics']:
            name = topic.get('topic') if isinstance(topic, Mapping) else None
            if isinstance(name, str):
                series.setdefault(name, []).append((sample['seconds'], topic.get('total_diff'), topic.get('last_timestamp')))
    return series


def _ago(now_ms, last_ms):
    return 'last consumed %s s ago' % int(max(0, now_ms - last_ms) // 1000) if figure(last_ms) and last_ms > 0 else 'never consumed'


@check('require_progress', 'flag', False, SAMPLES, lambda _setting: 'consuming while messages wait')
def require_progress(_setting, facts):
    """STALLED: a topic with messages waiting at every sample whose last consume time never moved."""
    samples = facts['samples']
    latest = facts['status']
    if not isinstance(latest.get('total_diff'), int) or not figure(latest['total_diff']):
        return INCONCLUSIVE, None, [], 'the API does not give the number of messages not consumed'
    if latest['total_diff'] == 0:
        return PASSED, 'caught up', [], 'no message waits to be consumed'
    stalled, unsure = [], []
    window = samples[-1]['seconds'] - samples[0]['seconds']
    for topic, series in sorted(_topic_series(samples).items()):
        lags = [lag for _seconds, lag, _last in series]
        if not all(figure(lag) for lag in lags) or lags[-1] <= 0:
            continue
        if min(lags) <= 0:
            continue  # it caught up in between: moving
        lasts = [last for _seconds, _lag, last in series]
        if len(series) < 2:
            unsure.append('topic %s: %d messages behind' % (topic, lags[-1]))
        elif lasts[-1] == lasts[0] or not figure(lasts[-1]):
            stalled.append('topic %s: %d messages behind, %s, no consumption in the %s s observed' % (
                topic, lags[-1], _ago(facts['now_ms'], lasts[-1]), int(series[-1][0] - series[0][0])))
    observed = 'stalled' if stalled else ('moving' if not unsure else 'one sample')
    if stalled:
        return FAILED, observed, stalled, 'STALLED: %s with messages waiting and a last consume time that did not move in %s s' % (
            plural(len(stalled), 'topic'), int(window))
    if unsure:
        return INCONCLUSIVE, observed, unsure, ('one sample cannot tell a consumer catching up from a stuck one: '
                                                'it needs a second attempt (set wait_timeout or observe_seconds)')
    return PASSED, observed, [], 'the last consume time moved while messages waited'


@check('lag_trend', 'flag', False, SAMPLES, lambda _setting: 'lag not growing at every sample')
def lag_trend(_setting, facts):
    """FALLING BEHIND: the lag grew from every sample to the next (three samples at least)."""
    lags = [sample['total_diff'] for sample in facts['samples']]
    if not lags or not all(figure(lag) for lag in lags):
        return INCONCLUSIVE, lags, [], 'the API does not give the number of messages not consumed at every sample'
    if lags[-1] == 0 or any(later <= earlier for earlier, later in zip(lags, lags[1:])):
        return PASSED, lags, [], '' if len(lags) > 1 else 'one sample'
    if len(lags) < 3:
        return INCONCLUSIVE, lags, [], ('the lag grew, but %s cannot tell a trend: it needs three '
                                        '(set wait_timeout or observe_seconds)' % plural(len(lags), 'sample'))
    growing = [topic for topic, series in sorted(_topic_series(facts['samples']).items())
               if len(series) == len(lags) and all(figure(row[1]) for row in series)
               and all(later[1] > earlier[1] for earlier, later in zip(series, series[1:]))]
    span = facts['samples'][-1]['seconds'] - facts['samples'][0]['seconds']
    return FAILED, lags, ['topic %s' % topic for topic in growing], 'FALLING BEHIND: the lag grew at each of %d samples in %s s (%s)' % (
        len(lags), int(span), ' -> '.join(str(lag) for lag in lags))


# ---------------------------------------------------------------------------------------------
# Did the release work: what the clients of each version consume, fail and take (4.x, per client)

# How many dead letters an offender list names before "and N more".
LETTERS_LISTED = 10

ClientFigures = namedtuple('ClientFigures', 'name ok failed rt')
ClientFigures.__doc__ = """One client's figures over its topics: messages ``ok`` and ``failed`` per second, ``rt`` ms per message (None: none consumed)."""


class VersionFigures:
    """The figures of the clients of one version together: ``clients`` (ClientFigures), ``unknown`` (names without figures).

    ``label`` names clients of several versions pooled together (the canary's others), instead of ``version``.
    """

    def __init__(self, version, label=None):
        self.version = version
        self.label = label
        self.clients = []
        self.unknown = []

    @property
    def shown(self):
        return self.label if self.label is not None else _version_text(self.version)

    @property
    def ok(self):
        return sum(client.ok for client in self.clients)

    @property
    def failed(self):
        return sum(client.failed for client in self.clients)

    @property
    def processed(self):
        return self.ok + self.failed

    @property
    def failed_share(self):
        """The share of the messages processed that failed, in percent; None without traffic."""
        return 100.0 * self.failed / self.processed if self.processed > 0 else None

    @property
    def ok_per_client(self):
        return self.ok / len(self.clients) if self.clients else None

    @property
    def rt(self):
        """The consume time per message over the clients, weighted by what each processed; None without traffic."""
        weighted = [(client.rt, client.ok + client.failed) for client in self.clients if client.rt is not None]
        weight = sum(share for _rt, share in weighted)
        return sum(rt * share for rt, share in weighted) / weight if weight > 0 else None

    def size(self):
        return plural(len(self.clients) + len(self.unknown), 'client')


def _client_figures(client):
    """ClientFigures of one client of a detailed 4.x status, or None when its figures cannot be read.

    ``running_data`` has a row per topic the client consumes (OkTps, FailedTps and Rt of the last
    minute). A client that subscribes to topics but has no row is unknown, not idle: the broker
    could not read its figures.
    """
    name = _detail_name(client)
    rows = client.get('running_data')
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        return None
    if not rows and client.get('subscriptions'):
        return None
    ok = failed = weighted = 0.0
    for row in rows:
        row_ok, row_failed, row_rt = row.get('ok_tps'), row.get('failed_tps'), row.get('rt')
        if not all(figure(value) and value >= 0 for value in (row_ok, row_failed)):
            return None
        ok, failed = ok + row_ok, failed + row_failed
        if row_ok + row_failed > 0:
            if not figure(row_rt) or row_rt < 0:
                return None
            weighted += row_rt * (row_ok + row_failed)
    rt = weighted / (ok + failed) if ok + failed > 0 else None
    return ClientFigures(name, ok, failed, rt)


def _versions(facts):
    """``(versions, why)``: a VersionFigures per client version, the newest first; or None and why the figures cannot be read.

    The newest is the highest recognised version (as uniform_version orders them); versions that are
    not RocketMQ version names come after the rest.
    """
    clients = facts['status'].get('clients')
    if not isinstance(clients, list) or not clients or not all(isinstance(client, Mapping) for client in clients):
        return None, 'the API gives no per-client consume figures for the group'
    by_version = {}
    for client in clients:
        identity = _version_identity(client.get('version'))
        found = by_version.setdefault(identity, VersionFigures(client.get('version')))
        figures = _client_figures(client)
        if figures is None:
            found.unknown.append(_client_name(_detail_name(client), 'on %s without readable figures' % found.shown))
        else:
            found.clients.append(figures)
    recognised = sorted((key for key in by_version if key[0] != 'unrecognised'), reverse=True)
    others = [key for key in by_version if key[0] == 'unrecognised']
    return [by_version[key] for key in recognised + others], None


def _percent(value):
    """A share in percent as a line shows it: ``90%``, ``4.55%``, ``0.002%``, ``<0.001%``."""
    if value >= 1:
        return '%.3g%%' % value
    shown = round(value, 3)
    return '%g%%' % shown if shown > 0 or value == 0 else '<0.001%'


def _rate(value):
    return '%.3g/s' % value


def _share_text(found, first):
    """``V4_9_7: 90% failed on 2 clients``, or ``V4_9_4: 0% on 2`` after the first."""
    size = found.size() if first else str(len(found.clients) + len(found.unknown))
    if found.failed_share is None:
        text = '%s: no traffic on %s' % (found.shown, size)
    else:
        text = '%s: %s%s on %s' % (found.shown, _percent(found.failed_share), ' failed' if first else '', size)
    if found.unknown:
        text += ' (%d without figures)' % len(found.unknown)
    return text


def _consume_check_applies(facts):
    """``(versions, None)``, or ``(None, (status, reason))`` when a consume check cannot judge the group."""
    if not facts['connections']:
        return None, (NOT_APPLICABLE, 'no client online: nothing was consumed')
    versions, why = _versions(facts)
    if versions is None:
        return None, (INCONCLUSIVE, why)
    return versions, None


@check('max_failed_percent', 'percent', 10, CONNECTIONS, lambda limit: '<= %s failed' % _percent(limit))
def max_failed_percent(limit, facts):
    """A group, or one version of its clients, that fails more than ``limit`` percent of the messages it processes."""
    versions, why = _consume_check_applies(facts)
    if why:
        return why[0], None, [], why[1]
    ok = sum(found.ok for found in versions)
    failed = sum(found.failed for found in versions)
    unknown = [name for found in versions for name in found.unknown]
    observed = '%s failed' % _percent(100.0 * failed / (ok + failed)) if ok + failed > 0 else None
    text = '; '.join(_share_text(found, index == 0) for index, found in enumerate(versions))
    over = [found for found in versions if found.failed_share is not None and found.failed_share > limit]
    if over:
        offenders = [_client_name(client.name, 'on %s: %s failed, %s consumed' % (found.shown, _rate(client.failed), _rate(client.ok)))
                     for found in over for client in found.clients if client.failed > 0]
        return FAILED, observed, offenders + unknown, text
    if unknown:
        return INCONCLUSIVE, observed, unknown, 'the API does not give what %s consumed and failed; %s' % (
            plural(len(unknown), 'client'), text)
    if observed is None:
        return NOT_APPLICABLE, None, [], ('no client consumed or failed a message in the last minute (OkTps and FailedTps '
                                          'are 0): there is nothing to judge')
    return PASSED, observed, [], text


def _canary(facts):
    """``(newest, others, None)``: the VersionFigures of the newest version and of all the others; or the verdict that stands instead."""
    versions, why = _consume_check_applies(facts)
    if why:
        return None, None, (why[0], None, [], why[1])
    if len(versions) == 1:
        return None, None, (NOT_APPLICABLE, versions[0].shown, [],
                            'every client runs %s: there is no canary to compare' % versions[0].shown)
    if _version_identity(versions[0].version)[0] == 'unrecognised':
        return None, None, (INCONCLUSIVE, [found.shown for found in versions], [],
                            'no version of the group is a RocketMQ version name, so none is known to be the newest')
    newest, others = versions[0], VersionFigures(None, label=', '.join(found.shown for found in versions[1:]))
    for found in versions[1:]:
        others.clients.extend(found.clients)
        others.unknown.extend(found.unknown)
    unknown = newest.unknown + others.unknown
    if unknown:
        return None, None, (INCONCLUSIVE, None, unknown,
                            'the API does not give what %s consumed' % plural(len(unknown), 'client'))
    return newest, others, None


@check('canary_max_rt_ratio', 'ratio', None, CONNECTIONS, lambda limit: 'newest version <= %s\u00d7 the consume time of the others' % limit)
def canary_max_rt_ratio(limit, facts):
    """The newest version takes more than ``limit`` times as long per message as the others."""
    newest, others, instead = _canary(facts)
    if instead:
        return instead
    if newest.rt is None or others.rt is None:
        idle = newest.shown if newest.rt is None else others.shown
        return NOT_APPLICABLE, None, [], '%s consumed nothing in the last minute: no consume time to compare' % idle
    ratio = newest.rt / others.rt if others.rt > 0 else (1.0 if newest.rt == 0 else float('inf'))
    observed = round(ratio, 2) if ratio != float('inf') else 'unbounded'
    text = '%s: %.3g ms per message on %s, %s\u00d7 the %.3g ms of %s on %s' % (
        newest.shown, newest.rt, newest.size(), observed, others.rt, others.shown, plural(len(others.clients), 'client'))
    if ratio > limit:
        return FAILED, observed, [], text
    return PASSED, observed, [], text


@check('canary_min_tps_ratio', 'ratio', None, CONNECTIONS, lambda limit: 'newest version >= %s\u00d7 the throughput per client of the others' % limit)
def canary_min_tps_ratio(limit, facts):
    """The newest version consumes less than ``limit`` times as many messages per client as the others."""
    newest, others, instead = _canary(facts)
    if instead:
        return instead
    if not others.ok_per_client:
        return NOT_APPLICABLE, None, [], '%s consumed nothing in the last minute: no throughput to compare with' % others.shown
    ratio = newest.ok_per_client / others.ok_per_client
    text = '%s: %s consumed per client on %s, %.3g\u00d7 the %s of %s on %s' % (
        newest.shown, _rate(newest.ok_per_client), newest.size(), ratio, _rate(others.ok_per_client), others.shown,
        plural(len(others.clients), 'client'))
    if ratio < limit:
        return FAILED, round(ratio, 2), [], text
    return PASSED, round(ratio, 2), [], text


# ---------------------------------------------------------------------------------------------
# Dead letters


def _utc(ms):
    return datetime.datetime.fromtimestamp(ms / 1000.0, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')


def _letter_text(letter):
    """One dead letter as an offender line: its ID, topic and when it was stored."""
    if not isinstance(letter, Mapping):
        return 'a dead letter that cannot be read: %s' % short(letter)
    message = letter.get('msg_id') or letter.get('message_id')
    topic = letter.get('topic')
    stored = letter.get('store_timestamp')
    if figure(stored):
        when = _utc(stored)
    elif letter.get('store_time'):
        when = '%s (the API gives no zone)' % letter['store_time']
    else:
        when = 'at a time the API does not give'
    text = 'message %s of topic %s, stored %s' % (message, topic, when)
    if figure(letter.get('reconsume_times')):
        text += ' after %s' % plural(int(letter['reconsume_times']), 'delivery attempt')
    return text


@check('max_dead_letters', 'letters', None, DEAD_LETTERS, lambda limit: '<= %s' % plural(limit, 'dead letter'))
def max_dead_letters(limit, facts):
    """More than ``limit`` of the group's messages reached its dead-letter queue in the window (``dead_letter_lookback``)."""
    found = facts['dead_letters']
    if 'dead_letter_topic' in found and found['dead_letter_topic'] is None:
        return NOT_APPLICABLE, None, [], ('the group has no dead-letter topic (consumeRetryPolicy.deadLetterTargetTopic): '
                                          'the messages it gives up on are not kept, so none can be counted')
    letters = found.get('messages')
    count = found.get('count')
    if not isinstance(letters, list) or not figure(count):
        return INCONCLUSIVE, None, [], 'the dead letters of the group cannot be read: %s' % short(found)
    window = 'stored since %s' % _utc(found['begin_time']) if figure(found.get('begin_time')) else 'stored in the window'
    if found.get('dead_letter_topic'):
        window += ' in topic %s' % found['dead_letter_topic']
    if count > limit:
        shown = [_letter_text(letter) for letter in letters[:LETTERS_LISTED]]
        if len(letters) > LETTERS_LISTED:
            shown.append('and %d more' % (len(letters) - LETTERS_LISTED))
        observed = count if found.get('complete') else 'at least %d' % count
        return FAILED, observed, shown, '%s %s: messages the consumers gave up on' % (
            plural(count, 'dead letter') if found.get('complete') else 'at least %s' % plural(count, 'dead letter'), window)
    if not found.get('complete'):
        return INCONCLUSIVE, count, [], 'the dead letters of the group were not all read'
    return PASSED, count, [], '%s %s' % (plural(count, 'dead letter'), window)


# ---------------------------------------------------------------------------------------------
# Rules: JMESPath queries and Jinja conditions


def _same(left, right):
    """Compare a rule's result with its expectation: booleans only equal booleans, numbers by value."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[key], right[key]) for key in left)
    return type(left) is type(right) and left == right


def _query_rule(rule, facts):
    """Evaluate a JMESPath rule: (status, expected, observed, offenders, reason)."""
    try:
        observed = plain(jmespath.search(rule['query'], facts))
    except RecursionError:
        return INCONCLUSIVE, rule['expect'], None, [], 'the query of rule %s nests too deeply to be evaluated' % rule['name']
    except JMESPathError as exc:
        return INCONCLUSIVE, rule['expect'], None, [], 'the query %s cannot be evaluated: %s' % (rule['query'], query_error(exc))
    if _same(observed, rule['expect']):
        return PASSED, rule['expect'], observed, [], 'query %s' % rule['query']
    # A query that lists what is wrong, expected to be empty, names the offenders itself.
    offenders = observed if isinstance(observed, list) and rule['expect'] == [] else []
    return FAILED, rule['expect'], observed, [render(item) for item in offenders], 'query %s' % rule['query']


def _condition_rule(rule, facts, evaluate_condition):
    """Evaluate a rule of Jinja conditions, all of which must hold (as ansible.builtin.assert's ``that``)."""
    for condition in rule['that']:
        try:
            holds = evaluate_condition(condition, facts)
        except Exception as exc:  # pylint: disable=broad-except
            # Whatever the template engine raises (an undefined fact, a filter's error) leaves it unsure.
            return INCONCLUSIVE, rule['that'], None, [], 'the condition %s cannot be evaluated: %s' % (
                condition, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        if not holds:
            reason = _message(rule, 'fail_msg', facts) or 'the condition %s is false' % condition
            return FAILED, rule['that'], 'false: %s' % condition, [], reason
    return PASSED, rule['that'], 'true', [], _message(rule, 'success_msg', facts) or ''


def _message(rule, key, facts):
    """The rule's message ``key`` rendered over the facts (gate_conditions.render); one that cannot be says why."""
    if not rule.get(key):
        return None
    try:
        return gate_conditions.render(rule[key], facts)
    except Exception as exc:  # pylint: disable=broad-except
        return '%s (its %s cannot be rendered: %s)' % (rule[key], key, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


# ---------------------------------------------------------------------------------------------
# A group's verdicts


def group_facts(instance_id, group_id, group_type, status, samples=None, now_ms=0, dead_letters=None):
    """The facts of a group from its status entry (see the module docstring); None without a status."""
    facts = {'group_id': group_id, 'group_type': group_type, 'instance_id': instance_id, 'status': None,
             'connections': None, 'summary': None, 'accumulate': None, 'samples': plain(samples or []), 'now_ms': now_ms,
             'dead_letters': plain(dead_letters) if isinstance(dead_letters, Mapping) else None}
    if status is not None:
        status = plain(status)
        # What else the group's rules read, as its API gives it (the rmq_* modules' facts of a 5.x group).
        extra = backend_for(instance_id).rule_facts(status)
        facts.update(status=status, connections=status['connections'], summary=connection_summary(status['connections']),
                     accumulate={key: status.get(key) for key in ACCUMULATE_KEYS})
        facts.update(extra)
    return facts


def status_problem(status):
    """Why a group's status entry cannot be used by the checks, or None."""
    if isinstance(status, Problem):
        return status
    if not isinstance(status, Mapping):
        return problem('ons_consumer_status_info gave no answer for the group')
    connections = status.get('connections')
    if not isinstance(connections, list) or not all(isinstance(item, Mapping) for item in connections):
        return problem('ons_consumer_status_info gave connections that cannot be read: %s' % short(connections))
    try:
        connection_summary(connections)
    except AnsibleError as exc:
        return problem('ons_consumer_status_info gave connections that cannot be read: %s' % exc)
    return None


def wanted(entry):
    """What the checks and rules of ``entry`` read, for the backend to read no more (gate_backends: ``status``).

    The name and ``reads`` of every check it turns on, and RULES when it has rules (a rule may read
    any fact); nothing without an entry.
    """
    if not entry:
        return frozenset()
    found = {RULES} if entry['rules'] else set()
    for name, spec in CHECKS.items():
        if enabled(entry['checks'].get(name)):
            found.update((name, spec.reads))
    return frozenset(found)


def needs_status(entry, group_type):
    """A TCP group's status is always read; an HTTP group's when a check that applies to it or a rule needs it."""
    if group_type != 'http' or entry['rules']:
        return True
    return any(enabled(entry['checks'][name]) for name, spec in CHECKS.items() if spec.reads not in (CONNECTIONS, DEAD_LETTERS))


def needs_dead_letters(entry):
    """Whether a check of ``entry`` counts the group's dead letters (a read of its own, beside the status)."""
    return any(enabled(entry['checks'][name]) for name, spec in CHECKS.items() if spec.reads == DEAD_LETTERS)


def group_verdicts(instance_id, group_id, entry, group_type, status, samples=None, now_ms=0, evaluate_condition=None,
                   dead_letters=None):
    """Return the verdicts of every check of one group, from its status entry (or the Problem that stands for it).

    ``samples`` are the group's lag samples so far (the latest last), ``now_ms`` the clock in epoch
    milliseconds, ``evaluate_condition(condition, facts)`` evaluates a Jinja condition, and
    ``dead_letters`` is the group's entry of ``ons_dead_letter_info`` or ``rmq_dead_letter_info`` (or
    the Problem that stands for it) when a check counts them.
    """
    settings = entry['checks']
    allowed = set(entry['allow_inconclusive'])
    http = group_type == 'http'
    why = status_problem(status) if needs_status(entry, group_type) else None
    facts = group_facts(instance_id, group_id, group_type, status if why is None and isinstance(status, Mapping) else None,
                        samples, now_ms, dead_letters)
    verdicts = []

    def add(name, status_value, expected, observed, offenders=None, reason=''):
        verdicts.append(verdict(HEALTH_SUITE, 'group', group_id, instance_id, name, status_value, expected, observed,
                                offenders, reason, allowed=name in allowed))

    backend = backend_for(instance_id)
    for name, spec in CHECKS.items():
        setting = settings.get(name)
        if not enabled(setting):
            continue
        expected = spec.expected(setting)
        not_given = backend.not_given(name)
        if not_given:
            add(name, NOT_APPLICABLE, expected, None, reason=not_given)
        elif http and spec.reads == CONNECTIONS:
            # Reported, never skipped in silence and never passed: the check cannot apply.
            add(name, NOT_APPLICABLE, expected, None, reason=HTTP_REASON)
        elif spec.reads == DEAD_LETTERS:
            # Read apart from the status: judged from its own answer, whatever became of the status.
            if isinstance(dead_letters, Problem):
                add(name, outcome_of(dead_letters), expected, None, reason=dead_letters)
            elif facts['dead_letters'] is None:
                add(name, INCONCLUSIVE, expected, None, reason='the dead letters of the group were not read')
            else:
                status_value, observed, offenders, reason = spec.evaluate(setting, facts)
                add(name, status_value, expected, observed, offenders, reason)
        elif why is not None:
            add(name, outcome_of(why), expected, None, reason=why)
        elif spec.reads == SAMPLES and not facts['samples']:
            add(name, INCONCLUSIVE, expected, None, reason='no sample of the lag was taken')
        else:
            status_value, observed, offenders, reason = spec.evaluate(setting, facts)
            add(name, status_value, expected, observed, offenders, reason)

    for rule in entry['rules']:
        if why is not None:
            add(rule['name'], outcome_of(why), rule.get('expect', rule.get('that')), None, reason=why)
            continue
        if 'that' in rule:
            outcome = _condition_rule(rule, facts, evaluate_condition)
        else:
            outcome = _query_rule(rule, facts)
        status_value, expected, observed, offenders, reason = outcome
        verdicts.append(verdict(HEALTH_SUITE, 'group', group_id, instance_id, rule['name'], status_value, expected, observed,
                                offenders, reason, allowed=rule['allow_inconclusive'] or rule['name'] in allowed))

    if http and not any(item['status'] != NOT_APPLICABLE for item in verdicts):
        # An HTTP group whose every check is a client check would pass with nothing checked.
        add(APPLICABLE_CHECK, INCONCLUSIVE, 'at least one check that applies to an HTTP group', 'none',
            reason='%s; set max_lag, max_delay_seconds, a trend check or a rule for this group' % HTTP_REASON)
    elif not any(item['status'] != NOT_APPLICABLE for item in verdicts):
        # Likewise a group whose every check has no meaning on its generation, or that has no check at all.
        add(APPLICABLE_CHECK, INCONCLUSIVE, 'at least one check that applies to the group', 'none',
            reason='no check of this group applies to a RocketMQ %s group; set one that does' % backend.generation)
    for item in verdicts:
        item['group_type'] = group_type
    return verdicts


# ---------------------------------------------------------------------------------------------
# Messages

# Message tracks: what counts as consumed, what certainly is not, and everything else is unknown.
TRACK_CONSUMED = 'CONSUMED'
TRACK_FILTERED = 'CONSUMED_BUT_FILTERED'
# DEAD_LETTER and the failed statuses come from 5.x traces (gate_backends.trace_from_rmq).
TRACKS_NOT_CONSUMED = ('NOT_CONSUME_YET', 'NOT_ONLINE', DEAD_LETTER) + FAILED_STATUSES
NO_TRACK = 'NO_TRACK'
# A group of a scheduled 5.x message whose time has not come (gate_backends.not_due): neither consumed nor missed.
NOT_DUE = 'NOT_DUE'


def _group_name(name, instance_id):
    """Drop the instance prefix that namespaced instances put on group names (INSTANCE%GID)."""
    if isinstance(name, str) and instance_id and name.startswith(instance_id + '%'):
        return name[len(instance_id) + 1:]
    return name


def _track_rank(kind, allow_filtered):
    """0: certainly not consumed, 1: unknown, 2: consumed."""
    if kind == TRACK_CONSUMED or (kind == TRACK_FILTERED and allow_filtered):
        return 2
    if kind in TRACKS_NOT_CONSUMED or kind == NO_TRACK or kind == TRACK_FILTERED:
        return 0
    return 1


def message_verdict(message, answer):
    """The verdict of check ``consumed`` of one message, from its entry of ons_trace_info (or a Problem)."""
    subject = '%s/%s' % (message['topic'], message['msg_id'])
    instance_id = message['instance_id']
    allowed = message['allow_inconclusive']
    expected = message['expect_consumed_by'] or 'every group that tracks the message'

    def result(status_value, observed, offenders=None, reason=''):
        return verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, status_value, expected, observed,
                       offenders, reason, allowed=allowed)

    if isinstance(answer, Problem):
        return result(outcome_of(answer), None, reason=answer)
    if not isinstance(answer, Mapping):
        return result(INCONCLUSIVE, None, reason='ons_trace_info gave no answer for the message')
    if answer.get('found') is False:
        window = ''
        if figure(answer.get('begin_time')) and figure(answer.get('end_time')):
            # A 5.x message is looked for in a window (trace_lookback): say which.
            window = ' stored from %s to %s (trace_lookback)' % (iso_time(int(answer['begin_time'])), iso_time(int(answer['end_time'])))
        return result(FAILED, 'not found', reason='the API has no message %s in topic %s%s' % (message['msg_id'], message['topic'], window))
    tracks = answer.get('tracks')
    if answer.get('found') is not True or not isinstance(tracks, list) or not all(isinstance(track, Mapping) for track in tracks):
        return result(INCONCLUSIVE, None, reason='ons_trace_info gave an answer that cannot be read: %s' % short(answer))
    observed = {}
    nameless = []
    for position, track in enumerate(tracks):
        group = _group_name(track.get('consumer_group'), instance_id)
        kind = track.get('track_type') if isinstance(track.get('track_type'), str) else 'UNKNOWN'
        if not isinstance(group, str) or not group:
            # A track the gate cannot attribute may be the very group that did not consume: never skip it.
            nameless.append('track %d (%s) names no consumer group' % (position + 1, kind))
            continue
        # With two tracks for one group, the one further from consumed decides.
        if group not in observed or _track_rank(kind, True) < _track_rank(observed[group], True):
            observed[group] = kind
    groups = [_group_name(group, instance_id) for group in message['expect_consumed_by']] if message['expect_consumed_by'] \
        else sorted(observed)
    if not groups and nameless:
        return result(INCONCLUSIVE, observed, nameless, 'no track of the trace names its consumer group, so it does not tell '
                                                        'which groups consumed the message')
    # A scheduled 5.x message not yet due: a group without a record has not had it yet (gate_backends.not_due).
    pending = answer.get('not_due') if isinstance(answer.get('not_due'), str) else None
    if not groups and pending:
        return result(INCONCLUSIVE, observed, reason='the message is %s: no group can have consumed it yet' % pending)
    if not groups:
        return result(FAILED, observed, reason='no consumer group tracks the message: nothing subscribes to topic %s' % message['topic'])
    missing, unknown = [], []
    for group in groups:
        kind = observed.get(group, NO_TRACK)
        if pending and kind in (NO_TRACK, 'NOT_CONSUME_YET'):
            # Named by a word of its own: the schedule is said once, in the reason.
            kind = observed[group] = NOT_DUE
        rank = _track_rank(kind, message['allow_filtered'])
        if rank == 0:
            missing.append('%s: %s' % (group, kind))
        elif rank == 1:
            unknown.append('%s: %s' % (group, kind))
    for group in groups:
        observed.setdefault(group, NO_TRACK)
    expected = groups
    reason_filtered = '' if message['allow_filtered'] else '; CONSUMED_BUT_FILTERED does not count as consumed'
    if missing:
        return result(FAILED, observed, missing + unknown + nameless, '%d of %s did not consume the message%s' % (
            len(missing), plural(len(groups), 'group'), reason_filtered))
    if unknown or nameless:
        reasons = []
        waiting = sum(1 for group in groups if observed[group] == NOT_DUE)
        if waiting:
            reasons.append('the message is %s: no group can have consumed it yet' % pending)
        if len(unknown) > waiting:
            reasons.append('the trace does not tell whether %s consumed the message' % plural(len(unknown) - waiting, 'group'))
        if nameless:
            reasons.append('%s of the trace name%s no consumer group' % (plural(len(nameless), 'track'), 's' if len(nameless) == 1 else ''))
        return result(INCONCLUSIVE, observed, unknown + nameless, '; '.join(reasons))
    return result(PASSED, observed, reason='consumed by every expected group' + reason_filtered)
