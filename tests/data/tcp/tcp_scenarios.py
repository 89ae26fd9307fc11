#!/usr/bin/env python3
"""Client/server pairs that produce the TCP scenario captures in this folder.

The server runs inside the network namespace made by make_tcp_scenarios.sh
(address 10.77.0.2), the client outside it (10.77.0.1):

    ip netns exec tfcap python3 tcp_scenarios.py server NAME READYFILE
    python3 tcp_scenarios.py client NAME

The server creates READYFILE once it is listening. Every scenario uses its own
server port and, where the 4-tuple matters, a fixed client port (see PORTS).
Only the standard library is used.
"""
import socket
import struct
import sys
import time

SERVER_IP = "10.77.0.2"
CLIENT_IP = "10.77.0.1"

# scenario -> (server port, client port or None for an ephemeral one)
PORTS = {
    "reuse_after_fin": (7001, 40001),
    "reuse_after_rst": (7002, 40002),
    "half_close": (7003, 40003),
    "retransmitted_syn": (7004, 40004),
    "synack_first": (7005, 40005),
    "midstream": (7006, 40006),
    "long_idle": (7007, 40007),
    "many_short_flows": (7008, None),
    "rst_close": (7009, 40009),
}
FILLER_PORT = 40040      # client port of the connection that fills the accept queue
MANY_FLOWS = 200
MIDSTREAM_CHUNKS = 80
MIDSTREAM_CHUNK_SIZE = 200


# ----------------------------------------------------------------- helpers
def listener(port, backlog=16):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((SERVER_IP, port))
    s.listen(backlog)
    return s


def connect(port, client_port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if client_port is not None:
        # SO_REUSEADDR lets us bind the same local port again right away.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((CLIENT_IP, client_port))
    s.settimeout(15)
    s.connect((SERVER_IP, port))
    return s


def abort(s):
    """close() with SO_LINGER {on, 0}: the kernel sends RST instead of FIN."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(1)
        if not d:
            break
        buf += d
    return buf


def read_all(s):
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            return out
        out += d


def listen_overflows():
    """TcpExt ListenOverflows of the current network namespace."""
    with open("/proc/net/netstat") as f:
        lines = [l.split() for l in f if l.startswith("TcpExt:")]
    names, values = lines[0], lines[1]
    return int(values[names.index("ListenOverflows")])


# ----------------------------------------------------------------- servers
def server(name, ready_file):
    port = PORTS[name][0]
    backlog = 0 if name == "retransmitted_syn" else 16
    if name == "retransmitted_syn":
        base = listen_overflows()
    ls = listener(port, backlog)
    open(ready_file, "w").close()

    if name == "reuse_after_fin":
        for i in (1, 2):
            c, _ = ls.accept()
            read_line(c)
            c.sendall(b"reply %d\n" % i)
            c.close()                      # server closes first -> FIN
    elif name == "reuse_after_rst":
        c, _ = ls.accept()
        read_line(c)
        c.sendall(b"reply 1\n")
        try:
            read_all(c)                    # client aborts with RST
        except ConnectionResetError:
            pass
        c.close()
        c, _ = ls.accept()
        read_line(c)
        c.sendall(b"reply 2\n")
        c.close()
    elif name == "half_close":
        c, _ = ls.accept()
        read_all(c)                        # request, then the client's FIN
        for i in range(1, 6):
            c.sendall(b"chunk %d of 5 after the client's FIN\n" % i)
            time.sleep(0.2)
        c.close()
    elif name == "retransmitted_syn":
        # backlog 0: the accept queue holds one connection. The filler
        # connection fills it, so the kernel drops the next SYN (counted in
        # ListenOverflows). Accepting the filler then frees the queue and the
        # client's retransmitted SYN (~1 s later) is answered.
        while listen_overflows() == base:
            time.sleep(0.01)
        filler, _ = ls.accept()
        c, _ = ls.accept()
        read_line(c)
        c.sendall(b"reply\n")
        read_all(c)
        c.close()
        read_all(filler)
        filler.close()
    elif name == "synack_first":
        c, _ = ls.accept()
        read_line(c)
        c.sendall(b"hello back\n")
        read_all(c)
        c.close()
    elif name == "midstream":
        c, _ = ls.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        read_line(c)
        for i in range(MIDSTREAM_CHUNKS):
            head = b"chunk %03d " % i
            c.sendall(head + b"x" * (MIDSTREAM_CHUNK_SIZE - len(head) - 1) + b"\n")
            time.sleep(0.01)
        c.close()
    elif name == "long_idle":
        c, _ = ls.accept()
        while True:
            line = read_line(c)
            if not line:
                break
            c.sendall(line.replace(b"ping", b"pong"))
        c.close()
    elif name == "many_short_flows":
        for _ in range(MANY_FLOWS):
            c, _ = ls.accept()
            read_line(c)
            c.sendall(b"ok\n")
            read_all(c)
            c.close()
    elif name == "rst_close":
        c, _ = ls.accept()
        read_line(c)
        for i in range(3):
            c.sendall(b"part %d " % i + b"y" * 90 + b"\n")
            time.sleep(0.1)
        abort(c)                           # RST in the middle of the response
    else:
        raise SystemExit("unknown scenario " + name)
    ls.close()


# ----------------------------------------------------------------- clients
def client(name):
    port, cport = PORTS[name]
    if name == "reuse_after_fin":
        for i in (1, 2):
            s = connect(port, cport)
            s.sendall(b"request %d\n" % i)
            read_all(s)                    # server's FIN
            s.close()
            time.sleep(0.3)
    elif name == "reuse_after_rst":
        s = connect(port, cport)
        s.sendall(b"request 1\n")
        read_line(s)
        time.sleep(0.1)
        abort(s)
        time.sleep(0.3)
        s = connect(port, cport)
        s.sendall(b"request 2\n")
        read_all(s)
        s.close()
    elif name == "half_close":
        s = connect(port, cport)
        s.sendall(b"request, then no more data from the client\n")
        s.shutdown(socket.SHUT_WR)
        read_all(s)
        s.close()
    elif name == "retransmitted_syn":
        filler = connect(port, FILLER_PORT)
        time.sleep(0.1)
        s = connect(port, cport)           # first SYN dropped, retransmitted
        s.sendall(b"request\n")
        read_line(s)
        s.close()
        filler.close()
    elif name == "synack_first":
        s = connect(port, cport)
        s.sendall(b"hello\n")
        read_line(s)
        s.close()
    elif name == "midstream":
        s = connect(port, cport)
        s.sendall(b"send me the stream\n")
        read_all(s)
        s.close()
    elif name == "long_idle":
        s = connect(port, cport)
        s.sendall(b"ping 1\n")
        read_line(s)
        time.sleep(5)
        s.sendall(b"ping 2\n")
        read_line(s)
        s.close()
    elif name == "many_short_flows":
        for _ in range(MANY_FLOWS):
            s = connect(port, None)
            s.sendall(b"hi\n")
            read_line(s)
            s.close()
    elif name == "rst_close":
        s = connect(port, cport)
        s.sendall(b"send me a long answer\n")
        try:
            read_all(s)
        except ConnectionResetError:
            pass
        s.close()
    else:
        raise SystemExit("unknown scenario " + name)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "server":
        server(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "client":
        client(sys.argv[2])
    else:
        raise SystemExit(__doc__)
