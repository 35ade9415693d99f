"""Checks the mock cloud with an eWeLink cloud client we did not write: the `ewelink` package from
PyPI (an API v2 client: HMAC `Sign` login with the 10004 region redirect, Bearer thing list and
status, logout). Its pydantic models also hold the mock's device items to what that library
expects of the real cloud. Then the WebSocket as the widely used third-party clients drive it
(SonoffLAN among them): dispatch, `userOnline`, and `query` / `update` each waiting for the reply
that carries the command's own `sequence`, as the real service sends it.

Usage: cloud_client.py READY.json FLEET.json [tls]   (ewelink-sim running with that fleet and --cloud-port;
READY.json is its ready line). With `tls`, over its https:// and wss:// listener (`cloudTLS`; the test CA
given through SSL_CERT_FILE, which Python's default TLS context reads). Prints one line per check;
exits non-zero on the first failure.
"""
import asyncio, base64, hashlib, hmac, json, random, string, sys, time, urllib.request

import aiohttp

import ewelink.ewelink as client_module
from ewelink import EWeLink
from ewelink.types import AppCredentials, EmailUserCredentials


def fail(what):
    print(f"interop cloud: FAIL {what}")
    sys.exit(1)


def device_state(control, device_id):
    with urllib.request.urlopen(f"{control}/devices/{device_id}", timeout=5) as r:
        return json.loads(r.read())


async def main(ready, fleet, tls):
    base = ready["cloudTLS" if tls else "cloud"]  # http://127.0.0.1:PORT/{region} or https://localhost:PORT/{region}
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
        print(f"interop cloud: login ({base.split(':')[0]}://) through the 10004 redirect to {login.region}")
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
    await websocket(base, cloud, account, fleet["devices"][0]["id"])


async def websocket(base, cloud, account, device_id):
    await asyncio.sleep(0.6)  # the mock keeps the cloud's calling rule: one login per 0.5 s
    url = base.replace("{region}", account["region"])
    body = json.dumps({"email": account["email"], "password": account["password"],
                       "countryCode": account["countryCode"]}).encode()
    sign = base64.b64encode(hmac.new(cloud["appSecret"].encode(), body, hashlib.sha256).digest()).decode()
    nonce = "".join(random.choices(string.ascii_letters + string.digits, k=8))
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": "Sign " + sign, "X-CK-Appid": cloud["appId"], "X-CK-Nonce": nonce,
                   "Content-Type": "application/json"}
        async with http.post(url + "/v2/user/login", data=body, headers=headers) as r:
            login = (await r.json())["data"]
        at, apikey = login["at"], login["user"]["apikey"]
        async with http.get(url + "/dispatch/app", headers={"Authorization": "Bearer " + at, "X-CK-Appid": cloud["appId"]}) as r:
            dispatch = await r.json()
        scheme = "wss" if base.startswith("https://") else "ws"
        async with http.ws_connect(f"{scheme}://{dispatch['domain']}:{dispatch['port']}/api/ws") as ws:
            sequence = str(int(time.time() * 1000))
            await ws.send_json({"action": "userOnline", "at": at, "apikey": apikey, "appid": cloud["appId"], "nonce": nonce,
                                "ts": int(time.time()), "userAgent": "app", "sequence": sequence, "version": 8})
            hello = await ws.receive_json(timeout=5)
            if hello.get("error") != 0:
                fail(f"WS userOnline refused: {hello}")
            for n, (action, params) in enumerate((("query", ["switch"]), ("update", {"switch": "off"}))):
                sequence = str(int(time.time() * 1000) + n + 1)
                await ws.send_json({"action": action, "deviceid": device_id, "apikey": apikey, "userAgent": "app",
                                    "sequence": sequence, "params": params})
                reply = await reply_with(ws, sequence)
                if reply is None:
                    fail(f"WS {action} times out: no reply with sequence {sequence}")
                if reply.get("error") != 0 or (action == "query" and "params" not in reply):
                    fail(f"WS {action} answered {reply}")
            print(f"interop cloud: WebSocket ({scheme}://) query and update answered with their own sequence")


async def reply_with(ws, sequence, seconds=5):
    """The reply carrying `sequence` (device pushes in between are skipped), or None."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = await ws.receive_json(timeout=left)
        except asyncio.TimeoutError:
            return None
        if message.get("sequence") == sequence:
            return message
    return None


if __name__ == "__main__":
    ready = json.load(open(sys.argv[1]))
    fleet = json.load(open(sys.argv[2]))
    asyncio.run(main(ready, fleet, len(sys.argv) > 3 and sys.argv[3] == "tls"))
