#!/usr/bin/env python3
"""Add a traefik proxy and router labels to a project of composenet generate.

Usage: composenet generate --services 40 --seed 3 --project shop40 | python3 add-routes.py > gen40-traefik.yaml

The generator's own traefik gateways become plain nginx. The proxy publishes 80 and 443 and joins net0 and net1; every third service
gets a router (Host(`NAME.shop.example`), a PathPrefix on every other one,
several host names on every fifth, the port from its PORT variable), so
backends only on net2/net3 are routes the proxy cannot reach. Deterministic.
"""
import sys
import yaml

doc = yaml.safe_load(sys.stdin)
services = doc["services"]
# The generator's gateways run traefik too; one proxy is what a project has.
for s in services.values():
    if s.get("image", "").startswith("traefik"):
        s["image"] = "nginx:1.27-alpine"
names = list(services)
for i, name in enumerate(names):
    if i % 3:
        continue
    s = services[name]
    port = str(s.get("environment", {}).get("PORT", "80"))
    hosts = ["`%s.shop.example`" % name]
    if i % 5 == 0:
        hosts += ["`%s.shop-eu.example`" % name, "`%s.shop-us.example`" % name, "`%s-internal.corp.example`" % name]
    rule = "Host(%s)" % ", ".join(hosts)
    if i % 2 == 0:
        rule += " && PathPrefix(`/api/v%d`)" % (i % 4 + 1)
    s["labels"] = {
        "traefik.enable": "true",
        "traefik.http.routers.%s.rule" % name: rule,
        "traefik.http.services.%s.loadbalancer.server.port" % name: port,
    }
proxy = {
    "image": "traefik:v3.1",
    "command": ["--providers.docker=true", "--providers.docker.exposedByDefault=false"],
    "ports": ["80:80", "443:443"],
    "networks": {"net0": {}, "net1": {}},
}
doc["services"] = {"traefik": proxy, **services}
head = "# composenet generate --services 40 --seed 3 --project shop40 | python3 add-routes.py\n"
sys.stdout.write(head + yaml.safe_dump(doc, sort_keys=False, width=200))
