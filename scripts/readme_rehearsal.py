# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the README's install and rehearsal commands exactly as a new user types them.

    .venv/bin/python scripts/readme_rehearsal.py [--list] [--readme PATH]     (default: README.md of this checkout)

The commands are the fenced blocks of README.md that follow a marker comment:

    <!-- rehearsal -->                    a bash block: each command runs, in order, in one shell
    <!-- rehearsal exit=2 expect="X" -->  ... and must exit 2 and print X (defaults: 0, nothing)
    <!-- rehearsal file=gate.yml -->      a block the user saves: written to gate.yml in the
                                          shell's current directory at that point

Every other bash/console block of the README must say which test runs it, with a comment
`<!-- tested: ... -->`, so that no command a user is told to type goes unchecked.

The shell starts in a copy of the checkout (what a user who cloned it has), with a temporary
HOME, no ANSIBLE_* or cloud credential variables, nothing Ansible on PATH, and `python3` being
the interpreter of the development venv. pip installs from a local wheelhouse of the pins in
requirements-dev.txt (downloaded once into $BUILD_DIR/rehearsal/), so the environment holds
only what the README installs. Where unprivileged namespaces are available, the shell runs in a
network namespace of its own: offline, and with a loopback of its own, so that the README's
fixed emulator port cannot clash with anything else on the machine. A command that runs in the
background (`... &`) and names `--port N` is waited for until that port answers.

The run fails naming the command that failed; jobs still running at the end are stopped.
"""

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR') or os.path.join(ROOT, '.build')
VENV = os.environ.get('VENV') or os.path.join(ROOT, '.venv')
README = os.path.join(ROOT, 'README.md')
TIMEOUT = 900
# The packages the README's pip command installs, and so the wheelhouse holds.
PACKAGES = ['ansible-core', 'requests', 'jmespath']

MARKER = re.compile(r'^<!--\s*(rehearsal|tested:)(.*?)-->\s*$')
FENCE = re.compile(r'^```(\w*)\s*$')
SHELL_LANGS = ('bash', 'sh', 'shell', 'console', 'zsh')
PORT = re.compile(r'--port[ =](\d+)')
SECRET = re.compile(r'((?:SECRET|TOKEN|PASSWORD)\w*=)\S+', re.IGNORECASE)


class ReadmeError(Exception):
    """The README's blocks or markers cannot be rehearsed as written."""


def parse_attributes(text, line_no):
    """`exit=2 expect="..." file=NAME` -> dict."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ReadmeError('README.md:%d: cannot read the marker: %s' % (line_no, exc))
    attributes = {}
    for word in words:
        key, sep, value = word.partition('=')
        if not sep or key not in ('exit', 'expect', 'file'):
            raise ReadmeError('README.md:%d: unknown marker attribute %r (accepted: exit=N, expect="TEXT", file=NAME)' % (line_no, word))
        attributes[key] = value
    if 'exit' in attributes and not attributes['exit'].isdigit():
        raise ReadmeError('README.md:%d: exit=%s is not a whole number' % (line_no, attributes['exit']))
    return attributes


def read_blocks(path):
    """The README's fenced blocks in order: dicts with line, lang, text, marker kind and attributes."""
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().split('\n')
    blocks = []
    pending = None
    index = 0
    while index < len(lines):
        line = lines[index]
        marker = MARKER.match(line)
        fence = FENCE.match(line)
        if marker:
            kind = 'rehearsal' if marker.group(1) == 'rehearsal' else 'tested'
            attributes = parse_attributes(marker.group(2), index + 1) if kind == 'rehearsal' else {}
            pending = (kind, attributes, index + 1)
        elif fence:
            start = index
            index += 1
            body = []
            while index < len(lines) and not lines[index].startswith('```'):
                body.append(lines[index])
                index += 1
            # A marker counts for the block right below it only.
            kind, attributes, marker_line = pending if pending and pending[2] == start else (None, {}, None)
            blocks.append({'line': start + 1, 'lang': fence.group(1), 'text': '\n'.join(body) + '\n',
                           'kind': kind, 'attributes': attributes, 'marker_line': marker_line})
            pending = None
        index += 1
    return blocks


