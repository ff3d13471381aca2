#!/usr/bin/env python3
"""Splits a JFR recording's CPU samples into Riata's own code and the transport under it.

Usage: profile_split.py recording.jfr [thread-name-prefix]   (default prefix: riata-data)
Each execution sample of a thread whose name starts with the prefix is charged to the first frame,
from the top of its stack, that belongs to Riata (io.riata.*) or to a transport library (Netty;
Pekko and Scala, for builds that served HTTP with Pekko HTTP): JDK and library frames in between
(Jackson's parser, collections) count for whoever called them. Prints one line of percentages.
"""
import collections
import re
import subprocess
import sys

prefix = sys.argv[2] if len(sys.argv) > 2 else "riata-data"
text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", sys.argv[1]],
                      capture_output=True, text=True, check=True).stdout
transport = ("io.netty.", "org.apache.pekko.", "scala.")
counts = collections.Counter()
for event in text.split("jdk.ExecutionSample")[1:]:
    thread = re.search(r'sampledThread = "([^"]+)"', event)
    if not thread or not thread.group(1).startswith(prefix):
        continue
    owner = "other"
    for frame in re.findall(r"^\s+([\w$.<>/]+)\(", event, re.M):
        if frame.startswith("io.riata."):
            owner = "riata"
            break
        if frame.startswith(transport):
            owner = "transport"
            break
    counts[owner] += 1
total = sum(counts.values()) or 1
print("%d samples on %s* threads: Riata's own code %.0f%%, transport (HTTP codec, connections, streams) %.0f%%, other %.0f%%"
      % (total, prefix, 100 * counts["riata"] / total, 100 * counts["transport"] / total, 100 * counts["other"] / total))
