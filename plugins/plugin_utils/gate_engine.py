# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deployment gate's run: read the facts, judge every check, and wait until all pass or time runs out.

One run has one deadline for groups and messages together: ``max(wait_timeout, observe_seconds)``
after it started. Each attempt reads, concurrently within the client's rate limit, only what it
still needs: the selections, the status of every group not yet passing (OnsConsumerStatus with
``Detail``, which also gives the lag, so OnsConsumerAccumulate is never asked) and the trace of
every message not yet consumed. A group or message whose checks all passed is settled and not read
again, except while ``observe_seconds`` has not passed: then every group is read at every attempt,
so that the trend checks see its lag over the whole window. An attempt starts ``poll_interval``
after the answers of the previous one came (so that nothing is asked again sooner), and at least a
second after the previous one ended; none starts after the deadline.

The deadline bounds the attempts too, every call and every page of a listing (ApiClient.bound_by).
An attempt that started may still make the calls it needs: before each round of concurrent reads
the clients are bound to ``max(deadline, now + the client's timeout + a turn at its rate limit
for each call the round needs)`` (Facts.calls), so that the one attempt of ``wait_timeout: 0``
reads every group, however many, while what could go on without end (a listing's further pages,
retries) stops there: a selection whose listing it cut short is inconclusive, naming the deadline.

