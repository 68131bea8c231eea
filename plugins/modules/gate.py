#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: gate
short_description: Gate a deployment on the health of ApsaraMQ for RocketMQ consumer groups and the delivery of messages
version_added: 0.2.0
description:
  - Evaluates every check of every consumer group and message in one task on the controller, waiting
    inside the task until all pass or O(wait_timeout) runs out, and fails the task with one line per check
    that did not pass. The roles P(apsaramq.rocketmq.consumer_health#role) and P(apsaramq.rocketmq.message_delivery#role)
    and the playbook C(apsaramq.rocketmq.deployment_gate) are built on it.
  - The gate reads the API through the same code as the info modules, so a group's facts are exactly
    what M(apsaramq.rocketmq.ons_consumer_status_info) returns with O(apsaramq.rocketmq.ons_consumer_status_info#module:detail=true),
    so a condition prototyped with that module works unchanged in a rule's C(that). One call of
    C(OnsConsumerStatus) per group and attempt gives its clients, lag and delay; the gate never also asks
    C(OnsConsumerAccumulate) for the same figures. Selections are read with C(OnsGroupList) (as
    M(apsaramq.rocketmq.ons_group_info)), messages with C(OnsMessageTrace) (as M(apsaramq.rocketmq.ons_trace_info)).
  - Each instance's API is chosen by its ID. A 4.x instance (C(MQ_INST_...)) is read through ONS; a 5.x
    instance (C(rmq-...)) through the RocketMQ 2022-08-01 API, as the C(rmq_*) modules read it - its
    connections, and its lag and subscriptions when a check or rule needs them. The built-in checks mean
    the same on both (lag is ready plus inflight messages, delay is the delivery duration, progress the last
    consume time); C(rebalance_ok) has no meaning on 5.x and is reported C(not_applicable). One gate can check
    both legs of a 4.x to 5.x migration.
  - All queries of an attempt share one connection per API and run concurrently within O(rate_limit). A group or
    message whose checks all passed is not read again (but every group is, while O(observe_seconds) lasts).
  - The gate fails closed. A check whose facts could not be read (an API error after the retries, an
    answer that cannot be parsed) is C(inconclusive), which fails the gate unless the check is listed in
    C(allow_inconclusive). A group or message the API says does not exist fails. A gate that evaluated
    no check fails. Bad input fails before the first API call, naming where it is; a number of any size or
    length too (as an int, a float or text), which the error shows shortened, its first digits and how
    many there are, such as C(1000…) and C(401 digits).
  - Each attempt that does not pass prints one progress line saying what still does not pass. At the end
    the task prints a short summary (at C(-v), one line per group and message) and writes the reports.
author:
  - apsaramq.rocketmq contributors (@apsaramq)
options:
  groups:
    description:
      - The consumer groups to check. Each item has C(group_id) (one group) or C(select) (the groups an
        M(apsaramq.rocketmq.ons_group_info) listing chooses, with keys C(group_id) (part of the ID), C(group_type)
        (V(tcp) or V(http); every type when left out), C(tags) and C(exclude) (IDs to leave out)).
      - Optionally C(instance_id) (default O(group_defaults.instance_id), else O(instance_id)), C(group_type)
        for a group named by C(group_id) (V(tcp), the default, or V(http)), C(rules), C(allow_inconclusive),
        and any built-in check of O(group_defaults) to override it for this group (V(null) turns it off).
      - Leave O(groups) out to check only messages; an empty list is an error.
    type: list
    elements: raw
  group_defaults:
    description:
      - The settings of every group that does not set its own.
    type: dict
    suboptions:
      instance_id:
        description: The instance of the groups that do not name one.
        type: str
      min_consumers:
        description: At least this many clients are online. An HTTP group has no clients to count (not applicable).
        type: int
        default: 1
      max_consumers:
        description: At most this many clients are online.
        type: int
      min_version:
        description:
          - Every client runs this RocketMQ version or later (C(V4_9_4), C(4.9.4); a snapshot is below its release).
          - A client whose version cannot be ordered (no version name, or longer than any, such as 5000 digits) makes
            this check inconclusive for its group, naming the client; the group's other checks are judged all the same.
        type: str
      uniform_version:
        description: Every client runs one version (a finished rollout).
        type: bool
        default: false
      allowed_languages:
        description: Every client's language is in this list (such as C(JAVA), C(GO)).
        type: list
        elements: str
      message_model:
        description: The group consumes in this mode.
        type: str
        choices: [CLUSTERING, BROADCASTING]
      unique_client_ids:
        description: No two clients report one client ID.
        type: bool
        default: true
      subscription_consistent:
        description: Every client subscribes the same topics and tag expressions.
        type: bool
        default: true
      rebalance_ok:
        description: The broker reports the queues balanced across the clients.
        type: bool
        default: false
      max_lag:
        description: At most this many messages are not consumed yet (C(total_diff)).
        type: int
      max_delay_seconds:
        description: The group is at most this many seconds behind (C(delay_time)).
        type: float
      require_progress:
        description:
          - A trend check over the samples the gate takes while it waits. A topic whose messages wait at every
            sample while its last consume time does not move is STALLED, and the check fails naming the topic and
            how long it has not moved. Lag 0 passes. With one sample and messages waiting the check is
            inconclusive, so that the gate takes another; set O(wait_timeout) or O(observe_seconds).
        type: bool
        default: false
      lag_trend:
        description:
          - A trend check. A lag that grew from every sample to the next, over three samples or more, fails as
            FALLING BEHIND, even under O(group_defaults.max_lag). Lag 0, or a lag that fell or held once, passes.
            With fewer samples and a growing lag it is inconclusive, so that the gate takes another.
        type: bool
        default: false
      max_failed_percent:
        description:
          - 'Did the release work? The clients of the group, and the clients of each client version on their own, fail
            at most this share of the messages they process, in percent (C(FailedTps) of C(OkTps) plus C(FailedTps)
            over the last minute, from the per-client figures of C(OnsConsumerStatus) with C(Detail),
            C(clients[].running_data) of M(apsaramq.rocketmq.ons_consumer_status_info)). A version whose clients fail
            more fails the check even when older clients hide it in the group''s total; the line names each version
            with its share and clients, such as C(V4_9_7: 90% failed on 2 clients; V4_9_4: 0% on 2).'
          - A group whose clients consumed and failed nothing in the last minute is V(not_applicable) (there is
            nothing to judge), and so is a group with no client online (O(group_defaults.min_consumers) fails it).
            A client whose figures cannot be read makes the check inconclusive, naming it.
          - On by default; V(null) turns it off. 4.x only; on a 5.x group, whose API gives no per-client figures, it
            is V(not_applicable); set O(group_defaults.max_dead_letters), O(group_defaults.max_delay_seconds) and
            trace messages instead.
        type: float
        default: 10
      canary_max_rt_ratio:
        description:
          - A canary check. The clients of the newest version in the group (the highest version name) take at most
            this many times as long per message (C(Rt), weighted by what each client processed) as the clients of
            every other version together, such as V(1.5). Off by default.
          - V(not_applicable) when every client runs one version (no canary), when a side consumed nothing in the
            last minute, and on a 5.x group (no per-client figures); inconclusive when no version can be ordered.
        type: float
      canary_min_tps_ratio:
        description:
          - A canary check. The clients of the newest version consume at least this share of the messages per
            second per client (C(OkTps)) of the clients of every other version, such as V(0.5). Off by default.
          - V(not_applicable) as for O(group_defaults.canary_max_rt_ratio).
        type: float
      max_dead_letters:
        description:
          - At most this many of the group's messages reached its dead-letter queue from
            O(group_defaults.dead_letter_lookback) seconds before the gate started until its last attempt - messages
            the consumers failed until RocketMQ gave up on them. V(0) fails on one. Off by default; up to V(2000).
          - 4.x reads C(OnsDLQMessagePageQueryByGroupId) (as M(apsaramq.rocketmq.ons_dead_letter_info)); 5.x reads the
            group's dead-letter topic (C(GetConsumerGroup), once) and the messages stored in it (C(ListMessages), as
            M(apsaramq.rocketmq.rmq_dead_letter_info)). A 5.x group without a dead-letter topic is V(not_applicable).
          - The gate reads one more dead letter than the limit at most, beside the status reads (each operation at its
            own rate limit). The 5.x API gives its times without a zone; see O(rmq_time_zone).
        type: int
      dead_letter_lookback:
        description:
          - How many seconds before the gate started O(group_defaults.max_dead_letters) starts counting dead letters;
            a dead letter stored earlier does not count. Up to 30 days.
        type: float
        default: 3600
      rules:
        description:
          - Custom checks of every group (a group's own C(rules) are added to them). Each has a C(name) of its
            own and either C(query), a JMESPath expression over the group's facts whose result must equal
            C(expect) (default V(true); booleans only equal booleans; a list expected empty names its items as
            offenders), or C(that), a list of Jinja conditions over the facts, written as for
            M(ansible.builtin.assert) (without C({{ }})), all of which must be true, with an optional
            C(fail_msg) and C(success_msg). C(allow_inconclusive) lets the rule pass the gate while inconclusive.
          - C(fail_msg) and C(success_msg) are templates over the same facts, as the C(msg) of M(ansible.builtin.assert)
            is over variables (C({{ group_id }} has {{ summary.count }} clients)); the facts are data, never rendered
            themselves. Ansible renders the templates of a task or a variable before the gate sees them, so a message
            over the facts is written with the YAML tag C(!unsafe), which leaves it to the gate. A message that does
            not parse is refused before the first API call; one that cannot be rendered (a fact the API did not give)
            is shown as written, with why. Because a message marked C(!unsafe) may come from anyone who can set a
            variable, the gate renders it in Jinja's sandbox, with Jinja's own filters and tests and no lookup.
          - A condition is code. As M(ansible.builtin.assert) does, the gate runs only one Ansible trusts as a
            template, written in a playbook, a role or a vars file; on ansible-core 2.19 and later, which tell a
            trusted template from data, one marked C(!unsafe) (as AWX marks the answers given at launch) is refused
            before the first API call.
          - The facts are C(status) (the group's entry of M(apsaramq.rocketmq.ons_consumer_status_info) with
            C(detail=true)), C(connections) (its connections), C(summary) (the
            P(apsaramq.rocketmq.connection_summary#filter) of them), C(accumulate) (the lag figures of the same
            answer, keyed as M(apsaramq.rocketmq.ons_consumer_accumulate_info) returns them), C(samples) (the lag
            at each attempt so far, with C(seconds), C(total_diff), C(delay_time), C(last_timestamp), C(topics)),
            C(dead_letters) (the group's entry of M(apsaramq.rocketmq.ons_dead_letter_info) or
            M(apsaramq.rocketmq.rmq_dead_letter_info) over the window of O(group_defaults.dead_letter_lookback), read only
            when O(group_defaults.max_dead_letters) is set, else V(null)), C(group_id), C(group_type) and C(instance_id).
          - For a group of a 5.x instance, C(connections) are the entries of M(apsaramq.rocketmq.rmq_consumer_connection_info)
            (with C(client_addr), the client's egress IP), C(lag) and C(subscriptions) those of
            M(apsaramq.rocketmq.rmq_consumer_lag_info) and M(apsaramq.rocketmq.rmq_consumer_subscription_info), and
            C(status) the same view of them as the built-in checks read (lag in C(total_diff), delay in C(delay_time)).
        type: list
        elements: dict
      allow_inconclusive:
        description: Checks (built-in names, rule names, C(select)) whose inconclusive outcome does not fail the gate.
        type: list
        elements: str
  messages:
    description:
      - The messages to check. Each item has C(topic) and C(msg_id), and optionally C(instance_id),
        C(expect_consumed_by), C(allow_filtered), C(allow_inconclusive) and C(trace_lookback) to override
        O(message_defaults).
      - A message passes when every expected group consumed it (its trace has a C(CONSUMED) track for the
        group). Leave O(messages) out to check only groups; an empty list is an error.
      - 'On a 5.x instance the consume status C(SUCCESS) (the word of the API''s published examples) or C(CONSUME_SUCCESS)
        is consumed; C(FAILED), C(CONSUME_FAILED), C(NOT_CONSUMED) and a dead letter fail, naming the group; any other
        status is inconclusive, naming it. A scheduled message whose delivery time has not come is inconclusive:
        C(scheduled for <time>, not due).'
    type: list
    elements: raw
  message_defaults:
    description: The settings of every message that does not set its own.
    type: dict
    suboptions:
      instance_id:
        description: The instance of the messages that do not name one.
        type: str
      expect_consumed_by:
        description: The groups that must have consumed each message; V(null) expects every group that tracks it.
        type: list
        elements: str
      allow_filtered:
        description: Whether C(CONSUMED_BUT_FILTERED) (the group's tag filter dropped it) counts as consumed.
        type: bool
        default: true
      allow_inconclusive:
        description: Whether a message whose trace cannot tell passes the gate while inconclusive.
        type: bool
        default: false
      trace_lookback:
        description:
          - For a message of a 5.x instance, how many seconds before the gate started it was stored at the earliest
            (C(startTime) of C(GetTrace), which ends at each attempt), from V(1) to V(2592000). A message stored
            earlier is not found. The API's own default window, used when none is sent, is not published.
          - ONS traces a 4.x message without a window.
        type: float
        default: 604800
  instance_id:
    description: The instance of the groups and messages that name none (after O(group_defaults.instance_id)
      and O(message_defaults.instance_id)).
    type: str
  wait_timeout:
    description:
      - Check again until every check passes or this many seconds have passed since the task started
        (0 to 86400; V(0) checks once). One deadline for groups and messages together.
    type: float
    default: 0
  poll_interval:
    description:
      - Seconds between the starts of two attempts (1 to 3600). An attempt starts at least a second after the
        previous one ended, and none starts after the deadline.
    type: float
    default: 10
  observe_seconds:
    description:
      - Watch the groups for at least this many seconds before passing (0 to 86400), reading every group at
        every attempt, so that the trend checks judge a deployment that consumes for a while. The deadline is
        the later of O(wait_timeout) and O(observe_seconds).
    type: float
    default: 0
  name:
    description: The gate's name in the reports and the summary; a plain file name.
    type: str
    default: deployment_gate
  report_dir:
    description:
      - The directory of the reports (on the controller, made when missing). The JSON report is written to
        C(<report_dir>/<name>.json) and the JUnit report to C(<report_dir>/<name>-junit.xml), O(name) being the
        gate's name; O(report_json) and O(report_junit) win over it when given.
      - Without it, only the reports given by O(report_json) and O(report_junit) are written.
    type: path
  report_json:
    description:
      - Write the JSON report here (on the controller), also in check mode. Its schema is documented in the
        gate guide; RV(report) holds the same data.
      - Default C(<report_dir>/<name>.json) when O(report_dir) is set, else no JSON report.
      - It must be another file than O(report_junit) (symbolic links resolved); one file for both fails the task
        before the first API call, naming both options.
      - A report that cannot be written (its directory cannot be made, it is a directory, no file can be created
        there) stops the gate before its first API call with an inconclusive check C(run) naming the option, the
        path and the system's reason; the other report is still written. One that fails to be written at the end
        makes the run inconclusive the same way.
    type: path
  report_junit:
    description:
      - Write the JUnit XML report here (on the controller); each check is a test case with its real time.
      - Default C(<report_dir>/<name>-junit.xml) when O(report_dir) is set, else no JUnit report.
      - Another file than O(report_json); a report that cannot be written is reported as for O(report_json).
    type: path
  notes:
    description: Lines the report and the summary carry as they are.
    type: list
    elements: str
    default: []
  fail:
    description:
      - Whether the task fails when the gate does not pass. With V(false) the task returns the verdicts and the
        caller decides (RV(passed)), for example with an M(ansible.builtin.fail) task whose message is the first
        line of RV(msg) (the task has printed the others).
    type: bool
    default: true
  input_names:
    description:
      - How error messages name the inputs, for roles and playbooks that pass their own variables through.
        Keys C(groups), C(messages), C(instance_id), C(wait_timeout), C(poll_interval), C(observe_seconds),
        C(name), C(report_dir) take the variable's name; C(group_defaults) and C(message_defaults) a prefix such as
        C(consumer_health_) put before each setting's name.
    type: dict
    default: {}
  variables:
    description:
      - The variables of the playbook C(apsaramq.rocketmq.deployment_gate) by name (C(consumer_health_*),
        C(message_delivery_*), C(gate_report_*), C(ons_*), C(rmq_*)), as that playbook and the gate guide document them.
        The task takes its groups, messages, defaults, waits, reports, notes, connection and O(fail) from them,
        and every error names the variable.
      - Every other variable defined where the task runs whose name looks like one of the gate's but is none (a
        misspelling such as C(consumer_health_max_lagg)) stops the gate before its first API call, naming the
        variable it nearly is; the reports say so.
      - Not together with the options it sets (O(groups), O(group_defaults), O(messages), O(message_defaults),
        O(instance_id), O(wait_timeout), O(poll_interval), O(observe_seconds), O(name), O(report_dir),
        O(report_json), O(report_junit), O(notes), O(fail), O(input_names)). A connection variable that is set
        wins over the connection option.
    type: dict
  set_stats:
    description:
      - Publish the outcome as M(ansible.builtin.set_stats) does, under the custom stat C(apsaramq_rocketmq_gate), by the
        gate's O(name) - C(result), C(passed), C(counts), C(failures) (the lines of RV(failures)), C(report_files)
        and C(finished) - so that AWX and Automation Platform keep it as the job's artifacts (a workflow's next nodes
        get it as C(apsaramq_rocketmq_gate)), and C(ANSIBLE_SHOW_CUSTOM_STATS=true) prints it at the end of the play.
      - Several gates in one play each add their own entry.
      - ansible-core records the stats of a task that does not fail only; a gate that fails the task (O(fail)) publishes
        nothing. To let a workflow branch on the outcome, run the gate with O(fail=false) (the playbook's
        C(gate_report_fail=false)) and branch on C(apsaramq_rocketmq_gate.<name>.passed).
    type: bool
    default: true
  rmq_endpoint:
    description:
      - The endpoint of the RocketMQ 5.x management API (product C(RocketMQ), 2022-08-01) for the groups and
        messages of 5.x instances (IDs C(rmq-...)), such as C(https://rocketmq.cn-hangzhou.aliyuncs.com).
      - Default C(rocketmq.<region>.aliyuncs.com) (C(rocketmq-vpc...) with O(network=vpc)). O(endpoint) is the
        ONS endpoint, for 4.x instances; credentials, region and transport options serve both.
    type: str
  rmq_region:
    description: The region of the 5.x instances, when it is not O(region).
    type: str
  rmq_time_zone:
    description:
      - The zone of the times of the RocketMQ 5.x API, as an offset such as V(+08:00), or V(UTC). The API writes times
        as C(YYYY-MM-DD HH:mm:ss) without a zone and does not publish which one it means.
      - Unset, the gate asks for the dead letters of a window widened by the widest offsets (12 hours before, 14 after)
        and counts a dead letter whose store time could be in the window in any zone, so that none is missed; a
        letter stored up to 14 hours before the window may then count. Set, the window is exact.
      - The same holds for the window of a 5.x message's trace (O(message_defaults.trace_lookback)). Whether a
        scheduled message is due is told by its delivery time read in this zone; unset, a delivery time within the
        widest offsets of now is C(perhaps not due).
    type: str
requirements:
  - jmespath, for rules with a C(query)
extends_documentation_fragment:
  - apsaramq.rocketmq.ons
  - apsaramq.rocketmq.credentials
notes:
  - The API allows 10 calls per second per account for C(OnsConsumerStatus), C(OnsMessageTrace) and
    C(OnsGroupList); the gate keeps within O(rate_limit) for the whole wait. A gate over N groups that pass at
    once costs N calls (plus 2 per selection), about N / 10 seconds.
  - The RAM actions the gate needs on a 4.x instance are C(mq:QueryConsumerStatus), C(mq:ListGroup) (for
    C(select)) and C(mq:QueryMessageTrace) (for messages), with the associated instance actions; on a 5.x
    instance C(rocketmq:ListConsumerConnections), C(rocketmq:GetConsumerGroupLag),
    C(rocketmq:ListConsumerGroupSubscriptions), C(rocketmq:ListConsumerGroups) (for C(select)) and
    C(rocketmq:GetTrace) (for messages). O(group_defaults.max_dead_letters) also needs the action of
    C(OnsDLQMessagePageQueryByGroupId) on 4.x, and C(rocketmq:GetConsumerGroup) and C(rocketmq:ListMessages) (on the
    dead-letter topic) on 5.x. The gate guide gives the policies.
attributes:
  action:
    description: Runs on the controller as an action plugin.
    support: full
  async:
    description: Whether the task can run asynchronously.
    support: none
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The gate only reads from the API; check mode runs it as usual and writes the reports.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing) when in diff mode.
    support: none
  action_group:
    description: Use C(group/apsaramq.rocketmq.ons) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - apsaramq.rocketmq.ons
seealso:
  - module: apsaramq.rocketmq.ons_consumer_status_info
  - module: apsaramq.rocketmq.ons_trace_info
  - module: apsaramq.rocketmq.ons_group_info
"""

EXAMPLES = r"""
- name: Gate the release on its consumers, waiting up to five minutes for the rollout
  apsaramq.rocketmq.gate:
    region: cn-hangzhou
    instance_id: MQ_INST_1234567890_DEMO
    groups:
      - group_id: GID_orders
        min_consumers: 4
        min_version: V5_1_0
        uniform_version: true
      - select: {tags: {app: billing}}
    group_defaults:
      max_lag: 1000
      require_progress: true
      rules:
        - name: consuming
          that:
            - status.consume_tps > 0 or status.total_diff == 0
          fail_msg: the group has messages waiting and consumes nothing
    wait_timeout: 300
    poll_interval: 15
    # reports/deployment_gate.json and reports/deployment_gate-junit.xml
    report_dir: reports

- name: Watch a new deployment consume for two minutes before passing
  apsaramq.rocketmq.gate:
    instance_id: MQ_INST_1234567890_DEMO
    groups:
      - group_id: GID_orders
        lag_trend: true
        require_progress: true
    observe_seconds: 120
    poll_interval: 20

- name: Did the release work? Fail a canary version that fails its messages or is slow, and any dead letter
  apsaramq.rocketmq.gate:
    instance_id: MQ_INST_1234567890_DEMO
    groups:
      - group_id: GID_orders
    group_defaults:
      max_failed_percent: 5
      canary_max_rt_ratio: 1.5
      canary_min_tps_ratio: 0.5
      max_dead_letters: 0
      dead_letter_lookback: 1800

- name: Check that a canary message was consumed, and decide later
  apsaramq.rocketmq.gate:
    instance_id: MQ_INST_1234567890_DEMO
    messages:
      - topic: orders
        msg_id: 0A0B0C0D00002A9F0000000000000001
        expect_consumed_by: [GID_orders]
    wait_timeout: 60
    fail: false
  register: canary
"""

RETURN = r"""
passed:
  description: Whether the gate passed.
  returned: always
  type: bool
  sample: false
result:
  description: V(passed) or V(failed).
  returned: always
  type: str
  sample: failed
counts:
  description: How many checks were evaluated, by status, and how many block the gate.
  returned: always
  type: dict
  sample: {checks: 12, passed: 10, failed: 1, inconclusive: 1, not_applicable: 0, blocking: 2}
report_files:
  description: The reports written, by kind (C(JSON), C(JUnit)), as absolute paths.
  returned: always
  type: dict
  sample: {JSON: /builds/app/reports/deployment_gate.json}
msg:
  description:
    - One line saying whether the gate passed; when it did not, followed by one line per check that did not pass.
      A cause of the run that left checks untold (credentials, the clock, permissions, throttling, the endpoint)
      is one line for all of them, first, with its fix; the checks of one subject that one missing answer left
      untold (a group that does not exist) are one line.
    - The task prints the same lines at the end of its summary, each once. When the task fails (O(fail)), this
      message is the first line alone, because a failed task's message is printed again (twice from ansible-core
      2.19 on); the lines are in the reports.
  returned: always
  type: str
  sample: "deployment_gate failed: 1 of 12 checks did not pass"
failures:
  description: The lines of RV(msg) after its first, one per check that blocks the gate or per cause shared by several.
  returned: when the task does not fail
  type: list
  elements: str
  sample: ["GID_orders min_consumers FAILED: expected >= 2, observed 1; 1 client online, 2 needed"]
report:
  description:
    - The JSON report, as written to O(report_json) - C(gate), C(result), C(started), C(finished), C(counts),
      C(runs), C(notes), C(failures) and C(checks), one verdict per subject and check with C(suite), C(kind),
      C(subject), C(instance_id), C(check), C(status), C(blocking), C(expected), C(observed), C(offenders),
      C(reason), C(cause) (V(null), or C(kind), C(code) and C(fix) when an error that says nothing of the
      subject, such as a wrong AccessKey ID, left the check untold), C(attempt) and C(seconds) (how long the
      gate had run when it reached the verdict).
  returned: when the task does not fail
  type: dict
  sample:
    gate: deployment_gate
    result: passed
    counts: {checks: 3, passed: 3, failed: 0, inconclusive: 0, not_applicable: 0, blocking: 0}
    runs: [{suite: consumer_health, attempts: 1, elapsed_seconds: 0.4, wait_timeout: 0.0, poll_interval: 10.0,
            observe_seconds: 0.0, timed_out: false, stopped: false}]
    checks:
      - {suite: consumer_health, kind: group, subject: GID_orders, instance_id: MQ_INST_1234567890_DEMO,
         check: min_consumers, status: passed, blocking: false, expected: ">= 1", observed: 3, offenders: [],
         reason: "", cause: null, group_type: tcp, attempt: 1, seconds: 0.4}
ansible_stats:
  description:
    - The custom stats the task publishes (O(set_stats)), as M(ansible.builtin.set_stats) returns them - C(data) holds
      C(apsaramq_rocketmq_gate), a dict by the gate's name of C(result), C(passed), C(counts), C(failures),
      C(report_files) and C(finished); C(per_host) is V(false) and C(aggregate) V(true).
  returned: when the task does not fail and O(set_stats) is true
  type: dict
  sample:
    data:
      apsaramq_rocketmq_gate:
        deployment_gate: {result: failed, passed: false, counts: {checks: 12, blocking: 1}, failures: ["GID_orders ..."]}
    per_host: false
    aggregate: true
samples:
  description: The lag of each group at each attempt, by C(<instance_id>/<group_id>), as the trend checks read it.
  returned: when the task does not fail
  type: dict
  sample:
    MQ_INST_1234567890_DEMO/GID_orders:
      - {seconds: 0.2, total_diff: 120, delay_time: 4000, last_timestamp: 1767225600000, topics: []}
"""
