"""Seeds for analyze's fuzz targets from a recorded capture (tests/data/analyze/samba-join.pcap):
  capture_seeds.py CAPTURE OUT
writes OUT/pcap (the capture's first packets as a small pcap), OUT/frame (single frames in the
frame target's layout: link byte 0 = Ethernet, then a 2-byte length), OUT/rpc (DCE/RPC payloads
in the RPC target's layout), OUT/zeek and OUT/pfirewall (small logs of both kinds)."""
import os
import struct
import sys


def records(raw):
    at = 24
    while at + 16 <= len(raw):
        caplen = struct.unpack("<I", raw[at + 8:at + 12])[0]
        yield raw[at:at + 16 + caplen]
        at += 16 + caplen


def main(capture, out):
    raw = open(capture, "rb").read()
    for kind in ("pcap", "frame", "rpc", "zeek", "pfirewall"):
        os.makedirs(os.path.join(out, kind), exist_ok=True)
    frames = list(records(raw))
    open(os.path.join(out, "pcap", "head.pcap"), "wb").write(raw[:24] + b"".join(frames[:40]))
    rpc = []
    for i, record in enumerate(frames):
        frame = record[16:]
        if i < 200:
            open(os.path.join(out, "frame", f"{i:03}"), "wb").write(b"\0" + struct.pack(">H", len(frame)) + frame)
        if len(frame) > 54 and frame[23] == 6:
            data = 14 + (frame[14] & 15) * 4
            payload = frame[data + (frame[data + 12] >> 4) * 4:]
            if payload[:2] == b"\x05\x00":
                rpc.append(payload)
    for i, payload in enumerate(rpc):
        open(os.path.join(out, "rpc", f"{i:03}"), "wb").write(struct.pack(">H", len(payload) & 0x3FFF) + payload)
    open(os.path.join(out, "zeek", "conn.log"), "w").write(
        "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\t"
        "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n"
        "1700000000.5\tC1\t198.18.10.5\t50000\t198.18.20.10\t88\ttcp\t0.25\t5\t400\t4\t500\n")
    open(os.path.join(out, "zeek", "conn.json"), "w").write(
        '{"ts":1700000000.25,"id.orig_h":"198.18.10.5","id.orig_p":50000,"id.resp_h":"198.18.20.10",'
        '"id.resp_p":445,"proto":"tcp","duration":1.5,"orig_pkts":3,"resp_pkts":2}\n')
    open(os.path.join(out, "pfirewall", "pfirewall.log"), "w").write(
        "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n"
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin "
        "icmptype icmpcode info path pid\n"
        "2024-01-15 10:22:01 ALLOW TCP 198.18.10.5 198.18.20.10 51234 445 0 - 0 0 0 - - - SEND 4\n"
        "2024-01-15 10:22:02 DROP UDP 198.18.10.7 198.18.20.10 137 137 78 - - - - - - - RECEIVE 0\n")
    print(f"seeds: {min(len(frames), 200)} frames, {len(rpc)} DCE/RPC payloads")


if __name__ == "__main__":
    main(*sys.argv[1:])
