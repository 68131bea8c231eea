# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The deployment gate's run: read the facts, judge every check, and wait until all pass or time runs out.

One run has one deadline for groups and messages together: ``max(wait_timeout, observe_seconds)``
after it started. Each attempt reads, concurrently within the client's rate limit, only what it
still needs: the selections, the status of every group not yet passing and the trace of every
message not yet consumed, each through the backend of its instance's API (gate_backends: one
OnsConsumerStatus with ``Detail`` for a 4.x group, up to three calls for a 5.x group), and beside
them the dead letters of every group whose ``max_dead_letters`` is set, stored from
``dead_letter_lookback`` seconds before the gate started until the attempt, and the trace of a 5.x
message among those stored from ``trace_lookback`` seconds before it started. A group or
message whose checks all passed is settled and not read again, except while ``observe_seconds``
has not passed: then every group is read at every attempt, so that the trend checks see its lag
over the whole window. An attempt starts ``poll_interval`` after the answers of the previous one
came (so that nothing is asked again sooner), and at least a second after the previous one ended;
none starts after the deadline.

The deadline bounds the attempts too, every call and every page of a listing (ApiClient.bound_by).
An attempt that started may still make the calls it needs: before each round of concurrent reads
the clients are bound to ``max(deadline, now + the client's timeout + a turn at its rate limit
for each call the round needs)`` (Job.calls, as the backends count them), so that the one attempt
of ``wait_timeout: 0`` reads every group, however many, while what could go on without end (a
listing's further pages, retries) stops there: a selection whose listing it cut short is
inconclusive, naming the deadline.

The clock is injected (``Clock``), so that tests can run a long wait without sleeping; the clients
read the deadline on the same clock.
"""

import time
from collections import namedtuple

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS, RMQ
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import backend_for, bind
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import (
    SELECT_CHECK,
    group_verdicts,
    message_verdict,
    needs_dead_letters,
    needs_status,
    wanted,
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
    several_instances,
    short,
    subject_name,
    verdict,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import (
    DEFAULT_GROUP_TYPE,
    DEFAULT_TRACE_LOOKBACK,
    GROUP_TYPES,
    describe_selector,
)

# How many subjects a progress line names before "and N more".
PROGRESS_LISTED = 4
# The shortest pause between two attempts, so that a slow attempt is not followed at once by another.
MIN_PAUSE = 1.0

# One read of an attempt: its ``key`` in the answers, ``what`` its error names, the ``function``
# that reads it, how many ``calls`` it makes at most (a listing's further pages aside), and the
# ``api`` it calls (the key of its apis.Api), whose operations are limited apart from the other's.
Job = namedtuple('Job', 'key what function calls api')


def interleaved(jobs):
    """``jobs`` in turns of their lanes (one of each lane, then the next of each ...), each lane's in order.

    A lane is the jobs of one kind (the first item of their ``key``: ``status``, ``dead_letters``,
    ``trace``, ``select``) on one API: they call the same operations, which the API limits apart
    from the others. The workers take the jobs in this order, so that the reads of every lane go
    side by side, each at its own rate limit, instead of one lane waiting for another's turns.
    """
    lanes = {}
    for job in jobs:
        lanes.setdefault((job.api, job.key[0]), []).append(job)
    queues = list(lanes.values())
    ordered = []
    for index in range(max((len(queue) for queue in queues), default=0)):
        ordered.extend(queue[index] for queue in queues if index < len(queue))
    return ordered


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
    """What the gate asks the APIs, through the functions the info modules use, by the backend of each instance.

    ``client`` with ``queries`` (module_utils.ons_queries) reads the 4.x instances, through ONS;
    ``rmq_client`` with ``rmq_queries`` (module_utils.rmq_queries) the 5.x ones (``rmq-...``). A
    client the plan's instances do not need may be None.
    """

    def __init__(self, client, queries, run_concurrently, rmq_client=None, rmq_queries=None, rmq_time_zone=None):
        """``run_concurrently(function, items)`` returns ``[(function(item), error)]`` in order (module_base.query_concurrently).

        ``rmq_time_zone`` is the zone the 5.x API's times are in (None: not known; see rmq_dead_letter_info).
        """
        self.run_concurrently = run_concurrently
        self.backends = bind({ONS.key: (client, queries), RMQ.key: (rmq_client, rmq_queries, rmq_time_zone)})

    def backend(self, instance_id):
        """The backend that reads ``instance_id`` (gate_backends.backend_for), with its client."""
        return backend_for(instance_id, self.backends)

    @staticmethod
    def calls(job):
        """How many calls ``job`` makes at most, a listing's further pages aside."""
        return job.calls

    def clients(self):
        """The API clients the facts are read with (each once), those that can be bound to a deadline."""
        found = []
        for backend in self.backends.values():
            client = backend.client
            if client is not None and hasattr(client, 'bound_by') and all(client is not other for other in found):
                found.append(client)
        return found

    def gather(self, jobs):
        """Run ``jobs`` (Job) concurrently; return {key: answer or Problem}."""
        def attempt(job):
            try:
                return job.function(), None
            except Exception as exc:  # pylint: disable=broad-except
                # An API error (OnsError, after the client's retries) or an answer that cannot be
                # read: either way, this subject's checks cannot be told. A job of several calls
                # says which one failed (gate_what).
                return None, (getattr(exc, 'gate_what', job.what), exc)

        answers = {}
        jobs = interleaved(jobs)
        # ``attempt`` never raises, so every outcome of run_concurrently is (outcome, None).
        for job, (outcome, _none) in zip(jobs, self.run_concurrently(attempt, jobs)):
            answer, error = outcome
            if error is not None:
                what, exc = error
                details = exc.to_dict() if hasattr(exc, 'to_dict') else None
                answers[job.key] = problem('%s failed: %s' % (what, clean(str(exc)) or type(exc).__name__), details)
            else:
                answers[job.key] = answer
        return answers

    def select_job(self, entry):
        """The Job that lists the groups of a selection (a plan entry with ``select``)."""
        backend = self.backend(entry['instance_id'])
        what, function = backend.select(entry['instance_id'], entry['select'])
        return Job(('select', entry['key']), what, function, 1, backend.api.key)

    def status_job(self, instance_id, group_id, entry=None):
        """The Job that reads a group's status, with what the checks and rules of ``entry`` read."""
        backend = self.backend(instance_id)
        what, function = backend.status(instance_id, group_id, wanted(entry))
        return Job(('status', instance_id, group_id), what, function, backend.status_calls, backend.api.key)

    def dead_letter_job(self, instance_id, group_id, entry, begin_ms, end_ms):
        """The Job that reads a group's dead letters stored from ``begin_ms`` to ``end_ms``: one more than its limit at most."""
        backend = self.backend(instance_id)
        what, function = backend.dead_letters(instance_id, group_id, begin_ms, end_ms, entry['checks']['max_dead_letters'] + 1)
        return Job(('dead_letters', instance_id, group_id), what, function, backend.dead_letter_calls, backend.api.key)

    def trace_job(self, message, begin_ms=None, end_ms=None):
        """The Job that reads the trace of a message of the plan, stored from ``begin_ms`` to ``end_ms`` (for an API that asks for a window)."""
        backend = self.backend(message['instance_id'])
        what, function = backend.trace(message['instance_id'], message['topic'], message['msg_id'], begin_ms, end_ms)
        return Job(('trace', message['instance_id'], message['topic'], message['msg_id']), what, function, 1, backend.api.key)


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
            add(outcome_of(answer), None, reason=answer.adding('; the groups it selects were not checked'))
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
        self.started_ms = None
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
        until_ms = int(self.clock.wall() * 1000)
        jobs += [self.facts.dead_letter_job(instance_id, group_id, entry, self.started_ms - int(entry['dead_letter_lookback'] * 1000),
                                            until_ms)
                 for instance_id, group_id, entry, group_type in reading if needs_dead_letters(entry)]
        messages = [message for message in plan['messages'] if self._message_open(message)]
        # A 5.x message is looked for among those stored from trace_lookback seconds before the gate
        # started until the attempt (GetTrace's window); ONS takes no window.
        jobs += [self.facts.trace_job(message, self.started_ms - int(message.get('trace_lookback', DEFAULT_TRACE_LOOKBACK) * 1000),
                                      until_ms)
                 for message in messages]
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
            verdicts = group_verdicts(instance_id, group_id, entry, group_type, status, samples, now_ms, self.evaluate_condition,
                                      answers.get(('dead_letters', instance_id, group_id)))
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
        self.started_ms = int(self.clock.wall() * 1000)
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
        # With groups or messages on several instances, each is named with its instance, as the report names it.
        several = several_instances(verdicts)
        for item in blocking[:PROGRESS_LISTED]:
            part = '%s %s %s' % (subject_name(item, several), item['check'], item['status'])
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
