#!/usr/bin/env python3
"""A DNS server that reads every query and answers none: a stalled resolver.

Usage, inside a private network namespace whose /etc/resolv.conf names
127.0.0.1 (tests/e2e/reliability_e2e_test.cpp sets that up):

    silent_resolver.py COMMAND [ARG...]

Brings the loopback interface up, listens on UDP 127.0.0.1:53, then runs
COMMAND (its stdin, stdout and stderr are this script's) and exits with its
status once it ends. The socket is bound before COMMAND starts, so its first
query is already read and ignored, never refused. At the end one line on
stderr says how many queries were read.
"""

import ctypes
import fcntl
import os
import signal
import socket
import struct
import sys

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
PR_SET_PDEATHSIG = 1


def loopback_up():
    # A new network namespace has its loopback interface down: nothing reaches 127.0.0.1.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def start(command):
    pid = os.fork()
    if pid == 0:
        # Dies with this script, so a test that kills it on timeout leaves nothing behind.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    return pid


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    loopback_up()
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 53))
    server.settimeout(0.05)
    pid = start(sys.argv[1:])
    queries = 0
    while True:
        try:
            server.recvfrom(4096)
            queries += 1
        except socket.timeout:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            break
    print(f"silent resolver: read {queries} queries, answered none", file=sys.stderr)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)  # killed by signal N: 128 + N, as a shell says


if __name__ == "__main__":
    main()
