"""A large capture for the analyze benchmark, made from a recorded one (Ethernet/IPv4 pcap):
  make_capture.py IN OUT MIB CLIENTS
copies IN until OUT holds MIB MiB, each copy later in time and from one of CLIENTS client
addresses (198.19.0.0/16, round robin), so the flows grow with CLIENTS while the size grows with
MIB. The recorded client's address is replaced wherever it appears in an IPv4 header; checksums
are left as they are (none of the tools measured verifies them)."""
import struct
import sys


def main(source, target, mib, clients):
    raw = open(source, "rb").read()
    header, body = raw[:24], raw[24:]
    records, at = [], 0
    while at + 16 <= len(body):
        caplen = struct.unpack("<I", body[at + 8:at + 12])[0]
        records.append(bytearray(body[at:at + 16 + caplen]))
        at += 16 + caplen
    # The recorded client: the source of the first IPv4 packet from 198.18.10.0/24.
    client = next(r[16 + 26:16 + 30] for r in records if r[16 + 12:16 + 14] == b"\x08\x00" and r[16 + 26:16 + 29] == bytes([198, 18, 10]))
    start = struct.unpack("<I", records[0][0:4])[0]
    span = struct.unpack("<I", records[-1][0:4])[0] - start + 1
    want = int(mib) * 1024 * 1024
    written, copy = len(header), 0
    with open(target, "wb") as out:
        out.write(header)
        while written < want:
            n = copy % int(clients)
            address = bytes([198, 19, n >> 8 & 0xFF, n & 0xFF])
            shift = copy * span
            for r in records:
                r = bytearray(r)
                struct.pack_into("<I", r, 0, struct.unpack("<I", r[0:4])[0] + shift)
                if r[16 + 12:16 + 14] == b"\x08\x00":
                    if r[16 + 26:16 + 30] == client:
                        r[16 + 26:16 + 30] = address
                    if r[16 + 30:16 + 34] == client:
                        r[16 + 30:16 + 34] = address
                out.write(r)
                written += len(r)
            copy += 1
    print(f"{target}: {written / 1048576:.1f} MiB, {copy} copies of {len(records)} packets, {min(copy, int(clients))} clients")


if __name__ == "__main__":
    main(*sys.argv[1:])
