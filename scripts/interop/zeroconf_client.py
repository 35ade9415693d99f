"""An independent eWeLink LAN client, written from the protocol notes (not from our Swift code),
used to check that ewelink-sim behaves like real firmware for third-party controllers:

* discovery with python-zeroconf (bound to 127.0.0.1, so nothing leaves loopback),
* TXT decoding the way SonoffLAN does (join data1..4, AES-128-CBC with MD5(devicekey)),
* HTTP commands the way SonoffLAN sends them (json.dumps with spaces, random IV, Connection: close).

Usage: zeroconf_client.py FLEET.json   (the simulator must be running with that fleet)
Prints one line per check and exits non-zero on the first failure.
"""
import base64, hashlib, json, os, sys, time, urllib.request

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from zeroconf import IPVersion, ServiceBrowser, Zeroconf


def key_of(devicekey):
    return hashlib.md5(devicekey.encode()).digest()


def encrypt(devicekey, params):
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(json.dumps(params).encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(key_of(devicekey)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv).decode(), base64.b64encode(enc.update(data) + enc.finalize()).decode()


def decrypt(devicekey, iv, data):
    dec = Cipher(algorithms.AES(key_of(devicekey)), modes.CBC(base64.b64decode(iv))).decryptor()
    raw = dec.update(base64.b64decode(data)) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return json.loads((unpadder.update(raw) + unpadder.finalize()).rstrip(b"\x02"))


def post(port, endpoint, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/zeroconf/{endpoint}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Connection": "close"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200, r.status
        return json.loads(r.read())


def command(device, port, endpoint, params):
    body = {"sequence": str(int(time.time() * 1000)), "deviceid": device["id"], "selfApikey": "123"}
    if device.get("devicekey"):
        iv, data = encrypt(device["devicekey"], params)
        body.update(iv=iv, encrypt=True, data=data)
    else:
        body["data"] = params
    reply = post(port, endpoint, body)
    assert reply.get("sequence") == body["sequence"], f"sequence not echoed: {reply}"
    if isinstance(reply.get("data"), str) and reply.get("iv"):
        reply["data"] = decrypt(device["devicekey"], reply["iv"], reply["data"])
    return reply


def txt_state(info, devicekey):
    props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
    data = "".join(props.get(f"data{i}", "") for i in range(1, 5))
    if props.get("encrypt") == "true":
        return props, decrypt(devicekey, props["iv"], data)
    return props, json.loads(data)


def main():
    fleet = {d["id"]: d for d in json.load(open(sys.argv[1]))["devices"]}
    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    found = {}

    class Listener:
        def add_service(self, zc_, type_, name):
            found[name] = True

        def update_service(self, *a):
            pass

        def remove_service(self, *a):
            pass

    ServiceBrowser(zc, "_ewelink._tcp.local.", Listener())
    deadline = time.time() + 10
    wanted = {f"eWeLink_{i}._ewelink._tcp.local." for i in fleet}
    while time.time() < deadline and not wanted.issubset(found):
        time.sleep(0.1)
    missing = wanted - set(found)
    assert not missing, f"not browsed: {missing}"
    print(f"ok: python-zeroconf browsed all {len(wanted)} devices")

    ports = {}
    for device_id, device in fleet.items():
        info = zc.get_service_info("_ewelink._tcp.local.", f"eWeLink_{device_id}._ewelink._tcp.local.", timeout=3000)
        assert info is not None, f"{device_id} not resolved"
        assert info.parsed_addresses() == ["127.0.0.1"], info.parsed_addresses()
        props, state = txt_state(info, device.get("devicekey"))
        assert props["id"] == device_id and props["type"] == device["type"] and props["txtvers"] == "1"
        assert int(props["seq"]) >= 1
        ports[device_id] = info.port
        print(f"ok: {device_id} {device['type']} resolved at 127.0.0.1:{info.port}, seq {props['seq']}, state {state}")

    for device_id, device in fleet.items():
        port = ports[device_id]
        kind = device["type"]
        if kind in ("plug", "diy_plug", "enhanced_plug"):
            r = command(device, port, "switch", {"switch": "on"})
        elif kind == "th_plug":
            r = command(device, port, "switch", {"switch": "on", "mainSwitch": "on", "deviceType": "normal"})
        elif kind == "strip":
            r = command(device, port, "switches", {"switches": [{"switch": "on", "outlet": 1}]})
        elif kind == "fan_light":
            r = command(device, port, "fan", {"fan": "on", "speed": 2})
        elif kind == "light":
            r = command(device, port, "dimmable", {"switch": "on", "brightness": 70, "mode": 0})
        else:
            continue
        assert r["error"] == 0, r
        state = command(device, port, "sledonline", {"sledOnline": "on"})
        assert state["error"] == 0 and isinstance(state.get("data"), dict), state
        print(f"ok: {device_id} {kind} command acknowledged (seq {r['seq']}), state {state['data']}")

    # The announcement follows the command (seq bumped, state decrypted by this client).
    device_id, device = next((i, d) for i, d in fleet.items() if d["type"] == "plug")
    deadline = time.time() + 5
    while time.time() < deadline:
        info = zc.get_service_info("_ewelink._tcp.local.", f"eWeLink_{device_id}._ewelink._tcp.local.", timeout=3000)
        props, state = txt_state(info, device["devicekey"])
        if state.get("switch") == "on" and state.get("sledOnline") == "on" and int(props["seq"]) >= 3:
            break
        time.sleep(0.3)
    else:
        raise AssertionError(f"TXT did not follow the command: {props} {state}")
    print(f"ok: {device_id} re-announced seq {props['seq']} with the new state")
    zc.close()
    print("interop: all checks passed")


if __name__ == "__main__":
    main()
