#!/usr/bin/env python3
"""Is the library being built still compatible with the released ABI?

abidiff (run by .ci/abi.sh) reports every change and fails on what it calls
incompatible (a removed symbol).  It counts a struct that grew and a struct
whose member changed type alike as "changes", so this script holds the rules
libdaxdev's structs follow (docs/design.md, "ABI rules"):

  - every released function is still exported, in the same version node,
    with the same return and parameter types;
  - every released public struct keeps every member at the same offset with
    the same type; it may grow only if it starts with its size (sz), and only
    by members after the last one;
  - every released enumerator keeps its value;
  - every released #define (flags, sizes) keeps its value.

Usage: abi-check.py BASELINE.abi CURRENT.abi RELEASED_HEADERS_DIRS CURRENT_HEADERS_DIRS
(header directories: colon-separated lists)
Exit 0 when compatible; 1 with one line per break otherwise.
"""
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

PUBLIC = re.compile(r'^daxdev_')
TYPE_TAGS = ('type-decl', 'pointer-type-def', 'qualified-type-def', 'typedef-decl',
             'class-decl', 'union-decl', 'enum-decl', 'array-type-def', 'function-type',
             'reference-type-def')


class Corpus:
    def __init__(self, path):
        self.root = ET.parse(path).getroot()
        self.types = {}
        for tag in TYPE_TAGS:
            for el in self.root.iter(tag):
                if el.get('id'):
                    self.types[el.get('id')] = el

    def name(self, type_id, depth=0):
        el = self.types.get(type_id)
        if el is None or depth > 20:
            return '?' if el is None else '...'
        tag, n = el.tag, el.get('name')
        if tag == 'type-decl':
            return n
        if tag == 'pointer-type-def':
            return self.name(el.get('type-id'), depth + 1) + '*'
        if tag == 'qualified-type-def':
            quals = ' '.join(q for q in ('const', 'volatile') if el.get(q) == 'yes')
            return quals + ' ' + self.name(el.get('type-id'), depth + 1)
        if tag == 'typedef-decl':
            return n
        if tag == 'class-decl':
            return 'struct ' + (n or '<anonymous>')
        if tag == 'union-decl':
            return 'union ' + (n or '<anonymous>')
        if tag == 'enum-decl':
            return 'enum ' + (n or '<anonymous>')
        if tag == 'array-type-def':
            return self.name(el.get('element-type-id'), depth + 1) + '[' + \
                (el.get('size-in-bits') or '') + ']'
        if tag == 'function-type':
            params = [self.name(p.get('type-id'), depth + 1) for p in el.iter('parameter')]
            ret = el.find('return')
            ret_name = self.name(ret.get('type-id'), depth + 1) if ret is not None else 'void'
            return 'fn(' + ', '.join(params) + ') -> ' + ret_name
        return tag

    def functions(self):
        """Exported name -> (name@version, parameter types, return type).  A
        function's declaration carries the symbol id where abidw saw the
        definition; variadic ones may appear only as declarations."""
        syms = {}
        for el in self.root.iter('elf-symbol'):
            if el.get('type') == 'func-type' and el.get('is-defined') == 'yes':
                at = '@@' if el.get('is-default-version') == 'yes' else '@'
                syms[el.get('name')] = el.get('name') + at + (el.get('version') or '')
        decls = {}
        for fn in self.root.iter('function-decl'):
            name = fn.get('name', '')
            if name in syms and (name not in decls or fn.get('elf-symbol-id')):
                decls[name] = fn
        out = {}
        for name, sym in syms.items():
            fn = decls.get(name)
            if fn is None or not PUBLIC.match(name):
                continue
            params = [self.name(p.get('type-id')) for p in fn.findall('parameter')]
            ret = fn.find('return')
            out[name] = (sym, tuple(params), self.name(ret.get('type-id')))
        return out

    def structs(self):
        """Public structs: the ones defined in the installed headers (the
        library's own, such as struct daxdev, are opaque to callers)."""
        out = {}
        for el in self.root.iter('class-decl'):
            n = el.get('name', '')
            if not PUBLIC.match(n) or el.get('is-declaration-only') == 'yes':
                continue
            if '/include/daxdev' not in el.get('filepath', ''):
                continue
            members = []
            for dm in el.findall('data-member'):
                var = dm.find('var-decl')
                members.append((var.get('name'), int(dm.get('layout-offset-in-bits')),
                                self.name(var.get('type-id'))))
            out[n] = (int(el.get('size-in-bits')), members)
        return out

    def enums(self):
        out = {}
        for el in self.root.iter('enum-decl'):
            for en in el.findall('enumerator'):
                if PUBLIC.match(en.get('name').lower()):
                    out[en.get('name')] = int(en.get('value'))
        return out


