# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""Time windows and zones, as the dead-letter modules of both APIs, rmq_trace_info and the gate take them.

A window is a pair of epoch milliseconds; the options that give it (``begin_time``,
``end_time``, ``lookback``) are read the same way for 4.x and 5.x. A zone is an offset from UTC
in minutes, for an API whose times carry none (the 5.x API: rmq_queries).
"""

import re
import time
from datetime import datetime, timedelta, timezone

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.response import DEFAULT_LATEST_MS, EARLIEST_MS

# The windows of the *_dead_letter_info modules: one hour before the end by default, 30 days at
# most (4.x keeps its dead letters 3 days, 5.x its messages 3 to 7 by default; a longer window is
# more likely a mistaken option than a retention someone set).
DEFAULT_LOOKBACK = 3600
MAX_WINDOW_SECONDS = 30 * 24 * 3600
# The options of the window, as both modules take them (doc fragment apsaramq.rocketmq.dead_letters).
WINDOW_OPTIONS = dict(
    begin_time=dict(type="raw"),
    end_time=dict(type="raw"),
    lookback=dict(type="int", default=DEFAULT_LOOKBACK),
)
# The window of rmq_trace_info and of the gate's 5.x messages (GetTrace's startTime and endTime):
# a week before the end by default, the longest default retention of 5.x messages, so that a
# message the instance still keeps is found whatever the API's own default window (not published).
TRACE_LOOKBACK = 7 * 24 * 3600
TRACE_WINDOW_OPTIONS = dict(WINDOW_OPTIONS, lookback=dict(type="int", default=TRACE_LOOKBACK))
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The zones in use, from UTC-12:00 to UTC+14:00: what an unknown zone may be.
WESTMOST_OFFSET = -12 * 60
EASTMOST_OFFSET = 14 * 60
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def iso_time(ms):
    """Epoch milliseconds as an ISO 8601 time in UTC, for messages: ``2026-12-07T10:00:00.000Z``."""
    return (EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(option, value):
    """Return option ``option``'s time ``value`` in epoch milliseconds.

    ``value`` is epoch milliseconds (a whole number, or its digits as text), or an ISO 8601 time with
    a zone (``2026-12-07T10:00:00Z``, ``2026-12-07 18:00:00.250+08:00``). Raises ValueError naming
    the option, the problem and what is accepted: a time without a zone, or one before 2000 or from
    2100 on (epoch seconds given for milliseconds among them).
    """
    accepted = ("use epoch milliseconds or an ISO 8601 time with a zone, such as 2026-12-07T10:00:00Z or "
                "2026-12-07T18:00:00+08:00")
    text = value.strip() if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        ms = value
    elif text and text.isdigit():
        ms = int(text)
    elif text:
        # Python before 3.11 does not read the zone "Z".
        if text[-1] in "Zz":
            text = text[:-1] + "+00:00"
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("%s %r is not a time: %s" % (option, value, accepted))
        if when.tzinfo is None:
            raise ValueError("%s %r has no zone, so it names no one moment: add Z (UTC) or an offset such as +08:00"
                             % (option, value))
        ms = (when - EPOCH) // timedelta(milliseconds=1)
    else:
        raise ValueError("%s %r is not a time: %s" % (option, value, accepted))
    if not EARLIEST_MS <= ms < DEFAULT_LATEST_MS:
        raise ValueError("%s %r is not a plausible time: use one from 2000-01-01 to 2100-01-01 (epoch milliseconds, "
                         "not seconds)" % (option, value))
    return ms


def time_window(begin_time=None, end_time=None, lookback=DEFAULT_LOOKBACK, now_ms=None):
    """Return ``(begin_ms, end_ms)``, the window of the options ``begin_time``, ``end_time`` and ``lookback``.

    ``end_time`` defaults to ``now_ms`` (the current time when None); ``begin_time`` to
    ``lookback`` seconds before the end (from 1 to MAX_WINDOW_SECONDS). Both are read by
    parse_time. Raises ValueError naming the option: a begin after the end, or a window longer
    than MAX_WINDOW_SECONDS.
    """
    if end_time is not None:
        end_ms = parse_time("end_time", end_time)
    else:
        end_ms = int(time.time() * 1000) if now_ms is None else now_ms
    limit = "from 1 to %d (30 days)" % MAX_WINDOW_SECONDS
    if begin_time is not None:
        begin_ms = parse_time("begin_time", begin_time)
    elif isinstance(lookback, bool) or not isinstance(lookback, int) or not 1 <= lookback <= MAX_WINDOW_SECONDS:
        raise ValueError("lookback %r is not valid: use whole seconds %s" % (lookback, limit))
    else:
        begin_ms = end_ms - lookback * 1000
    end_said = "end_time %s" % iso_time(end_ms) if end_time is not None else "the end, now (%s)" % iso_time(end_ms)
    if begin_ms > end_ms:
        raise ValueError("begin_time %s is after %s: use a begin_time before the end" % (iso_time(begin_ms), end_said))
    if end_ms - begin_ms > MAX_WINDOW_SECONDS * 1000:
        raise ValueError("the window from begin_time %s to %s is longer than %d seconds (30 days): narrow it" % (
            iso_time(begin_ms), end_said, MAX_WINDOW_SECONDS))
    return begin_ms, end_ms


def check_window(begin_ms, end_ms, enough=None):
    """Raise ValueError unless ``begin_ms`` <= ``end_ms`` are epoch milliseconds and ``enough`` None or a count."""
    for name, value in (("begin_ms", begin_ms), ("end_ms", end_ms)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("%s %r is not a time in epoch milliseconds: use a whole number" % (name, value))
    if begin_ms > end_ms:
        raise ValueError("begin_ms %d is after end_ms %d: the window must not end before it begins" % (begin_ms, end_ms))
    if enough is not None and (isinstance(enough, bool) or not isinstance(enough, int) or enough < 0):
        raise ValueError("enough %r is not valid: use None or a whole number from 0" % (enough,))


def parse_time_zone(text, what="time_zone"):
    """Return the offset from UTC, in minutes, of the zone ``text``: ``+08:00``, ``-05:30``, ``Z`` or ``UTC``.

    Raises ValueError naming ``what`` (the option or variable) for anything else, or an offset outside the zones in
    use (UTC-12:00 to UTC+14:00).
    """
    accepted = "use an offset from UTC such as +08:00 or -05:30 (from -12:00 to +14:00), Z or UTC"
    if not isinstance(text, str):
        raise ValueError("%s %r is not a zone: %s" % (what, text, accepted))
    if text.strip().upper() in ("Z", "UTC"):
        return 0
    match = _OFFSET.fullmatch(text.strip())
    if not match or int(match.group(3)) > 59:
        raise ValueError("%s %r is not a zone: %s" % (what, text, accepted))
    minutes = (1 if match.group(1) == "+" else -1) * (int(match.group(2)) * 60 + int(match.group(3)))
    if not WESTMOST_OFFSET <= minutes <= EASTMOST_OFFSET:
        raise ValueError("%s %r is no zone in use: %s" % (what, text, accepted))
    return minutes
