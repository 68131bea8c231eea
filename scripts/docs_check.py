# Copyright: apsaramq.rocketmq maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the collection's docs for what the docs linters do not see (run by docs_lint.sh).

    python scripts/docs_check.py [COLLECTION_ROOT]

- every ``.. ci-example: PATH`` code block of the guides is the file PATH, line for line, so the
  CI examples published with the docs are the files in docs/ci/;
- every guide under docs/docsite/rst/ is listed in docs/docsite/extra-docs.yml, and back;
- no page under docs/ names a path of a developer's or CI machine (/tmp/, /work/, /root/, /home/);
- a relative link of a Markdown page under docs/ names a file or folder that the built collection
  holds (not in galaxy.yml's build_ignore), so that it works on GitHub and in an installed copy
  alike; what the collection leaves out (benchmarks/, scripts/) is linked by absolute URL.
"""

import fnmatch
import os
import re
import sys

import yaml

CI_EXAMPLE = re.compile(r"^\.\. ci-example: (\S+)\n\n\.\. code-block:: \S+\n\n((?:(?:    .*)?\n)*)", re.M)
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:tmp|work|root|home)/\S*")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)[^)]*\)")


def dedent(block):
    lines = block.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line[4:] for line in lines) + "\n"


def main(root):
    problems = []
    docs = os.path.join(root, "docs")
    rst_dir = os.path.join(docs, "docsite", "rst")
    with open(os.path.join(docs, "docsite", "extra-docs.yml")) as handle:
        listed = {entry for section in yaml.safe_load(handle)["sections"] for entry in section["toctree"]}
    guides = {name[:-4] for name in os.listdir(rst_dir) if name.endswith(".rst")}
    problems.extend("docs/docsite/extra-docs.yml lists %s, which docs/docsite/rst/ lacks" % name
                    for name in sorted(listed - guides))
    problems.extend("docs/docsite/rst/%s.rst is not listed in docs/docsite/extra-docs.yml" % name
                    for name in sorted(guides - listed))
    with open(os.path.join(root, "galaxy.yml")) as handle:
        ignored = yaml.safe_load(handle).get("build_ignore") or []
    examples = 0
    for folder, _dirs, files in sorted(os.walk(docs)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            page = os.path.relpath(path, root)
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            for number, line in enumerate(text.split("\n"), 1):
                for found in MACHINE_PATH.findall(line):
                    problems.append("%s:%d: names a machine path: %s" % (page, number, found))
            if name.endswith(".md"):
                for target in MARKDOWN_LINK.findall(text):
                    if re.match(r"(https?://|mailto:|#)", target):
                        continue
                    linked = os.path.normpath(os.path.join(folder, target.split("#", 1)[0]))
                    inside = os.path.relpath(linked, root)
                    if not os.path.exists(linked) or inside.startswith(".."):
                        problems.append("%s: relative link %s names no file of the collection" % (page, target))
                    elif any(fnmatch.fnmatch(inside, pattern) or inside.split(os.sep, maxsplit=1)[0] == pattern for pattern in ignored):
                        problems.append("%s: relative link %s names %s, which the built collection leaves out "
                                        "(build_ignore): use an absolute URL" % (page, target, inside))
            if name.endswith(".rst"):
                for source, block in CI_EXAMPLE.findall(text):
                    examples += 1
                    try:
                        with open(os.path.join(root, source), encoding="utf-8") as handle:
                            original = handle.read()
                    except OSError as error:
                        problems.append("%s: ci-example %s: %s" % (page, source, error))
                        continue
                    if dedent(block) != original:
                        problems.append("%s: the ci-example block of %s differs from that file: copy it again"
                                        % (page, source))
    for problem in problems:
        print("docs_check.py: " + problem, file=sys.stderr)
    if problems:
        return 1
    print("docs_check.py: %d guides listed, %d CI examples equal to their files, no machine path, no "
          "relative link in Markdown that an installed copy lacks" % (len(guides), examples))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
