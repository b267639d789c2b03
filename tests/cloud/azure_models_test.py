#!/usr/bin/env python3
"""plan --format azure-nsg against Azure's own models (python3-azure's azure-mgmt-network, test
only): every template of the golden files deploys securityRules of an API version the SDK ships,
whose properties are that version's SecurityRule members with values its enums allow, and within
the limits Azure documents and the models do not check (data/targets/azure-nsg.yaml). A broken
template is refused, or the check proves nothing.
Usage: azure_models_test.py SOURCE_DIR"""
import importlib
import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cloud_check import check  # noqa: E402

src = sys.argv[1]
try:
    importlib.import_module("azure.mgmt.network")
except ImportError:
    print("SKIP: python3-azure is not installed (scripts/setup.sh installs it)")
    sys.exit(77)

limits = yaml.safe_load(open(f"{src}/data/targets/azure-nsg.yaml"))
NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$")


def problems(template):
    out = []
    per_direction = {}
    per_nsg = {}
    # Rules as child resources, or (--create-nsgs) inside the NSG resource that holds them.
    rules = []
    for r in template["resources"]:
        if r.get("type") == "Microsoft.Network/networkSecurityGroups/securityRules":
            rules.append(r)
        elif r.get("type") == "Microsoft.Network/networkSecurityGroups":
            if set(r) - {"type", "apiVersion", "name", "location", "properties"} or set(r["properties"]) != {"securityRules"}:
                out.append(f"{r.get('name')}: not an NSG resource")
            for inner in r["properties"]["securityRules"]:
                rules.append({"apiVersion": r["apiVersion"], "name": r["name"] + "/" + inner["name"],
                              "properties": inner["properties"]})
        else:
            out.append(f"{r.get('name', '?')}: type {r.get('type')}")
    for r in rules:
        where = r.get("name", "?")
        version = "v" + r["apiVersion"].replace("-", "_")
        try:
            models = importlib.import_module(f"azure.mgmt.network.{version}.models")
        except ImportError:
            out.append(f"{where}: API version {r['apiVersion']} is not one azure-mgmt-network knows")
            continue
        known = {v["key"].split(".", 1)[1] for v in models.SecurityRule._attribute_map.values()
                 if v["key"].startswith("properties.")}
        props = r["properties"]
        for key in props:
            if key not in known:
                out.append(f"{where}: {key} is no SecurityRule property")
        rule = models.SecurityRule.from_dict({"name": where.split("/", 1)[-1], "properties": props})
        if rule.serialize(keep_readonly=True).get("properties", {}).keys() != props.keys():
            out.append(f"{where}: the model does not read back every property")
        for value, enum in ((rule.protocol, models.SecurityRuleProtocol), (rule.access, models.SecurityRuleAccess),
                            (rule.direction, models.SecurityRuleDirection)):
            if value not in {e.value for e in enum}:
                out.append(f"{where}: {value} is not a {enum.__name__}")
        nsg, name = where.split("/", 1)
        if not NAME.match(name) or len(name) > limits["name_length"]:
            out.append(f"{where}: not a valid rule name")
        if not isinstance(rule.priority, int) or not limits["priority"][0] <= rule.priority <= limits["priority"][1]:
            out.append(f"{where}: priority {rule.priority}")
        if len(rule.description or "") > limits["description_length"]:
            out.append(f"{where}: description longer than {limits['description_length']}")
        for one, many in (("sourceAddressPrefix", "sourceAddressPrefixes"),
                          ("destinationAddressPrefix", "destinationAddressPrefixes"),
                          ("destinationPortRange", "destinationPortRanges"), ("sourcePortRange", "sourcePortRanges")):
            if (one in props) == (many in props) and (one in props or one != "sourcePortRange"):
                out.append(f"{where}: exactly one of {one} and {many}")
        key = (nsg, rule.direction, rule.priority)
        if key in per_direction:
            out.append(f"{where}: priority {rule.priority} also {per_direction[key]}")
        per_direction[key] = where
        count, prefixes = per_nsg.get(nsg, (0, 0))
        per_nsg[nsg] = (count + 1, prefixes + len(rule.source_address_prefixes or [1]) +
                        len(rule.destination_address_prefixes or [1]))
    for nsg, (count, prefixes) in per_nsg.items():
        if count > limits["rules_per_nsg"] or prefixes > limits["prefixes_per_nsg"]:
            out.append(f"{nsg}: over Azure's limits ({count} rules, {prefixes} prefixes)")
    return out


failed, rules = check(
    src, "azure-nsg", problems,
    lambda t: sum(len(r["properties"].get("securityRules", [r])) for r in t["resources"]),
    json.load(open(f"{src}/tests/golden/branch-office.azure-nsg")), lambda t: t["resources"][0], (
        ("an unknown protocol", lambda r: r["properties"].update(protocol="Gre")),
        ("a priority past 4096", lambda r: r["properties"].update(priority=5000)),
        ("a misspelt property", lambda r: r["properties"].update(destinationPortRangez="1")),
        ("an API version Azure never had", lambda r: r.update(apiVersion="2099-01-01")),
        ("a name ending in a dot", lambda r: r.update(name=r["name"] + "."))))
print(f"{'FAIL' if failed else 'ok'}: {rules} security rules against azure-mgmt-network's models")
sys.exit(1 if failed else 0)