def commands_of(block):
    """The commands of a bash block: one per logical line (backslash continuations joined)."""
    commands = []
    current = ''
    for raw in block['text'].split('\n'):
        if current:
            current += '\n' + raw
        else:
            current = raw
        if raw.endswith('\\'):
            continue
        if current.strip() and not current.strip().startswith('#'):
            commands.append(current)
        current = ''
    if current.strip():
        raise ReadmeError('README.md:%d: the block ends inside a continued line' % block['line'])
    return commands


def plan(blocks):
    """The steps to run, from the marked blocks; and the unmarked shell blocks, which are errors."""
    steps = []
    unmarked = []
    for block in blocks:
        if block['kind'] is None:
            if block['lang'] in SHELL_LANGS:
                unmarked.append(block['line'])
            continue
        if block['kind'] != 'rehearsal':
            continue
        attributes = block['attributes']
        if 'file' in attributes:
            name = attributes['file']
            if not re.match(r'^[A-Za-z0-9_.-]+$', name):
                raise ReadmeError('README.md:%d: file=%s is not a plain file name' % (block['marker_line'], name))
            steps.append({'kind': 'file', 'name': name, 'text': block['text'], 'line': block['line']})
            continue
        if block['lang'] not in SHELL_LANGS:
            raise ReadmeError('README.md:%d: a rehearsal block must be bash (or say file=NAME), not %r' % (block['line'], block['lang']))
        for command in commands_of(block):
            steps.append({'kind': 'command', 'command': command, 'line': block['line'],
                          'exit': int(attributes.get('exit', '0')), 'expect': attributes.get('expect')})
    return steps, unmarked


def shown(command):
    """The command as printed: values of secret-looking variables masked."""
    return SECRET.sub(r'\1***', command)


def heredoc_delimiter(text):
    delimiter = 'REHEARSAL_EOF'
    while delimiter in text:
        delimiter += '_'
    return delimiter


def script_for(steps, work):
    """The bash script that runs the steps in one shell and names the first one that fails."""
    out = ['# Generated from README.md by scripts/readme_rehearsal.py.',
           'set +e',
           '__rehearsal_stop() {',
           '    local pids; pids="$(jobs -rp)"',
           '    if [ -n "$pids" ]; then echo "rehearsal: stopping what still runs in the background: $pids"; kill $pids 2>/dev/null; wait; fi',
           '}',
           'trap __rehearsal_stop EXIT',
           '__rehearsal_fail() {',
           '    printf "\\nrehearsal: FAILED at step %s (README.md line %s): %s\\n" "$1" "$2" "$3" >&2',
           '    exit 1',
           '}',
           '__rehearsal_wait_port() {',
           '    local i',
           '    for i in $(seq 1 600); do',
           '        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi',
           '        if [ -z "$(jobs -rp)" ]; then return 1; fi',
           '        sleep 0.1',
           '    done',
           '    return 1',
           '}']
    for number, step in enumerate(steps, 1):
        if step['kind'] == 'file':
            what = 'save %s' % step['name']
            delimiter = heredoc_delimiter(step['text'])
            out.append('printf "\\n== rehearsal step %d: %%s\\n" %s' % (number, shlex.quote(what)))
            out.append("cat > %s <<'%s'\n%s%s" % (shlex.quote(step['name']), delimiter, step['text'], delimiter))
            out.append('[ $? -eq 0 ] || __rehearsal_fail %d %d %s' % (number, step['line'], shlex.quote('cannot write ' + step['name'])))
            continue
        command = step['command']
        text = shown(command)
        describe = shlex.quote(text)
        out.append('printf "\\n== rehearsal step %d: %%s\\n" %s' % (number, describe))
        capture = os.path.join(work, 'step-%d.out' % number)
        if step['expect'] is not None:
            # Braces keep the command in this shell (cd, export and activate persist).
            out.append('{ %s\n} >%s 2>&1' % (command, shlex.quote(capture)))
            out.append('__status=$?')
            out.append('cat %s' % shlex.quote(capture))
        else:
            out.append('{ %s\n}' % command)
            out.append('__status=$?')
        out.append('[ "$__status" -eq %d ] || __rehearsal_fail %d %d %s"exited with status $__status, expected %d"' % (
            step['exit'], number, step['line'], shlex.quote(text + ': '), step['exit']))
        if step['expect'] is not None:
            out.append('grep -qF -- %s %s || __rehearsal_fail %d %d %s' % (
                shlex.quote(step['expect']), shlex.quote(capture), number, step['line'],
                shlex.quote('%s: the output does not show "%s"' % (text, step['expect']))))
        if command.rstrip().endswith('&'):
            port = PORT.search(command)
            if port:
                out.append('__rehearsal_wait_port %s || __rehearsal_fail %d %d %s' % (
                    port.group(1), number, step['line'], shlex.quote('%s: nothing answers on port %s' % (text, port.group(1)))))
    # `kill` only asks: give what the README stopped a moment to end, as a user's shell would.
    out.append('for __i in $(seq 1 100); do [ -n "$(jobs -rp)" ] || break; sleep 0.1; done')
    out.append('if [ -n "$(jobs -rp)" ]; then')
    out.append('    echo "rehearsal: the README leaves a background job running: $(jobs -r)" >&2; exit 1')
    out.append('fi')
    out.append('printf "\\nrehearsal: %d steps of README.md ran as documented\\n"' % len(steps))
    return '\n'.join(out) + '\n'


