"""Drain3 side of bench/logmine: mines the messages it is given, in this process, and reports the
cluster id of each of the first lines (for grouping accuracy) and the mining rate.

stdin: one JSON object {"contents": [...], "repeat_to": N, "masking": true|false}
stdout: one JSON object {"ids": [...], "lines": N, "seconds": S, "cpu_seconds": C, "version": "...", "max_rss_kib": K}
"""
import json
import resource
import sys
import time
from importlib.metadata import version

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

# The masks of Drain3's own examples/drain3.ini (ID, IP, SEQ x2, HEX, NUM), as the project ships them.
EXAMPLE_MASKS = [
    (r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
    (r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
    (r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
]


def main():
    job = json.load(sys.stdin)
    contents = job["contents"]
    repeat_to = max(int(job.get("repeat_to", len(contents))), len(contents))
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    if job.get("masking", True):
        config.masking_instructions = [MaskingInstruction(p, name) for p, name in EXAMPLE_MASKS]
        config.mask_prefix = "<:"
        config.mask_suffix = ":>"
    miner = TemplateMiner(config=config)
    ids = []
    n = len(contents)
    started = time.perf_counter()
    cpu_started = time.process_time()
    for i in range(repeat_to):
        result = miner.add_log_message(contents[i % n])
        if i < n:
            ids.append(str(result["cluster_id"]))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    json.dump(
        {"ids": ids, "lines": repeat_to, "seconds": seconds, "cpu_seconds": cpu_seconds, "version": version("drain3"), "max_rss_kib": max_rss_kib},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
