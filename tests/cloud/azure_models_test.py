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


ASG_ID = re.compile(r"^\[resourceId\('Microsoft\.Network/applicationSecurityGroups', '([^']+)'\)\]$")
STAGED = "[equals(parameters('stage'), 'all')]"


def problems(template):
    out = []
    per_direction = {}
    per_nsg = {}
    groups_of_nsg = {}
    # Application security groups: resources of their own, each valid for the model; with them the
    # template deploys in stages: the groups always, everything else only at stage "all".
    groups = set()
    staged = "parameters" in template
    if staged and template["parameters"].get("stage", {}).get("allowedValues") != ["groups", "all"]:
        out.append("the stage parameter is not groups|all")
    for r in template["resources"]:
        if r.get("type") != "Microsoft.Network/applicationSecurityGroups":
            if staged and r.get("condition") != STAGED:
                out.append(f"{r.get('name')}: deployed before the hosts join their groups")
            continue
        models = importlib.import_module("azure.mgmt.network.v" + r["apiVersion"].replace("-", "_") + ".models")
        group = models.ApplicationSecurityGroup.from_dict(r)
        if set(r) != {"type", "apiVersion", "name", "location", "properties"} or group.location != r["location"] \
                or not NAME.match(r["name"]) or "condition" in r:
            out.append(f"{r.get('name')}: not an application security group resource")
        groups.add(r["name"])
    if groups and not staged:
        out.append("application security groups without the stage parameter")
    # Rules as child resources, or (--create-nsgs) inside the NSG resource that holds them.
    rules = []
    resource_keys = {"type", "apiVersion", "name", "properties"} | ({"condition", "dependsOn"} if staged else set())
    for r in template["resources"]:
        if r.get("type") == "Microsoft.Network/networkSecurityGroups/securityRules":
            if set(r) - resource_keys:
                out.append(f"{r.get('name')}: {set(r) - resource_keys}")
            rules.append(r)
        elif r.get("type") == "Microsoft.Network/networkSecurityGroups":
            if set(r) - resource_keys - {"location"} or set(r["properties"]) != {"securityRules"}:
                out.append(f"{r.get('name')}: not an NSG resource")
            for inner in r["properties"]["securityRules"]:
                rules.append({"apiVersion": r["apiVersion"], "name": r["name"] + "/" + inner["name"],
                              "properties": inner["properties"], "dependsOn": r.get("dependsOn", [])})
        elif r.get("type") != "Microsoft.Network/applicationSecurityGroups":
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
        # A group named by resourceId() (the deployment knows its id): the model takes an id.
        named = []
        for side in ("sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups"):
            for g in props.get(side, []):
                m = ASG_ID.match(g.get("id", ""))
                if not m or m.group(1) not in groups:
                    out.append(f"{where}: {side} names no group of the template")
                elif g["id"] not in r.get("dependsOn", []):
                    out.append(f"{where}: deployed without waiting for {m.group(1)}")
                else:
                    named.append(m.group(1))
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
        for keys in (("sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups"),
                     ("destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups"),
                     ("destinationPortRange", "destinationPortRanges"), ("sourcePortRange", "sourcePortRanges")):
            given = sum(k in props for k in keys)
            if given > 1 or (given == 0 and keys[0] != "sourcePortRange"):
                out.append(f"{where}: exactly one of {', '.join(keys)}")
        key = (nsg, rule.direction, rule.priority)
        if key in per_direction:
            out.append(f"{where}: priority {rule.priority} also {per_direction[key]}")
        per_direction[key] = where
        groups_of_nsg.setdefault(nsg, set()).update(named)
        count, prefixes = per_nsg.get(nsg, (0, 0))
        per_nsg[nsg] = (count + 1, prefixes + len(rule.source_address_prefixes or [1]) +
                        len(rule.destination_address_prefixes or [1]))
    for nsg, (count, prefixes) in per_nsg.items():
        if count > limits["rules_per_nsg"] or prefixes > limits["prefixes_per_nsg"] or \
                len(groups_of_nsg.get(nsg, ())) > limits["asgs_per_nsg"]:
            out.append(f"{nsg}: over Azure's limits ({count} rules, {prefixes} prefixes)")
    for host in template["metadata"].get("join_before_rules", []):
        joined = host["application_security_groups"]
        if len(joined) > limits["asgs_per_ip_configuration"] or not set(joined) <= groups:
            out.append(f"{host['host']}: joins {joined}")
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
# And a template with application security groups: a rule that names a group before the hosts
# joined it, or one the template does not create, is refused.
staged = json.load(open(f"{src}/tests/golden/azure-nsg/asgs.expected"))
broken, _ = check(
    src, "none", problems, lambda t: 0, staged,
    lambda t: next(r for r in t["resources"] if "sourceApplicationSecurityGroups" in r.get("properties", {})), (
        ("a rule that does not wait for its group", lambda r: r.pop("dependsOn")),
        ("a rule deployed in the groups' stage", lambda r: r.pop("condition")),
        ("a group the template does not create",
         lambda r: r["properties"]["sourceApplicationSecurityGroups"][0].update(
             id="[resourceId('Microsoft.Network/applicationSecurityGroups', 'elsewhere')]")),
        ("a side with a group and addresses", lambda r: r["properties"].update(sourceAddressPrefix="198.18.0.1"))))
failed += broken
print(f"{'FAIL' if failed else 'ok'}: {rules} security rules against azure-mgmt-network's models")
sys.exit(1 if failed else 0)