DEFINE = re.compile(r'^\s*#\s*define\s+(DAXDEV_[A-Z0-9_]+)(\([^)]*\))?\s+(.*?)\s*(/\*.*)?$')
VERSION_MACROS = re.compile(r'^DAXDEV_VERSION(_MAJOR|_MINOR|_PATCH|_STRING)?$')


def macros(headers):
    """#defines of every header under the colon-separated directories."""
    out = {}
    files = [h for d in headers.split(':') for h in sorted(Path(d).rglob('*.h'))]
    for h in files:
        for line in h.read_text().splitlines():
            m = DEFINE.match(line)
            if m and not m.group(3).endswith('\\') and not VERSION_MACROS.match(m.group(1)):
                out[m.group(1)] = ' '.join(m.group(3).split())
    return out


def check_functions(old, new, breaks):
    for name, (sym, params, ret) in sorted(old.functions().items()):
        now = new.functions().get(name)
        if now is None:
            breaks.append(f'function {name} ({sym}) is gone')
        elif now[0] != sym:
            breaks.append(f'function {name} moved from {sym} to {now[0]}')
        elif now[1:] != (params, ret):
            breaks.append(f'function {name} changed signature: {params} -> {ret} '
                          f'became {now[1]} -> {now[2]}')


def check_structs(old, new, breaks):
    current = new.structs()
    for name, (size, members) in sorted(old.structs().items()):
        if name not in current:
            breaks.append(f'struct {name} is gone')
            continue
        new_size, new_members = current[name]
        for i, m in enumerate(members):
            now = new_members[i] if i < len(new_members) else None
            if now != m:
                breaks.append(f'struct {name}: released member {m} is now {now}')
                break
        if new_size < size:
            breaks.append(f'struct {name} shrank from {size} to {new_size} bits')
        if new_size > size and (not members or members[0][0] != 'sz'):
            breaks.append(f'struct {name} grew but has no leading sz to tell sizes apart')
        for m in new_members[len(members):]:
            if m[1] < size:
                breaks.append(f'struct {name}: new member {m[0]} at bit {m[1]} lies inside '
                              f'the released size {size} (trailing padding?)')


def check_enums(old, new, breaks):
    current = new.enums()
    for name, value in sorted(old.enums().items()):
        if current.get(name) != value:
            breaks.append(f'enumerator {name} was {value}, now {current.get(name)}')


def check_macros(old_dir, new_dir, breaks):
    current = macros(new_dir)
    for name, value in sorted(macros(old_dir).items()):
        if current.get(name) != value:
            breaks.append(f'#define {name} was "{value}", now "{current.get(name)}"')


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    old, new = Corpus(sys.argv[1]), Corpus(sys.argv[2])
    breaks = []
    check_functions(old, new, breaks)
    check_structs(old, new, breaks)
    check_enums(old, new, breaks)
    check_macros(sys.argv[3], sys.argv[4], breaks)
    for b in breaks:
        print('ABI break:', b)
    print(f'abi-check: {len(old.functions())} functions, {len(old.structs())} structs, '
          f'{len(old.enums())} enumerators, {len(macros(sys.argv[3]))} macros checked; '
          f'{len(breaks)} breaks')
    sys.exit(1 if breaks else 0)


if __name__ == '__main__':
    main()
