#!/usr/bin/env python3
"""Splits a JFR recording's CPU samples on Riata's event loops into Riata's own code and the rest.

Usage: profile_split.py recording.jfr
Each execution sample of a thread named riata-data-* is charged to the first frame, from the top
of its stack, that belongs to Riata (io.riata.*) or to Netty (io.netty.*): JDK and library frames
(Jackson's parser, collections) count for whoever called them. Prints one line of percentages.
"""
import collections
import re
import subprocess
import sys

text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", sys.argv[1]],
                      capture_output=True, text=True, check=True).stdout
counts = collections.Counter()
for event in text.split("jdk.ExecutionSample")[1:]:
    thread = re.search(r'sampledThread = "([^"]+)"', event)
    if not thread or not thread.group(1).startswith("riata-data"):
        continue
    owner = "other"
    for frame in re.findall(r"^\s+([\w$.<>/]+)\(", event, re.M):
        if frame.startswith("io.riata."):
            owner = "riata"
            break
        if frame.startswith("io.netty."):
            owner = "netty"
            break
    counts[owner] += 1
total = sum(counts.values()) or 1
print("%d samples on the event loops: Riata's own code %.0f%%, Netty (HTTP codec, buffers, sockets) %.0f%%, other %.0f%%"
      % (total, 100 * counts["riata"] / total, 100 * counts["netty"] / total, 100 * counts["other"] / total))
