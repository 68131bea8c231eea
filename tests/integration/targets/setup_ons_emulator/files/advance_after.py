# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Move the emulator's clock to the next step of its timeline once a client has read enough.

    python advance_after.py URL ACTION PARAM=VALUE READS [TIMEOUT]

Watches the emulator's request log (``GET URL/_emulator/requests``) until it holds READS answered
requests of ACTION whose parameter PARAM is VALUE (``GroupId=GID_orders``), then moves the clock
(``POST URL/_emulator/advance``) just past the next step of the scenario's timeline. A test
waiting for that step so sees it right after a given number of reads, however fast or slow the
machine, rather than after a number of seconds.
The emulator logs a request once its answer is made, before sending it: the step applies from
the next read on. Prints one line of JSON and exits 0 once it has moved the clock, or once the
timeline has reached that step by itself; exits 1 after TIMEOUT seconds (default 60) without
either, or when the scenario is replaced meanwhile.
"""

import json
import sys
import time
from urllib.request import Request, urlopen


def control(url, path, method='GET'):
    """Call the emulator's control endpoint; return the JSON answer."""
    request = Request(url.rstrip('/') + '/_emulator/' + path, data=b'' if method == 'POST' else None, method=method)
    with urlopen(request, timeout=10) as answer:
        return json.loads(answer.read().decode('utf-8'))


def main(argv):
    """Watch, then move the clock; return the exit status."""
    url, action, reads = argv[1], argv[2], int(argv[4])
    param, _sep, value = argv[3].partition('=')
    timeout = float(argv[5]) if len(argv) > 5 else 60.0
    state = control(url, 'state')
    timeline, step = state['timeline'], state['timeline_step']
    if step + 1 >= len(timeline):
        print(json.dumps({'advanced': False, 'why': 'the timeline has no step after step %d' % step}))
        return 1
    target_at = timeline[step + 1]['at']
    elapsed = state['elapsed_seconds']
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = control(url, 'state')
        # A new scenario restarts the clock.
        if state['timeline'] != timeline or state['elapsed_seconds'] < elapsed:
            print(json.dumps({'advanced': False, 'why': 'the scenario was replaced'}))
            return 1
        elapsed = state['elapsed_seconds']
        if state['timeline_step'] > step:
            print(json.dumps({'advanced': False, 'why': 'the timeline reached step %d by itself' % state['timeline_step']}))
            return 0
        log = control(url, 'requests?last=500')
        answered = [entry for entry in log['requests']
                    if entry.get('action') == action and entry.get('status') == 200 and not entry.get('code')
                    and (entry.get('params') or {}).get(param) == value]
        if len(answered) >= reads:
            moved = control(url, 'advance?seconds=%.3f' % (target_at - elapsed + 0.5), 'POST')
            print(json.dumps({'advanced': True, 'after_reads': len(answered), 'elapsed_seconds': moved.get('elapsed_seconds')}))
            return 0
        time.sleep(0.05)
    print(json.dumps({'advanced': False, 'why': 'fewer than %d answered reads of %s with %s in %s s' % (reads, action, argv[3], timeout)}))
    return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