def base_python():
    """The interpreter the development venv was made from: the README's `python3`."""
    probe = subprocess.run([os.path.join(VENV, 'bin', 'python'), '-c', 'import os, sys; print(os.path.realpath(sys._base_executable))'],
                           stdout=subprocess.PIPE, universal_newlines=True, check=True)
    return probe.stdout.strip()


def wheelhouse(python):
    """A folder of wheels for PACKAGES pinned as in requirements-dev.txt; downloaded when the pins change."""
    with open(os.path.join(ROOT, 'requirements-dev.txt'), encoding='utf-8') as handle:
        pins = [line.strip() for line in handle if re.match(r'^[A-Za-z0-9_.-]+==', line.strip())]
    version = subprocess.run([python, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
    key = hashlib.sha256(('\n'.join(pins + PACKAGES + [version])).encode()).hexdigest()[:12]
    folder = os.path.join(BUILD, 'rehearsal', 'wheelhouse-py%s-%s' % (version, key))
    constraints = os.path.join(folder, 'constraints.txt')
    if not os.path.exists(os.path.join(folder, '.complete')):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        with open(constraints, 'w', encoding='utf-8') as handle:
            handle.write('\n'.join(pins) + '\n')
        print('rehearsal: downloading %s (pinned in requirements-dev.txt) into %s' % (', '.join(PACKAGES), os.path.relpath(folder, ROOT)))
        subprocess.run([os.path.join(VENV, 'bin', 'python'), '-m', 'pip', 'download', '--disable-pip-version-check', '-q',
                        '--only-binary', ':all:', '--dest', folder, '--constraint', constraints] + PACKAGES, check=True)
        open(os.path.join(folder, '.complete'), 'w').close()
    return folder, constraints


def stage_checkout(dest):
    """Copy what a clone plus work in progress holds: tracked and untracked, not ignored files."""
    listing = subprocess.run(['git', 'ls-files', '-z', '-co', '--exclude-standard'], cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout
    for name in listing.decode('utf-8', 'surrogateescape').split('\0'):
        source = os.path.join(ROOT, name)
        if not name or not os.path.lexists(source):
            continue
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)


def clean_environment(home, bin_dir, wheels, constraints):
    """The environment of a new user's shell: nothing of Ansible, pip pointed at the wheelhouse."""
    env = {}
    for name, value in os.environ.items():
        if name.startswith(('ANSIBLE_', 'PIP_', 'ALIBABA_CLOUD_', 'ALICLOUD_', 'ONS_', 'PYTHON', 'VIRTUAL_ENV', 'EMULATOR_')):
            continue
        env[name] = value
    path = [bin_dir]
    for entry in os.environ.get('PATH', '').split(os.pathsep):
        # Nothing that could answer for the venv the README creates: no other venv, no Ansible
        # (`python3` is bin_dir's, first).
        if not entry or os.path.exists(os.path.join(os.path.dirname(entry.rstrip('/')), 'pyvenv.cfg')):
            continue
        if any(os.path.exists(os.path.join(entry, tool)) for tool in ('ansible', 'ansible-playbook', 'ansible-galaxy')):
            continue
        path.append(entry)
    env.update({
        'HOME': home, 'PATH': os.pathsep.join(path), 'TMPDIR': os.path.join(home, 'tmp'),
        'PIP_NO_INDEX': '1', 'PIP_FIND_LINKS': wheels, 'PIP_CONSTRAINT': constraints,
        'PIP_DISABLE_PIP_VERSION_CHECK': '1', 'PIP_NO_CACHE_DIR': '1',
    })
    return env


def netns_prefix():
    """`unshare` + loopback up, when this machine lets an unprivileged user make a network namespace."""
    unshare, ip = shutil.which('unshare'), shutil.which('ip') or ('/usr/sbin/ip' if os.path.exists('/usr/sbin/ip') else None)
    if not unshare or not ip:
        return None
    probe = subprocess.run([unshare, '-rn', ip, 'link', 'set', 'lo', 'up'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if probe.returncode != 0:
        return None
    return [unshare, '-rn', 'sh', '-c', '"$0" link set lo up && exec "$@"', ip]


def main(argv):
    """Rehearse the README; exit 1 naming the first command that fails."""
    args = list(argv)
    readme = README
    if '--readme' in args:
        where = args.index('--readme')
        readme = os.path.abspath(args[where + 1])
        del args[where:where + 2]
    try:
        steps, unmarked = plan(read_blocks(readme))
    except ReadmeError as exc:
        print('rehearsal: %s' % exc, file=sys.stderr)
        return 1
    if unmarked:
        print('rehearsal: README.md has shell blocks that no test runs (lines %s): mark each with <!-- rehearsal --> '
              'or <!-- tested: WHICH TEST RUNS IT -->' % ', '.join(str(line) for line in unmarked), file=sys.stderr)
        return 1
    if not steps:
        print('rehearsal: README.md has no <!-- rehearsal --> block', file=sys.stderr)
        return 1
    if args[:1] == ['--list']:
        for number, step in enumerate(steps, 1):
            print('%2d  README.md:%-4d %s' % (number, step['line'], 'save ' + step['name'] if step['kind'] == 'file' else shown(step['command'])))
        return 0

    started = time.monotonic()
    python = base_python()
    wheels, constraints = wheelhouse(python)
    os.makedirs(BUILD, exist_ok=True)
    work = tempfile.mkdtemp(prefix='rehearsal.', dir=BUILD)
    status = 1
    try:
        home, checkout, bin_dir = (os.path.join(work, name) for name in ('home', 'checkout', 'bin'))
        for folder in (home, os.path.join(home, 'tmp'), checkout, bin_dir):
            os.makedirs(folder)
        os.symlink(python, os.path.join(bin_dir, 'python3'))
        stage_checkout(checkout)
        script = os.path.join(work, 'rehearsal.sh')
        with open(script, 'w', encoding='utf-8') as handle:
            handle.write(script_for(steps, work))
        env = clean_environment(home, bin_dir, wheels, constraints)
        prefix = netns_prefix()
        if prefix:
            print('rehearsal: %d steps from README.md, in a network namespace of their own (offline, own loopback)' % len(steps))
            command = prefix + ['/bin/bash', '--noprofile', '--norc', script]
            status = run(command, checkout, env)
        else:
            # Without a namespace the README's fixed port is the machine's: one rehearsal at a time.
            import fcntl  # pylint: disable=import-outside-toplevel
            print('rehearsal: %d steps from README.md (no network namespace here: sharing the machine\'s ports)' % len(steps))
            with open(os.path.join(tempfile.gettempdir(), 'apsaramq-rocketmq-rehearsal.lock'), 'w') as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                status = run(['/bin/bash', '--noprofile', '--norc', script], checkout, env)
    finally:
        if status == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print('rehearsal: kept %s (the generated script, HOME and checkout) for a look' % os.path.relpath(work, ROOT), file=sys.stderr)
    print('rehearsal: %s in %.0f s' % ('passed' if status == 0 else 'FAILED', time.monotonic() - started))
    return status


def run(command, cwd, env):
    """Run the rehearsal shell in its own process group; stop all of it on timeout."""
    proc = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    try:
        return proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        print('rehearsal: still running after %d s; stopping it' % TIMEOUT, file=sys.stderr)
        os.killpg(proc.pid, 15)
        proc.wait(30)
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
