"""Checks the mock cloud with an eWeLink cloud client we did not write: the `ewelink` package from
PyPI (an API v2 client: HMAC `Sign` login with the 10004 region redirect, Bearer thing list and
status, logout). Its pydantic models also hold the mock's device items to what that library
expects of the real cloud.

Usage: cloud_client.py READY.json FLEET.json   (ewelink-sim running with that fleet and --cloud-port;
READY.json is its ready line). Prints one line per check; exits non-zero on the first failure.
"""
import asyncio, json, sys, urllib.request

import ewelink.ewelink as client_module
from ewelink import EWeLink
from ewelink.types import AppCredentials, EmailUserCredentials


def fail(what):
    print(f"interop cloud: FAIL {what}")
    sys.exit(1)


def device_state(control, device_id):
    with urllib.request.urlopen(f"{control}/devices/{device_id}", timeout=5) as r:
        return json.loads(r.read())


async def main(ready, fleet):
    base = ready["cloud"]  # http://127.0.0.1:PORT/{region}
    # Point the library's region table at the mock (nothing else of it is changed).
    for region in list(client_module.DOMAINS):
        client_module.DOMAINS[region] = base.replace("{region}", region)
    cloud = fleet["cloud"]
    account = cloud["accounts"][0]
    app = AppCredentials(id=cloud["appId"], secret=cloud["appSecret"])
    user = EmailUserCredentials(email=account["email"], password=account["password"], countryCode=account["countryCode"])
    async with EWeLink(app, user) as api:
        login = await api.login()  # starts at "cn": the mock redirects to the account's region
        if login.region != account["region"]:
            fail(f"login ended in region {login.region}, expected {account['region']}")
        print(f"interop cloud: login through the 10004 redirect to {login.region}")
        things = await api.get_thing_list()
        by_id = {d.deviceid: d for d in things}
        for d in fleet["devices"]:
            got = by_id.get(d["id"])
            if got is None:
                fail(f"{d['id']} missing from the thing list")
            if got.devicekey != d["devicekey"] or got.apikey != account["apikey"]:
                fail(f"{d['id']}: devicekey/apikey differ")
        print(f"interop cloud: thing list of {len(things)} devices parsed by the library's models, keys match")
        target = things[0]
        await api.update_thing_status(target, {"switch": "on"})
        state = device_state(ready["control"], target.deviceid)
        if state.get("params", {}).get("switch") != "on":
            fail(f"status update did not reach {target.deviceid}: {state}")
        print(f"interop cloud: POST /v2/device/thing/status switched {target.deviceid} on the simulated device")
    print("interop cloud: logout accepted")


if __name__ == "__main__":
    ready = json.load(open(sys.argv[1]))
    fleet = json.load(open(sys.argv[2]))
    asyncio.run(main(ready, fleet))