The clock is injected (``Clock``), so that tests can run a long wait without sleeping; the clients
read the deadline on the same clock.
"""

import time

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import (
    CHECKS,
    LAG,
    SAMPLES,
    SELECT_CHECK,
    enabled,
    group_verdicts,
    message_verdict,
    needs_status,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import (
    DELIVERY_SUITE,
    FAILED,
    HEALTH_SUITE,
    INCONCLUSIVE,
    PASSED,
    Problem,
    clean,
    figure,
    outcome_of,
    plain,
    plural,
    problem,
    short,
    verdict,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_rmq import (
    GENERATION_5,
    generation,
    status_from_rmq,
    trace_from_rmq,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import (
    DEFAULT_GROUP_TYPE,
    GROUP_TYPES,
    describe_selector,
)

# How many subjects a progress line names before "and N more".
PROGRESS_LISTED = 4
# The shortest pause between two attempts, so that a slow attempt is not followed at once by another.
MIN_PAUSE = 1.0
# The calls of a 5.x group's status at most: ListConsumerConnections, GetConsumerGroupLag and
# ListConsumerGroupSubscriptions (Facts._rmq_status).
RMQ_STATUS_CALLS = 3


class Clock:
    """The real clock: ``now()`` for intervals, ``wall()`` for timestamps, ``sleep()``."""

    @staticmethod
    def now():
        return time.monotonic()

    @staticmethod
    def wall():
        return time.time()

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)


class Facts:
    """What the gate asks the API, through the functions the info modules use.

    ``queries`` is module_utils.ons_queries (4.x instances, with ``client``); ``rmq_queries`` is
    module_utils.rmq_queries (5.x instances, ``rmq-...``, with ``rmq_client``).
    """

    def __init__(self, client, queries, run_concurrently, rmq_client=None, rmq_queries=None):
        """``run_concurrently(function, items)`` returns ``[(function(item), error)]`` in order (ons_module.query_concurrently)."""
        self.client = client
        self.queries = queries
        self.run_concurrently = run_concurrently
        self.rmq_client = rmq_client
        self.rmq_queries = rmq_queries

    @staticmethod
    def calls(job):
        """How many calls ``job`` makes at most, a listing's further pages aside: 3 for a 5.x group's status, else 1."""
        key = job[0]
        if key[0] == 'status' and generation(key[1]) == GENERATION_5:
            return RMQ_STATUS_CALLS
        return 1

    def clients(self):
        """The API clients the facts are read with (each once), those that can be bound to a deadline."""
        found = []
        for client in (self.client, self.rmq_client):
            if client is not None and hasattr(client, 'bound_by') and all(client is not other for other in found):
                found.append(client)
        return found

    def gather(self, jobs):
        """Run ``jobs`` ([(key, what, function)]) concurrently; return {key: answer or Problem}."""
        def attempt(job):
            _key, what, function = job
            try:
                return function(), None
            except Exception as exc:  # pylint: disable=broad-except
                # An API error (OnsError, after the client's retries) or an answer that cannot be
                # read: either way, this subject's checks cannot be told. A job of several calls
                # says which one failed (gate_what).
                return None, (getattr(exc, 'gate_what', what), exc)

        answers = {}
        # ``attempt`` never raises, so every outcome of run_concurrently is (outcome, None).
        for job, (outcome, _none) in zip(jobs, self.run_concurrently(attempt, jobs)):
            answer, error = outcome
            if error is not None:
                what, exc = error
                details = exc.to_dict() if hasattr(exc, 'to_dict') else None
                answers[job[0]] = problem('%s failed: %s' % (what, clean(str(exc)) or type(exc).__name__), details)
            else:
                answers[job[0]] = answer
        return answers

    def select_job(self, entry):
        selector = entry['select']
        key = ('select', entry['key'])
        if generation(entry['instance_id']) == GENERATION_5:
            return key, 'rmq_consumer_group_info', lambda: self._rmq_groups(entry['instance_id'], selector['group_id'])
        return (key, 'ons_group_info',
                lambda: self.queries.list_groups(self.client, entry['instance_id'], group_id=selector['group_id'],
                                                 group_type=selector['group_type'] or 'all', tags=selector['tags']))

    def _rmq_groups(self, instance_id, group_id):
        listing = self.rmq_queries.list_consumer_groups(self.rmq_client, instance_id, filter=group_id)
        return {'groups': [dict(group, group_type='tcp') for group in listing['groups']]}

    def status_job(self, instance_id, group_id, entry=None):
        key = ('status', instance_id, group_id)
        if generation(instance_id) == GENERATION_5:
            return key, 'rmq_consumer_connection_info', lambda: self._rmq_status(instance_id, group_id, entry)
        return key, 'ons_consumer_status_info', lambda: self.queries.query_status(self.client, instance_id, group_id, detail=True)

    def _rmq_status(self, instance_id, group_id, entry):
        """A 5.x group's status (gate_rmq.status_from_rmq), from the calls its checks and rules need."""
        def call(what, function, *args):
            try:
                return function(self.rmq_client, instance_id, group_id, *args)
            except Exception as exc:
                exc.gate_what = what
                raise

        settings = entry['checks'] if entry else {}
        rules = bool(entry and entry['rules'])
        connections = call('rmq_consumer_connection_info', self.rmq_queries.list_connections)
        lag = subscriptions = None
        if rules or any(enabled(settings.get(name)) for name, spec in CHECKS.items() if spec.reads in (LAG, SAMPLES)):
            lag = call('rmq_consumer_lag_info', self.rmq_queries.get_lag)
        if rules or settings.get('subscription_consistent'):
            subscriptions = call('rmq_consumer_subscription_info', self.rmq_queries.list_subscriptions)
        status = status_from_rmq(instance_id, group_id, connections, lag, subscriptions)
        status['rmq'] = {'lag': lag, 'subscriptions': subscriptions}
        return status

    def trace_job(self, message):
        key = ('trace', message['instance_id'], message['topic'], message['msg_id'])
        if generation(message['instance_id']) == GENERATION_5:
            return (key, 'rmq_trace_info', lambda: trace_from_rmq(self.rmq_queries.get_trace(
                self.rmq_client, message['instance_id'], message['topic'], message['msg_id'])))
        return (key, 'ons_trace_info',
                lambda: self.queries.query_trace(self.client, message['instance_id'], message['topic'], message['msg_id']))


