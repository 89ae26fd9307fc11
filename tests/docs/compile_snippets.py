#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compiles every C++ code block of README.md and of the header comments.

Which blocks:
  * README.md (and any other Markdown file given with --markdown): fenced
    blocks tagged ```cpp or ```c++.
  * headers under include/: fenced blocks inside `//` or `///` comments,
    untagged or tagged cpp/c++ (tag a block ```text when it is not code).

How a block is compiled (syntax and semantics, no linking):
  * a block that contains `int main` is a whole translation unit, compiled
    as it is;
  * any other block is a fragment: its `#include` lines are kept at file
    scope, everything else becomes the body of a function, after
    `#include <traceflow/traceflow.hpp>` and the usual standard headers.
    A fragment therefore declares the variables it uses; types and
    specialisations need a whole program with `int main`.

Every block must compile with the project's warnings (-Wall -Wextra
-Wpedantic -Werror; unused names are allowed). Zero blocks found is an
error too, so the check cannot pass by finding nothing.
"""
import argparse
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys

FENCE = re.compile(r"^(\s*)```\s*([A-Za-z0-9_+-]*)\s*$")
COMMENT = re.compile(r"^\s*///?( ?)(.*)$")
CPP_TAGS = {"cpp", "c++"}

FRAGMENT_PRELUDE = """#include <traceflow/traceflow.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>
"""


class Block:
    def __init__(self, path, line, text):
        self.path = path
        self.line = line
        self.text = text

    def where(self):
        return f"{self.path}:{self.line}"


def markdown_blocks(path, display):
    blocks = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        tag = m.group(2).lower()
        start = i + 1
        j = start
        while j < len(lines) and not FENCE.match(lines[j]):
            j += 1
        if tag in CPP_TAGS:
            blocks.append(Block(display, start + 1, "\n".join(lines[start:j])))
        i = j + 1
    return blocks


def header_blocks(path, display):
    """Fenced blocks inside consecutive comment lines."""
    blocks = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        c = COMMENT.match(lines[i])
        m = FENCE.match(c.group(2)) if c else None
        if not m:
            i += 1
            continue
        tag = m.group(2).lower()
        body = []
        j = i + 1
        while j < len(lines):
            cj = COMMENT.match(lines[j])
            if cj is None:
                raise SystemExit(f"{display}:{i + 1}: code block not closed inside its comment")
            if FENCE.match(cj.group(2)):
                break
            body.append(cj.group(2))
            j += 1
        if tag == "" or tag in CPP_TAGS:
            blocks.append(Block(display, i + 2, "\n".join(body)))
        i = j + 1
    return blocks


def translation_unit(block):
    if re.search(r"\bint\s+main\s*\(", block.text):
        return f'#line {block.line} "{block.path}"\n{block.text}\n'
    includes = [l for l in block.text.splitlines() if l.lstrip().startswith("#include")]
    body = [l if not l.lstrip().startswith("#include") else "" for l in block.text.splitlines()]
    return (FRAGMENT_PRELUDE + "\n".join(includes) + "\n\n[[maybe_unused]] static void traceflow_snippet() {\n"
            + f'#line {block.line} "{block.path}"\n' + "\n".join(body) + "\n}\n")


def compile_block(args, index, block):
    source = pathlib.Path(args.work) / f"snippet_{index:03d}.cpp"
    source.write_text(translation_unit(block), encoding="utf-8")
    command = [args.cxx, f"-std=c++{args.std}", "-fsyntax-only", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
               "-Wno-unused-variable", "-Wno-unused-parameter", "-Wno-unused-but-set-variable",
               "-Wno-unused-function", "-I", args.include, str(source)]
    result = subprocess.run(command, capture_output=True, text=True)
    return block, source, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True, help="project source folder")
    parser.add_argument("--cxx", required=True, help="C++ compiler")
    parser.add_argument("--std", default="17", help="C++ standard (17, 20)")
    parser.add_argument("--work", required=True, help="folder for the generated sources")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    root = pathlib.Path(args.root)
    args.include = str(root / "include")
    os.makedirs(args.work, exist_ok=True)
    blocks = markdown_blocks(root / "README.md", "README.md")
    for header in sorted((root / "include").rglob("*.hpp")):
        blocks += header_blocks(header, str(header.relative_to(root)))
    if not blocks:
        print("no C++ code blocks found: nothing was checked", file=sys.stderr)
        return 1

    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        jobs = [pool.submit(compile_block, args, i, b) for i, b in enumerate(blocks)]
        for job in jobs:
            block, source, result = job.result()
            if result.returncode == 0:
                print(f"ok   {block.where()}")
                continue
            failures += 1
            print(f"FAIL {block.where()} (generated {source})\n{result.stdout}{result.stderr}")
    print(f"{len(blocks) - failures} of {len(blocks)} code blocks compile")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
