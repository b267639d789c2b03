#!/usr/bin/env python3
"""plan --format aws-sg against the EC2 service model that python3-botocore ships (test only): each
ingress rule of every golden CloudFormation template, turned into the AuthorizeSecurityGroupIngress
input it stands for (its properties map one to one onto an IpPermission), and each group into the
CreateSecurityGroup input, pass botocore's parameter validator; then what botocore does not check:
port and ICMP ranges, the description's characters, the quotas of data/targets/aws-sg.yaml (inbound
rules per group and family, groups per interface). A broken template is refused, or the check
proves nothing. Usage: aws_models_test.py SOURCE_DIR"""
import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cloud_check import check  # noqa: E402

src = sys.argv[1]
try:
    import botocore.session
    from botocore.validate import ParamValidator
except ImportError:
    print("SKIP: python3-botocore is not installed (scripts/setup.sh installs it)")
    sys.exit(77)

quotas = yaml.safe_load(open(f"{src}/data/targets/aws-sg.yaml"))
ec2 = botocore.session.get_session().get_service_model("ec2")
authorize = ec2.operation_model("AuthorizeSecurityGroupIngress").input_shape
create = ec2.operation_model("CreateSecurityGroup").input_shape
DESCRIPTION = re.compile("^[a-zA-Z0-9 " + re.escape(quotas["description_extra"]) + "]*$")
PLACEHOLDER = "sg-0123456789abcdef0"  # a group id only the deployment knows
INGRESS_KEYS = {"GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6", "SourceSecurityGroupId",
                "Description"}


def validation(params, shape):
    report = ParamValidator().validate(params, shape)
    return report.generate_report() if report.has_errors() else ""


def problems(template):
    out = []
    per_group = {}
    for name, r in template["Resources"].items():
        p = r["Properties"]
        if r["Type"] == "AWS::EC2::SecurityGroup":
            err = validation({"Description": p["GroupDescription"], "GroupName": name, "VpcId": "vpc-0123456789abcdef0"},
                             create)
            if err:
                out.append(f"{name}: {err}")
            if len(p["GroupDescription"]) > quotas["description_length"] or not DESCRIPTION.match(p["GroupDescription"]):
                out.append(f"{name}: group description")
            continue
        if r["Type"] != "AWS::EC2::SecurityGroupIngress":
            out.append(f"{name}: type {r['Type']}")
            continue
        unknown = set(p) - INGRESS_KEYS
        if unknown:
            out.append(f"{name}: {sorted(unknown)} are no SecurityGroupIngress properties")
            continue
        permission = {"IpProtocol": p["IpProtocol"]}
        for key in ("FromPort", "ToPort"):
            if key in p:
                permission[key] = p[key]
        sources = [k for k in ("CidrIp", "CidrIpv6", "SourceSecurityGroupId") if k in p]
        if len(sources) != 1:
            out.append(f"{name}: {len(sources)} sources")
            continue
        if "CidrIp" in p:
            permission["IpRanges"] = [{"CidrIp": p["CidrIp"], "Description": p["Description"]}]
        elif "CidrIpv6" in p:
            permission["Ipv6Ranges"] = [{"CidrIpv6": p["CidrIpv6"], "Description": p["Description"]}]
        else:
            permission["UserIdGroupPairs"] = [{"GroupId": PLACEHOLDER, "Description": p["Description"]}]
        err = validation({"GroupId": PLACEHOLDER, "IpPermissions": [permission]}, authorize)
        if err:
            out.append(f"{name}: {err}")
        protocol = p["IpProtocol"]
        if any(not isinstance(p[k], int) for k in ("FromPort", "ToPort") if k in p):
            out.append(f"{name}: ports are not numbers")
        elif protocol in ("tcp", "udp"):
            if not 0 <= p["FromPort"] <= p["ToPort"] <= 65535:
                out.append(f"{name}: ports {p['FromPort']}-{p['ToPort']}")
        elif protocol in ("icmp", "icmpv6"):
            if not (-1 <= p["FromPort"] <= 255 and -1 <= p["ToPort"] <= 255):
                out.append(f"{name}: ICMP type/code {p['FromPort']}/{p['ToPort']}")
        elif not (protocol.isdigit() and 0 <= int(protocol) <= 255) or "FromPort" in p:
            out.append(f"{name}: protocol {protocol}")
        if len(p["Description"]) > quotas["description_length"] or not DESCRIPTION.match(p["Description"]):
            out.append(f"{name}: description {p['Description']!r}")
        group = p["GroupId"]["Fn::GetAtt"][0]
        if group not in template["Resources"]:
            out.append(f"{name}: group {group} is not in the template")
        v4, v6 = per_group.get(group, (0, 0))
        per_group[group] = (v4 + ("CidrIpv6" not in p), v6 + ("CidrIp" not in p))
    for group, (v4, v6) in per_group.items():
        if max(v4, v6) > quotas["inbound_rules_per_group"]:
            out.append(f"{group}: {v4} IPv4 and {v6} IPv6 inbound rules, over the quota")
    for name, o in template.get("Outputs", {}).items():
        if len(o["Value"]["Fn::Join"][1]) > quotas["groups_per_interface"]:
            out.append(f"{name}: more groups than an interface carries")
    return out


sample = json.load(open(f"{src}/tests/golden/dmz.aws-sg"))
first = next(k for k, r in sample["Resources"].items() if r["Type"] == "AWS::EC2::SecurityGroupIngress"
             and r["Properties"]["IpProtocol"] == "tcp")
failed, rules = check(
    src, "aws-sg", problems,
    lambda t: sum(r["Type"] == "AWS::EC2::SecurityGroupIngress" for r in t["Resources"].values()),
    sample, lambda t: t["Resources"][first]["Properties"], (
        ("a port past 65535", lambda p: p.update(ToPort=70000)),
        ("a port given as text", lambda p: p.update(FromPort="53")),
        ("a description EC2 refuses (\u00a7)", lambda p: p.update(Description="KB \u00a7Kerberos")),
        ("a misspelt property", lambda p: p.update(CidrIP="198.18.0.0/24")),
        ("two sources", lambda p: p.update(CidrIp="198.18.0.0/24", CidrIpv6="2001:db8::/64"))))
print(f"{'FAIL' if failed else 'ok'}: {rules} ingress rules against botocore's EC2 model ({ec2.metadata['apiVersion']})")
sys.exit(1 if failed else 0)
