# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The time window of ons_dead_letter_info and rmq_dead_letter_info, read alike for 4.x and 5.x (module_utils/time_windows.py)."""

    DOCUMENTATION = r"""
options:
  begin_time:
    description:
      - Start of the window, included. Epoch milliseconds (V(1796637600000)), or an ISO 8601 time with a zone
        (V(2026-12-07T10:00:00Z), V(2026-12-07T18:00:00+08:00)); a time without a zone is refused, as it names no
        one moment.
      - When not set, the window starts O(lookback) seconds before O(end_time).
      - From 2000-01-01 to 2100-01-01, not after O(end_time), at most 30 days before it.
    type: raw
  end_time:
    description:
      - End of the window, included, in the forms of O(begin_time). Defaults to now.
    type: raw
  lookback:
    description:
      - Without O(begin_time), the length of the window in seconds, ending at O(end_time). From 1 to 2592000 (30 days).
    type: int
    default: 3600
"""
