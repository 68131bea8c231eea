# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line: ``python -m emulator --scenario FILE|NAME [--host H] [--port N] [--port-file PATH] ...``.

Also runs as ``python PATH/TO/emulator ...`` (the folder itself), which is how an installed
collection starts it: ``python ~/.ansible/collections/ansible_collections/apsaramq/rocketmq/emulator``.
"""

import argparse
import os
import signal
import sys
import tempfile
import threading

if not __package__:
    # Run as a folder or file, Python put this folder first on sys.path: import the package from
    # its parent instead, so that the package's own modules do not shadow top-level ones.
    _HERE = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _HERE:
        del sys.path[0]
    sys.path.insert(0, os.path.dirname(_HERE))

from emulator.faults import parse_fault_spec  # noqa: E402  (after the sys.path fix above)
from emulator.scenario import ScenarioError, load  # noqa: E402
from emulator.server import start  # noqa: E402
from emulator.sts import StsState  # noqa: E402

SCENARIOS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'scenarios')


def _rate(value):
    rate = float(value)
    if not 0 <= rate <= 1:
        raise argparse.ArgumentTypeError('%s is not a rate between 0 and 1' % value)
    return rate


def bundled_scenarios():
    """The names of the scenarios in emulator/scenarios/, sorted."""
    try:
        names = os.listdir(SCENARIOS_DIR)
    except OSError:
        return []
    return sorted(name[:-len('.yml')] for name in names if name.endswith('.yml'))


def scenario_path(value):
    """The file ``--scenario`` names: an existing path, else a bundled scenario of that name."""
    if os.path.exists(value) or os.sep in value or (os.altsep and os.altsep in value):
        return value
    name = value[:-len('.yml')] if value.endswith('.yml') else value
    if name in bundled_scenarios():
        return os.path.join(SCENARIOS_DIR, name + '.yml')
    raise ScenarioError('%s: no such file, nor a bundled scenario (bundled: %s)' % (value, ', '.join(bundled_scenarios())))


def build_parser():
    """The argument parser (its help is the CLI reference)."""
    parser = argparse.ArgumentParser(prog='python -m emulator',
                                     description='Emulator of the ApsaraMQ for RocketMQ management APIs: ONS 2019-02-14 and RocketMQ 2022-08-01.')
    parser.add_argument('--scenario', required=True,
                        help='scenario YAML file, or the name of a bundled one (%s)' % ', '.join(bundled_scenarios()))
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port to listen on; 0 picks a free one (default 0)')
    parser.add_argument('--port-file', help='write the URL into this file once listening (atomically)')
    parser.add_argument('--rate-limit', type=float,
                        help='requests per second per account and operation, for every operation '
                             '(overrides limits.rate and the published rates; 0 = unlimited)')
    parser.add_argument('--seed', type=int, help='seed for fault randomness (overrides the scenario seed)')
    parser.add_argument('--fault', action='append', default=[], metavar='SPEC',
                        help='add a fault: kind=KIND[,rate=R][,times=N][,action=A|B][,latency=S|MIN-MAX][,status=N][,code=C][,PARAM=VALUE]; repeatable')
    parser.add_argument('--latency', metavar='S|MIN-MAX', help='add latency to every request (seconds, or a range)')
    parser.add_argument('--error-rate', type=_rate, help='answer this share of requests with 500 InternalError')
    parser.add_argument('--unavailable-rate', type=_rate, help='answer this share of requests with 503 ServiceUnavailable')
    parser.add_argument('--throttle-rate', type=_rate, help='answer this share of requests with 400 Throttling.User')
    parser.add_argument('--drop-rate', type=_rate, help='close the connection without answering on this share of requests')
    parser.add_argument('--log-size', type=int, default=200, help='how many recent requests the request log keeps (default 200)')
    parser.add_argument('--verbose', action='store_true', help='write an access log line per request to stderr')
    parser.add_argument('--exit-with-parent', action='store_true',
                        help='stop when the process that started the emulator ends (for test runners that may not clean up)')
    parser.add_argument('--mint-oidc-token', metavar='PROVIDER_ARN',
                        help='print an OIDC token of this provider of the scenario (sts.oidc_providers), which the '
                             "emulator's AssumeRoleWithOIDC accepts, and exit without serving")
    parser.add_argument('--oidc-subject', default='repo:example/app:ref:refs/heads/main',
                        help='the sub claim of the minted token (default %(default)s)')
    parser.add_argument('--oidc-lifetime', type=int, default=3600,
                        help='seconds the minted token is valid; negative: already expired (default %(default)s)')
    return parser


def cli_faults(args):
    """The faults the command line asks for, in the order: --fault, --latency, rates."""
    faults = [parse_fault_spec(spec) for spec in args.fault]
    if args.latency:
        faults.append(parse_fault_spec('kind=latency,latency=%s' % args.latency))
    for option, kind in (('error_rate', 'internal_error'), ('unavailable_rate', 'service_unavailable'),
                         ('throttle_rate', 'throttle'), ('drop_rate', 'drop')):
        rate = getattr(args, option)
        if rate:
            faults.append(parse_fault_spec('kind=%s,rate=%s' % (kind, rate)))
    return faults


def write_atomically(path, text):
    """Write ``text`` to ``path`` so that readers see either nothing or all of it."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.emulator-url-', dir=directory)
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    """Run the emulator until SIGTERM or SIGINT."""
    args = build_parser().parse_args(argv)
    try:
        scenario = load(scenario_path(args.scenario))
        faults = cli_faults(args)
    except (ScenarioError, OSError) as exc:
        sys.stderr.write('emulator: %s\n' % exc)
        return 2
    if args.mint_oidc_token:
        try:
            token = StsState(scenario.data['sts']).mint_oidc_token(args.mint_oidc_token, subject=args.oidc_subject,
                                                                   lifetime=args.oidc_lifetime)
        except ValueError as exc:
            sys.stderr.write('emulator: %s\n' % exc)
            return 2
        sys.stdout.write(token + '\n')
        return 0
    try:
        handle = start(scenario, host=args.host, port=args.port, rate_limit=args.rate_limit, faults=faults,
                       seed=args.seed, log_size=args.log_size, verbose=args.verbose)
    except OSError as exc:
        sys.stderr.write('emulator: cannot listen on %s:%s: %s\n' % (args.host, args.port, exc))
        return 2
    stop = threading.Event()
    parent = os.getppid()

    def _stop(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if args.port_file:
        write_atomically(args.port_file, handle.url + '\n')
    sys.stdout.write('ApsaraMQ for RocketMQ emulator (ONS 2019-02-14, RocketMQ 2022-08-01) listening on %s\n' % handle.url)
    sys.stdout.flush()
    while not stop.wait(0.5):
        # An orphan is adopted by another process: its parent ID changes.
        if args.exit_with_parent and os.getppid() != parent:
            break
    handle.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
