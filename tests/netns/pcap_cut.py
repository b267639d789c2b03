"""Copies a pcap (Ethernet, IPv4) leaving packets out, as a capture that missed them would:
  pcap_cut.py IN OUT port PORT   every TCP packet to or from PORT (a capture begun after them)
  pcap_cut.py IN OUT bind        every DCE/RPC bind and alter-context (TCP payload 05 00 0b or
                                 05 00 0e) not on port 135
Plain Python rather than a BPF filter: BPF drops a packet outright when an offset runs past its end,
which would take every payload-less segment with it."""
import struct
import sys


def tcp_parts(frame):
    """(source port, destination port, payload) of an Ethernet/IPv4/TCP frame, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack(">H", frame[16:18])[0]
    tcp = 14 + ihl
    if len(frame) < tcp + 20:
        return None
    sport, dport = struct.unpack(">HH", frame[tcp:tcp + 4])
    data = tcp + (frame[tcp + 12] >> 4) * 4
    return sport, dport, frame[data:14 + total]


def main(source, target, mode, port=None):
    raw = open(source, "rb").read()
    magic = raw[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out, at, kept, dropped = [raw[:24]], 24, 0, 0
    while at + 16 <= len(raw):
        caplen = struct.unpack(endian + "I", raw[at + 8:at + 12])[0]
        record = raw[at:at + 16 + caplen]
        at += 16 + caplen
        parts = tcp_parts(record[16:])
        drop = False
        if parts and mode == "port":
            drop = int(port) in parts[:2]
        elif parts and mode == "bind":
            drop = 135 not in parts[:2] and parts[2][:3] in (b"\x05\x00\x0b", b"\x05\x00\x0e")
        if drop:
            dropped += 1
        else:
            out.append(record)
            kept += 1
    open(target, "wb").write(b"".join(out))
    print(f"{source} -> {target}: kept {kept}, dropped {dropped}")


if __name__ == "__main__":
    main(*sys.argv[1:])
