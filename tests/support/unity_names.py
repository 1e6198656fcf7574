#!/usr/bin/env python3
"""The test binaries are compiled in unity batches (several test files in one translation unit, CMake's
UNITY_BUILD), so two files of one binary must not define the same name at file scope: a second definition is a
compile error, and worse, an overload from another file could be picked silently. This check lists every
function, constant or type that more than one file of a test directory defines at column 0 (the files' own
anonymous namespaces) or defines while another brings in a name of the same spelling by a using-declaration,
and fails if there is any.

    tests/support/unity_names.py TESTS_DIR [DIR ...]      (default: every directory under TESTS_DIR)
"""
import collections
import pathlib
import re
import sys

# Definitions at column 0 (the project's style does not indent namespaces). Type and namespace aliases are left
# out: repeating the same one in one scope is allowed, and a different one is a compile error.
TYPE = re.compile(r'^(?:struct|class|enum class|enum|union)\s+(\w+)\s*(?:final\s*)?[:{]')
VARIABLE = re.compile(r'^(?:static\s+|inline\s+)?(?:constexpr|const)\s+[\w:<>,\s\*&]+?[\s\*&](\w+)(?:\[\w*\])?\s*(?:=|\{|;)')
FUNCTION = re.compile(r'^(?:static\s+|inline\s+|constexpr\s+|\[\[nodiscard\]\]\s+)*[\w:<>,\*&]+(?:<[^()]*>)?[\s\*&]+(\w+)\s*\(')
USING = re.compile(r'^using\s+[\w:]+::(\w+)\s*;')
SKIPPED_STARTS = (' ', '\t', '#', '/', '}', '{', ')', 'namespace', 'using namespace', 'TEST', 'INSTANTIATE',
                  'MATCHER', 'ACTION', 'return', 'template')
KEYWORDS = {'main', 'operator', 'if', 'for', 'while', 'switch', 'return', 'sizeof', 'decltype'}


def names_of(path):
    """(names the file defines in its anonymous namespaces or as static, names it brings in by a
    using-declaration). Definitions in named namespaces are one entity wherever they are declared."""
    found, used = set(), set()
    anonymous = False
    for line in path.read_text(errors='replace').splitlines():
        if re.match(r'^namespace\s*\{', line):
            anonymous = True
            continue
        if anonymous and re.match(r'^\}\s*//\s*namespace\s*$', line):
            anonymous = False
            continue
        match = USING.match(line)
        if match:
            used.add(match.group(1))
            continue
        if not line or line.startswith(SKIPPED_STARTS) or line.rstrip().endswith(';') and '(' in line and '=' not in line:
            continue  # indented, a comment, a declaration without a body, …
        if not anonymous and not line.startswith('static '):
            continue
        for pattern in (TYPE, VARIABLE, FUNCTION):
            match = pattern.match(line)
            if match:
                if match.group(1) not in KEYWORDS:
                    found.add(match.group(1))
                break
    return found, used


def clashes(directory):
    """Names defined by two files, or defined by one and brought in by a using-declaration in another."""
    defined_in = collections.defaultdict(list)
    used_in = collections.defaultdict(list)
    for path in sorted(directory.glob('*.cc')):
        found, used = names_of(path)
        for name in found:
            defined_in[name].append(path.name)
        for name in used:
            used_in[name].append(path.name)
    return {name: files + [f for f in used_in[name] if f not in files] for name, files in defined_in.items()
            if len(files) > 1 or (files and set(used_in[name]) - set(files))}


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
