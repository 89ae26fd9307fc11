#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Lists the traceflow headers <traceflow/traceflow.hpp> and
<traceflow/trace_flow.hpp> pull in, and checks the counts README.md states.

README.md must hold, each on a line of its own:
    <traceflow/traceflow.hpp> pulls in N traceflow headers
    <traceflow/trace_flow.hpp> pulls in M traceflow headers
The counts are taken from the compiler's own dependency list (-M), so they
follow every include, conditional ones as this compiler sees them.
Exit 0 when both match, 1 otherwise (saying which and by how much).
"""
import argparse
import os
import re
import subprocess
import sys

HEADERS = ["traceflow/traceflow.hpp", "traceflow/trace_flow.hpp"]


def pulled_in(cxx, std, include_dir, header):
    source = "#include <%s>\n" % header
    out = subprocess.run([cxx, "-std=c++%s" % std, "-I", include_dir, "-x", "c++", "-M", "-"],
                         input=source, capture_output=True, text=True, check=True).stdout
    names = set()
    root = os.path.realpath(os.path.join(include_dir, "traceflow"))
    for word in out.replace("\\\n", " ").split():
        path = os.path.realpath(word) if word.endswith(".hpp") else None
        if path and path.startswith(root + os.sep):
            names.add(os.path.relpath(path, include_dir))
    return sorted(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--cxx", default="c++")
    parser.add_argument("--std", default="17")
    args = parser.parse_args()
    include_dir = os.path.join(args.root, "include")
    readme = open(os.path.join(args.root, "README.md"), encoding="utf-8").read()
    failed = False
    for header in HEADERS:
        names = pulled_in(args.cxx, args.std, include_dir, header)
        print("<%s> pulls in %d traceflow headers:" % (header, len(names)))
        for name in names:
            print("  " + name)
        stated = re.search(r"^<%s> pulls in (\d+) traceflow headers$" % re.escape(header), readme, re.M)
        if stated is None:
            print("README.md states no count for <%s>" % header)
            failed = True
        elif int(stated.group(1)) != len(names):
            print("README.md says %s, the compiler counts %d: update README.md" % (stated.group(1), len(names)))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
