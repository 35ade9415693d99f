import EWeLinkLAN
import Foundation

/// Side by side in one run (issue 14): `curl` posting a prepared encrypted request (the floor of
/// any one-shot process), and a third-party Python client from PyPI (pysonofflanr3: its own
/// encryption routine and `requests`, as a script using it would) both as a one-shot process and
/// in process, all against the same simulated plug as our rows.
enum ThirdPartyBenchmark {
    static func run(device: (id: String, port: Int, key: String?), python: String?, runs: Int,
                    loops: Int) throws -> [Row] {
        guard let key = device.key else { throw BenchError("the third-party rows need an encrypted device") }
        let url = "http://127.0.0.1:\(device.port)/zeroconf/switch"
        var rows: [Row] = []

        // curl with a body prepared once (the device takes the same encrypted request again).
        let body = NSTemporaryDirectory() + "ewelink-bench-curl-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: body) }
        let request = try ZeroconfRequest.encrypted(["switch": "on"], deviceID: device.id, cipher: DeviceCipher(devicekey: key))
        try Data(request.body).write(to: URL(fileURLWithPath: body))
        var curl = Samples()
        let env = ["PATH=/usr/bin:/bin"]
        for n in 0..<(runs + 5) {
            let r = try StartupBenchmark.spawn("/usr/bin/curl", ["-s", "-f", "-o", "/dev/null", "-H", "Content-Type: application/json",
                                                                 "--data-binary", "@" + body, url], env: env)
            guard r.status == 0 else { throw BenchError("curl exited \(r.status)") }
            if n >= 5 { curl.add(r.ms) }
        }
        rows.append(Row(key: "curl_p50_ms", label: "`curl` posting a prepared encrypted request (process floor): p50",
                        value: curl.p50, unit: "ms", target: nil))

        guard let python else {
            print("third-party Python client: not installed (PyPI out of reach), rows skipped")
            return rows
        }
        // A one-shot process: pysonofflanr3's encryption and requests, one command, exit.
        let oneShot = """
            import sys, time, requests
            from pysonofflanr3 import sonoffcrypto
            url, dev, key, value = sys.argv[1:5]
            p = {"sequence": str(int(time.time() * 1000)), "deviceid": dev}
            sonoffcrypto.format_encryption_msg(p, key, {"switch": value})
            r = requests.post(url, json=p, timeout=5)
            sys.exit(0 if r.status_code == 200 and r.json().get("error") == 0 else 1)
            """
        var py = Samples()
        for n in 0..<(runs + 3) {
            let r = try StartupBenchmark.spawn(python, ["-c", oneShot, url, device.id, key, n % 2 == 0 ? "on" : "off"], env: env)
            guard r.status == 0 else { throw BenchError("the pysonofflanr3 one-shot script exited \(r.status)") }
            if n >= 3 { py.add(r.ms) }
        }
        rows.append(Row(key: "py_oneshot_p50_ms", label: "third-party one-shot: pysonofflanr3 + requests in a Python process: p50",
                        value: py.p50, unit: "ms", target: nil))

        // In process: the same library, one requests.Session, `loops` commands; the script prints
        // its own percentiles.
        let inProcess = """
            import sys, time, json, requests
            from pysonofflanr3 import sonoffcrypto
            url, dev, key, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
            s = requests.Session()
            t = []
            for i in range(n + 50):
                p = {"sequence": str(int(time.time() * 1000)), "deviceid": dev}
                sonoffcrypto.format_encryption_msg(p, key, {"switch": "on" if i % 2 == 0 else "off"})
                a = time.perf_counter()
                r = s.post(url, json=p, timeout=5)
                assert r.json().get("error") == 0
                if i >= 50: t.append((time.perf_counter() - a) * 1000)
            t.sort()
            print(json.dumps({"p50": t[len(t) // 2], "p99": t[min(len(t) - 1, int(len(t) * 0.99))]}))
            """
        let (status, _, output) = try AddressBenchmark.runCapturing(python, ["-c", inProcess, url, device.id, key, "\(loops)"], env: [:])
        guard status == 0, let o = try? JSONValue.parse(Array(output.utf8)), let p50 = o["p50"]?.doubleValue,
              let p99 = o["p99"]?.doubleValue else {
            throw BenchError("the pysonofflanr3 in-process loop exited \(status)")
        }
        rows.append(Row(key: "py_send_p50_ms", label: "third-party in process: pysonofflanr3 + requests.Session, 1 device: p50",
                        value: p50, unit: "ms", target: nil))
        rows.append(Row(key: "py_send_p99_ms", label: "third-party in process: pysonofflanr3 + requests.Session, 1 device: p99",
                        value: p99, unit: "ms", target: nil))
        return rows
    }
}