def _listed_type(group, selector):
    """The type of a group a selection listed: the selection's, else the listing's, else TCP."""
    if selector['group_type']:
        return selector['group_type']
    listed = group.get('group_type')
    if isinstance(listed, str) and listed.lower() in GROUP_TYPES:
        return listed.lower()
    return DEFAULT_GROUP_TYPE


def resolve(entries, listings):
    """Return the groups to check, [(instance_id, group_id, entry, group_type)], and the verdicts of the selections.

    ``listings`` maps ('select', entry key) to the answer of list_groups or a Problem.
    """
    targets = []
    seen = set()
    for entry in entries:
        if entry['group_id'] is not None:
            targets.append((entry['instance_id'], entry['group_id'], entry, entry['group_type'] or DEFAULT_GROUP_TYPE))
            seen.add((entry['instance_id'], entry['group_id']))
    verdicts = []
    for entry in entries:
        selector = entry['select']
        if selector is None:
            continue
        allowed = SELECT_CHECK in entry['allow_inconclusive']
        expected = describe_selector(selector)

        def add(status, observed, offenders=None, reason=''):
            verdicts.append(verdict(HEALTH_SUITE, 'selection', entry['key'], entry['instance_id'], SELECT_CHECK, status,  # pylint: disable=cell-var-from-loop
                                    expected, observed, offenders, reason, allowed=allowed))  # pylint: disable=cell-var-from-loop

        answer = listings.get(('select', entry['key']), problem('the selection was not run'))
        if not isinstance(answer, Problem) and not isinstance((answer or {}).get('groups'), list):
            answer = problem('ons_group_info returned no answer that can be read')
        if isinstance(answer, Problem):
            add(outcome_of(answer), None, reason=answer + '; the groups it selects were not checked')
            continue
        chosen, unreadable = [], []
        for position, group in enumerate(answer['groups']):
            group_id = group.get('group_id') if isinstance(group, dict) else None
            if not isinstance(group_id, str) or not group_id:
                # A listed group the gate cannot name is a group it would silently not check.
                unreadable.append('entry %d: %s' % (position, short(group)))
                continue
            if group_id in selector['exclude'] or group_id in chosen:
                continue
            chosen.append(group_id)
            if (entry['instance_id'], group_id) not in seen:
                seen.add((entry['instance_id'], group_id))
                targets.append((entry['instance_id'], group_id, entry, _listed_type(group, selector)))
        if unreadable:
            add(INCONCLUSIVE, chosen, unreadable, 'ons_group_info listed %s without a readable group ID' % plural(len(unreadable), 'group'))
        elif chosen:
            add(PASSED, chosen, reason='selected %s' % plural(len(chosen), 'group'))
        else:
            add(FAILED, [], reason='no group of instance %s matches' % entry['instance_id'])
    return targets, verdicts


def lag_sample(status, seconds):
    """The lag figures of one status entry, taken ``seconds`` after the gate started."""
    topics = status.get('topics') if isinstance(status.get('topics'), list) else []
    return {
        'seconds': round(seconds, 3),
        'total_diff': status.get('total_diff'),
        'delay_time': status.get('delay_time'),
        'last_timestamp': status.get('last_timestamp'),
        'topics': [{key: topic.get(key) for key in ('topic', 'total_diff', 'delay_time', 'last_timestamp')}
                   for topic in topics if isinstance(topic, dict)],
    }


