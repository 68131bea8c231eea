#!/usr/bin/env python
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Signed requests per second the ONS emulator serves on loopback.

Starts ``python -m emulator`` (healthy scenario, no request limit) in its own process, then
runs client processes x threads, each with one keep-alive connection, signing every request
for real (V3 by default) and cycling through a mix of operations. Prints the throughput and
latency percentiles. Run from the repository root:

    .venv/bin/python benchmarks/emulator_throughput.py [--duration 10] [--processes 2] [--threads 4]
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from emulator.client import Client  # noqa: E402  pylint: disable=wrong-import-position

KEY_ID = 'LTAI5tEmulatorDemoKey01'
SECRET = 'EmulatorDemoSecretNotForProduction01'
INSTANCE = 'MQ_INST_1234567890_DEMO'
MIX = [
    ('OnsConsumerGetConnection', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}),
    ('OnsMessageTrace', {'Topic': 'orders', 'MsgId': '0A0001050000217A000000000000A1B2', 'InstanceId': INSTANCE}),
    ('OnsConsumerStatus', {'GroupId': 'GID_payments', 'InstanceId': INSTANCE, 'Detail': 'true'}),
    ('OnsConsumerAccumulate', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE, 'Detail': 'true'}),
    ('OnsGroupSubDetail', {'GroupId': 'GID_payments', 'InstanceId': INSTANCE}),
    ('OnsGroupList', {'InstanceId': INSTANCE}),
    ('OnsInstanceBaseInfo', {'InstanceId': INSTANCE}),
    ('OnsMessageGetByMsgId', {'Topic': 'orders', 'MsgId': '0A0001050000217A000000000000A1B2', 'InstanceId': INSTANCE}),
]


def _worker_thread(url, signature, start_at, stop_at, offset, out):
    cli = Client(url, KEY_ID, SECRET, signature=signature)
    latencies = []
    errors = 0
    i = offset
    while time.time() < start_at:
        time.sleep(0.001)
    while True:
        now = time.time()
        if now >= stop_at:
            break
        action, params = MIX[i % len(MIX)]
        sig = signature if signature != 'mixed' else ('v3' if i % 2 else 'v1')
        cli.signature = sig
        i += 1
        began = time.perf_counter()
        try:
            resp = cli.request(action, params)
            ok = resp.status == 200
        except OSError:
            ok = False
        latencies.append(time.perf_counter() - began)
        if not ok:
            errors += 1
    cli.close()
    out.append((latencies, errors))


def _worker_process(args):
    import threading
    url, signature, threads, start_at, stop_at, index = args
    out = []
    pool = [threading.Thread(target=_worker_thread, args=(url, signature, start_at, stop_at, index * 97 + t, out)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    latencies = [lat for chunk, _e in out for lat in chunk]
    return latencies, sum(e for _c, e in out)


def _percentile(sorted_values, fraction):
    if not sorted_values:
        return float('nan')
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def _start_emulator():
    tmp = tempfile.mkdtemp(prefix='ons-bench-')
    port_file = os.path.join(tmp, 'url')
    proc = subprocess.Popen([sys.executable, '-m', 'emulator', '--scenario', os.path.join(ROOT, 'emulator', 'scenarios', 'healthy.yml'),
                             '--port', '0', '--port-file', port_file, '--rate-limit', '0'], cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.time() + 15
    while not os.path.exists(port_file):
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit('the emulator did not start')
        time.sleep(0.05)
    with open(port_file, encoding='utf-8') as handle:
        url = handle.read().strip()
    return proc, url, port_file


def main(argv=None):
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--duration', type=float, default=10.0, help='seconds of measured load (default 10)')
    parser.add_argument('--warmup', type=float, default=1.0, help='seconds before measuring starts (default 1)')
    parser.add_argument('--processes', type=int, default=2, help='client processes (default 2)')
    parser.add_argument('--threads', type=int, default=4, help='threads (keep-alive connections) per process (default 4)')
    parser.add_argument('--signature', choices=('v3', 'v1', 'mixed'), default='v3', help='signature version (default v3)')
    parser.add_argument('--url', help='benchmark an emulator already running at this URL instead of starting one')
    args = parser.parse_args(argv)

    proc = None
    port_file = None
    url = args.url
    if not url:
        proc, url, port_file = _start_emulator()
    try:
        start_at = time.time() + args.warmup
        stop_at = start_at + args.duration
        ctx = multiprocessing.get_context('spawn')
        with ctx.Pool(args.processes) as pool:
            results = pool.map(_worker_process, [(url, args.signature, args.threads, start_at, stop_at, i) for i in range(args.processes)])
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
            os.unlink(port_file)
            os.rmdir(os.path.dirname(port_file))
    latencies = sorted(lat for chunk, _e in results for lat in chunk)
    errors = sum(e for _c, e in results)
    total = len(latencies)
    print('emulator throughput: %d signed requests (%s signatures, %d operations mixed) in %.1f s' % (total, args.signature, len(MIX), args.duration))
    print('clients: %d processes x %d threads, keep-alive, loopback %s' % (args.processes, args.threads, url))
    print('throughput: %.0f requests/s' % (total / args.duration))
    print('latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f' % tuple(1000 * _percentile(latencies, f) for f in (0.5, 0.9, 0.99, 1.0)))
    print('errors: %d' % errors)
    return 0 if errors == 0 and total else 1


if __name__ == '__main__':
    sys.exit(main())
