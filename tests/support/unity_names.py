#!/usr/bin/env python3
"""The test binaries are compiled in unity batches (several test files in one translation unit, CMake's
UNITY_BUILD), so two files of one binary must not define the same name at file scope: a second definition is a
compile error, and worse, an overload from another file could be picked silently. This check lists every
function, constant or type that more than one file of a test directory defines at column 0 (the files' own
anonymous namespaces), and fails if there is any.

    tests/support/unity_names.py TESTS_DIR [DIR ...]      (default: every directory under TESTS_DIR)
"""
import collections
import pathlib
import re
import sys

# Definitions at column 0. Using-declarations, type and namespace aliases are left out: repeating the same one in
# one scope is allowed, and a different one is a compile error.
TYPE = re.compile(r'^(?:struct|class|enum class|enum|union)\s+(\w+)\s*(?:final\s*)?[:{]')
VARIABLE = re.compile(r'^(?:static\s+|inline\s+)?(?:constexpr|const)\s+[\w:<>,\s\*&]+?[\s\*&](\w+)(?:\[\w*\])?\s*(?:=|\{|;)')
FUNCTION = re.compile(r'^(?:static\s+|inline\s+|constexpr\s+|\[\[nodiscard\]\]\s+)*[\w:<>,\*&]+(?:<[^()]*>)?[\s\*&]+(\w+)\s*\(')
SKIPPED_STARTS = (' ', '\t', '#', '/', '}', '{', ')', 'namespace', 'using namespace', 'TEST', 'INSTANTIATE',
                  'MATCHER', 'ACTION', 'return', 'template')
KEYWORDS = {'main', 'operator', 'if', 'for', 'while', 'switch', 'return', 'sizeof', 'decltype'}


def names_of(path):
    found = set()
    for line in path.read_text(errors='replace').splitlines():
        if not line or line.startswith(SKIPPED_STARTS) or line.rstrip().endswith(';') and '(' in line and '=' not in line:
            continue  # indented, a comment, a declaration without a body, …
        for pattern in (TYPE, VARIABLE, FUNCTION):
            match = pattern.match(line)
            if match:
                if match.group(1) not in KEYWORDS:
                    found.add(match.group(1))
                break
    return found


def clashes(directory):
    files_of = collections.defaultdict(list)
    for path in sorted(directory.glob('*.cc')):
        for name in names_of(path):
            files_of[name].append(path.name)
    return {name: files for name, files in files_of.items() if len(files) > 1}


def main(argv):
    root = pathlib.Path(argv[1])
    dirs = [root / d for d in argv[2:]] or sorted(p for p in root.iterdir() if p.is_dir())
    count = 0
    for directory in dirs:
        for name, files in sorted(clashes(directory).items()):
            count += 1
            print(f'{directory.name}: `{name}` is defined at file scope in {", ".join(files)}: '
                  'rename it in all but one (the files share a unity batch)')
    return 1 if count else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
