#!/usr/bin/env python3
"""The scale benchmarks' site: 5,000 hosts, 200 zones, 20,000 access entries each naming a host.
Writes SITE (netbios: false) and OPEN (netbios left unset: every NetBIOS row undecided)."""
import random, sys
random.seed(832017)
roles = ["domain-controller", "file-server", "print-server", "iis-web", "sql-server", "managed-server"]
profiles = {"domain-controller": "domain-member", "file-server": "file-client", "print-server": "print-client",
            "iis-web": "web-client", "sql-server": None, "managed-server": "remote-admin"}
oses = ["windows-server-2022", "windows-server-2019", "windows-server-2016", "windows-server-2012-r2"]
out = ["site: scale", "zones:"]
for z in range(200):
    out.append(f"  z{z}: {{ networks: [198.18.{z}.0/24], os: {random.choice(oses)} }}")
out.append("hosts:")
hosts = []
for h in range(5000):
    z = h % 200
    role = roles[h % len(roles)]
    hosts.append((f"h{h}", role))
    out.append(f"  h{h}: {{ address: 198.18.{z}.{10 + h // 200}, zone: z{z}, roles: [{role}] }}")
out.append("access:")
for a in range(20000):
    host, role = random.choice(hosts)
    src = f"z{random.randrange(200)}"
    prof = profiles[role]
    out.append(f"  - {{ from: {src}, to: {host}, as: {prof} }}" if prof else f"  - {{ from: {src}, to: {host}, services: [sql-server] }}")
open(sys.argv[1], "w").write("\n".join(out + ["settings: { netbios: false }"]) + "\n")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