class Run:
    """One run of the gate over a plan (see gate_spec.gate_plan); ``run()`` returns its outcome."""

    def __init__(self, plan, facts, clock=None, progress=None, evaluate_condition=None):
        self.plan = plan
        self.facts = facts
        self.clock = clock or Clock()
        self.progress = progress or (lambda line: None)
        self.evaluate_condition = evaluate_condition
        self.samples = {}
        self.statuses = {}
        self.group_results = {}
        self.message_results = {}
        self.selection_verdicts = []
        self.targets = []
        self.answered = None
        self.attempts = 0
        self.started = None
        self.deadline = None

    def _elapsed(self):
        return self.clock.now() - self.started

    def _attempt(self, observing):
        """Read what is still needed and judge it; return every verdict of the attempt."""
        plan = self.plan
        jobs = [self.facts.select_job(entry) for entry in plan['groups'] if entry['select'] is not None]
        self.answered = None
        listings = self._gather(jobs)
        if jobs:
            self.answered = self.clock.now()
        targets, self.selection_verdicts = resolve(plan['groups'], listings)
        reading = []
        for target in targets:
            instance_id, group_id, entry, group_type = target
            settled = (instance_id, group_id) in self.group_results and not self.group_results[(instance_id, group_id)][1]
            if settled and not observing:
                continue
            reading.append(target)
        jobs = [self.facts.status_job(instance_id, group_id, entry) for instance_id, group_id, entry, group_type in reading
                if needs_status(entry, group_type)]
        messages = [message for message in plan['messages'] if self._message_open(message)]
        jobs += [self.facts.trace_job(message) for message in messages]
        answers = self._gather(jobs)
        if jobs and self.answered is None:
            self.answered = self.clock.now()
        seconds = self._elapsed()
        now_ms = int(self.clock.wall() * 1000)
        for instance_id, group_id, entry, group_type in reading:
            status = answers.get(('status', instance_id, group_id)) if needs_status(entry, group_type) else None
            samples = self.samples.setdefault((instance_id, group_id), [])
            if isinstance(status, dict) and not isinstance(status, Problem):
                status = plain(status)
                samples.append(lag_sample(status, seconds))
                self.statuses[(instance_id, group_id)] = status
            verdicts = group_verdicts(instance_id, group_id, entry, group_type, status, samples, now_ms, self.evaluate_condition)
            self._stamp(verdicts)
            self.group_results[(instance_id, group_id)] = (verdicts, any(item['blocking'] for item in verdicts))
        self._stamp(self.selection_verdicts)
        for message in messages:
            answer = answers.get(('trace', message['instance_id'], message['topic'], message['msg_id']))
            result = message_verdict(message, answer)
            self._stamp([result])
            self.message_results[message['key']] = result
        self.targets = targets
        return self.verdicts()

    def _message_open(self, message):
        result = self.message_results.get(message['key'])
        return result is None or result['blocking']

    def _stamp(self, verdicts):
        # The time the gate had run when it reached this verdict: a check's real time in the JUnit report.
        for item in verdicts:
            item['attempt'] = self.attempts
            item['seconds'] = round(self._elapsed(), 3)

    def verdicts(self):
        """Every verdict so far: selections, then each group's checks, then each message's."""
        found = list(self.selection_verdicts)
        for instance_id, group_id, _entry, _type in self.targets:
            found.extend(self.group_results.get((instance_id, group_id), ([], False))[0])
        found.extend(self.message_results[message['key']] for message in self.plan['messages']
                     if message['key'] in self.message_results)
        return found

    def run(self):
        """Make attempts until every check passes (and the observation is over) or the deadline; return the outcome.

        The outcome: ``verdicts``, ``runs`` (one per suite, as the report keeps them), ``attempts``,
        ``samples`` ({'instance_id/group_id': [...]}), ``facts`` (the last status of each group).
        """
        plan = self.plan
        self.started = self.clock.now()
        wait = max(plan['wait_timeout'], plan['observe_seconds'])
        still_observing = plan['observe_seconds'] > 0
        self.deadline = self.started + wait
        try:
            return self._attempts(wait, still_observing)
        finally:
            for client in self.facts.clients():
                client.bound_by(None)

    def _gather(self, jobs):
        """The answers of ``jobs`` (Facts.gather), their calls bounded by the deadline as the module docstring says."""
        if not jobs:
            return {}
        now = self.clock.now()
        calls = sum(self.facts.calls(job) for job in jobs)
        for client in self.facts.clients():
            interval = getattr(getattr(client, 'limiter', None), 'interval', 0) or 0
            timeout = getattr(client, 'timeout', 0) or 0
            needed = now + timeout + calls * interval
            if needed <= self.deadline:
                bound, what = self.deadline, "the gate's deadline (%s s after it started)" % (
                    _number(round(self.deadline - self.started, 1)))
            else:
                bound, what = needed, ("the gate's deadline for these reads (%s s after it started: the timeout of %ss "
                                       "and a turn at the rate limit for %s)" % (
                                           _number(round(needed - self.started, 1)), _number(timeout), plural(calls, 'call')))
            client.bound_by(bound, self.clock.now, what)
        return self.facts.gather(jobs)

    def _attempts(self, wait, still_observing):
        plan = self.plan
        while True:
            self.attempts += 1
            began = self.clock.now()
            # The attempt after the observation ended reads every group too: it closes the window
            # the trend checks judge (it starts after observe_seconds, so its own start never would).
            observing = still_observing
            verdicts = self._attempt(observing)
            blocking = [item for item in verdicts if item['blocking']]
            elapsed = self._elapsed()
            still_observing = elapsed < plan['observe_seconds']
            if not blocking and not still_observing:
                break
            # poll_interval from when this attempt's answers came: no subject is asked again sooner.
            pause = max(MIN_PAUSE, (self.answered or began) + plan['poll_interval'] - self.clock.now())
            if elapsed + pause > wait:
                if not still_observing:
                    break
                # The last sample of the observation is taken when it ends.
                pause = plan['observe_seconds'] - elapsed
            self.progress(self._progress_line(verdicts, blocking, elapsed, pause))
            self.clock.sleep(pause)
        return self._outcome()

    def _progress_line(self, verdicts, blocking, elapsed, pause):
        head = 'attempt %d at %d s' % (self.attempts, int(elapsed))
        if not blocking:
            return '%s: all %s pass; observing until %s s, next attempt in %d s' % (
                head, plural(len(verdicts), 'check'), _number(self.plan['observe_seconds']), int(round(pause)))
        shown = []
        for item in blocking[:PROGRESS_LISTED]:
            part = '%s %s %s' % (item['subject'], item['check'], item['status'])
            if item.get('observed') is not None and not isinstance(item['observed'], (dict, list)):
                part += ' (%s)' % item['observed']
            shown.append(part)
        more = ' and %d more' % (len(blocking) - PROGRESS_LISTED) if len(blocking) > PROGRESS_LISTED else ''
        return clean('%s: %d of %s not passing: %s%s; next attempt in %d s' % (
            head, len(blocking), plural(len(verdicts), 'check'), ', '.join(shown), more, int(round(pause))))

    def _outcome(self):
        plan = self.plan
        verdicts = self.verdicts()
        elapsed = round(self._elapsed(), 1)
        runs = []
        for suite, present in ((HEALTH_SUITE, bool(plan['groups'])), (DELIVERY_SUITE, bool(plan['messages']))):
            if not present:
                continue
            blocking = any(item['blocking'] for item in verdicts if item['suite'] == suite)
            runs.append({
                'suite': suite, 'attempts': self.attempts, 'elapsed_seconds': elapsed,
                'wait_timeout': float(plan['wait_timeout']), 'poll_interval': float(plan['poll_interval']),
                'observe_seconds': float(plan['observe_seconds']),
                'timed_out': bool(plan['wait_timeout']) and blocking, 'stopped': False,
            })
        return {
            'verdicts': verdicts,
            'runs': runs,
            'attempts': self.attempts,
            'samples': {'%s/%s' % key: value for key, value in self.samples.items()},
            'facts': {'%s/%s' % key: value for key, value in self.statuses.items()},
        }


def _number(value):
    return str(int(value)) if figure(value) and value == int(value) else str(value)
