#!/usr/bin/env python3
"""Counts, per reference capture and per expression of expressions.tsv, the
TCP frames tshark's display filter `tcp && (X)` matches; writes tshark_counts.tsv.

Only captures where every frame tshark calls TCP is one traceflow traces
(conformance.tsv: tshark_tcp_frames == expected_traced_frames > 0) are used,
so the counts compare like with like.
Run: python3 make_tshark_counts.py ../shared/reference > tshark_counts.tsv
"""
import csv, re, subprocess, sys

ref = sys.argv[1]
exprs = [l.rstrip('\n').split('\t') for l in open(__file__.rsplit('/', 1)[0] + '/expressions.tsv')
         if l.strip() and not l.startswith('#')]
rows = list(csv.DictReader(open(ref + '/conformance.tsv'), delimiter='\t'))
print('# made by make_tshark_counts.py with ' +
      subprocess.run(['tshark', '--version'], capture_output=True, text=True).stdout.splitlines()[0])
print('file\t' + '\t'.join('e%d' % i for i in range(len(exprs))))
for row in rows:
    n = int(row['tshark_tcp_frames'] or 0)
    if n == 0 or n != int(row['expected_traced_frames'] or 0):
        continue
    spec = ','.join('tcp && (%s)' % t for _, t in exprs)
    out = subprocess.run(['tshark', '-r', ref + '/captures/' + row['file'], '-q', '-z', 'io,stat,0,' + spec],
                         capture_output=True, text=True, check=True).stdout
    lines = [l for l in out.splitlines() if '<>' in l]
    if not lines:  # io,stat prints no row when the capture spans no time: count with -Y
        frames = [str(len(subprocess.run(['tshark', '-r', ref + '/captures/' + row['file'], '-Y', 'tcp && (%s)' % t,
                                          '-T', 'fields', '-e', 'frame.number'], capture_output=True, text=True,
                                         check=True).stdout.split())) for _, t in exprs]
        print(row['file'] + '\t' + '\t'.join(frames))
        continue
    cells = [c.strip() for c in lines[-1].strip().strip('|').split('|')][1:]
    frames = cells[0::2]  # Frames | Bytes per expression
    print(row['file'] + '\t' + '\t'.join(frames[:len(exprs)]))
