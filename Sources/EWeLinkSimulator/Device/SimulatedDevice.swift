import EWeLinkLAN
import Foundation
import Synchronization

/// What changed on a device, for the mDNS announcer and the cloud side.
public enum DeviceChange: Sendable, Equatable {
    /// The state changed and was given revision `seq` (re-announce).
    case state(seq: Int, params: JSONObject, source: ChangeSource)
    /// The device went silent for a reboot; it comes back with `seq` 1.
    case rebooting
    /// The device is back from a reboot.
    case rebooted(fwVersion: String)
    /// The LAN fault or announce setting changed.
    case faults(DeviceFaults)
    /// The cloud connection state changed.
    case online(Bool)
}

/// Where a state change came from.
public enum ChangeSource: String, Sendable {
    case lan, cloud, button, readings, reboot
}

/// A snapshot of one device's mutable state.
public struct DeviceSnapshot: Sendable {
    public var params: JSONObject
    public var seq: Int
    public var fwVersion: String
    public var otaUnlocked: Bool
    public var online: Bool
    public var faults: DeviceFaults
    public var rebooting: Bool
    public var port: Int
}

/// One virtual device: configuration plus the state shared by its LAN side (and the cloud
/// side of the mock cloud). State lives behind a mutex; observers hear every change.
public final class SimulatedDevice: Sendable {
    public let config: DeviceConfig
    public let profile: DeviceProfile
    /// nil for DIY devices.
    public let cipher: DeviceCipher?
    private let state: Mutex<DeviceSnapshot>
    private let observers = Mutex<[@Sendable (DeviceChange) -> Void]>([])
    private let faultAppliers = Mutex<[@Sendable (DeviceFaults) async -> Void]>([])

    public init(_ config: DeviceConfig) {
        self.config = config
        self.profile = DeviceProfile.all[config.type]!
        self.cipher = config.devicekey.map { DeviceCipher(devicekey: $0) }
        state = Mutex(DeviceSnapshot(params: config.params, seq: 1, fwVersion: config.fwVersion, otaUnlocked: false,
                                     online: true, faults: DeviceFaults(), rebooting: false, port: config.port))
    }

    public var id: String { config.id }
    public var isDIY: Bool { cipher == nil }
    public var snapshot: DeviceSnapshot { state.withLock { $0 } }

    /// Registers an observer of changes (called synchronously, outside the state lock).
    public func observe(_ observer: @escaping @Sendable (DeviceChange) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func notify(_ change: DeviceChange) {
        for o in observers.withLock({ $0 }) { o(change) }
    }

    /// Reads and mutates the state under the lock.
    func withState<T>(_ body: (inout DeviceSnapshot) throws -> T) rethrows -> T {
        try state.withLock { try body(&$0) }
    }

    /// Set while the firmware's handlers only check parameters (a cloud command is checked as
    /// its LAN twin would be): nothing is committed.
    @TaskLocal static var checkingOnly = false

    /// Applies `changes` to the params, bumps `seq` and announces. Firmware bumps `seq` on every
    /// accepted set command, even when nothing changed.
    @discardableResult
    func commit(_ source: ChangeSource, _ mutate: (inout JSONObject) -> Void) -> Int {
        if Self.checkingOnly { return snapshot.seq }
        let (seq, params) = state.withLock { s -> (Int, JSONObject) in
            mutate(&s.params)
            s.seq += 1
            return (s.seq, s.params)
        }
        notify(.state(seq: seq, params: params, source: source))
        return seq
    }

    /// The TXT announcement of the current state (fresh IV each time).
    package func announcement() throws -> TXTAnnouncement {
        let s = snapshot
        return try TXTAnnouncement.make(deviceID: config.id, type: config.type, seq: s.seq, state: s.params,
                                        cipher: cipher)
    }

    /// Sets fault options and returns once they are in force (ports closed or reopened, service
    /// withdrawn or announced), so the next request already meets them.
    @discardableResult
    public func setFaults(_ update: (inout DeviceFaults) -> Void) async -> DeviceFaults {
        let faults = state.withLock { s -> DeviceFaults in
            update(&s.faults)
            return s.faults
        }
        for apply in faultAppliers.withLock({ $0 }) { await apply(faults) }
        notify(.faults(faults))
        return faults
    }

    /// Registers the code that puts fault settings in force (the device's runtime).
    func onFaults(_ apply: @escaping @Sendable (DeviceFaults) async -> Void) {
        faultAppliers.withLock { $0.append(apply) }
    }

    /// Sets the cloud connection state.
    public func setOnline(_ online: Bool) {
        let changed = state.withLock { s -> Bool in
            defer { s.online = online }
            return s.online != online
        }
        if changed { notify(.online(online)) }
    }

    /// A physical button press: toggles the relay (or one outlet, or the fan light) and announces.
    @discardableResult
    public func press(outlet: Int = 0) -> Int {
        commit(.button) { p in
            switch profile.kind.power {
            case .fanLight:
                p["light"] = p["light"] == "on" ? "off" : "on"
            case .outlets:
                guard var list = p["switches"]?.arrayValue else { return }
                for i in list.indices where list[i]["outlet"]?.intValue == outlet {
                    list[i]["switch"] = list[i]["switch"] == "on" ? "off" : "on"
                }
                p["switches"] = .array(list)
            default:
                let new: JSONValue = p["switch"] == "on" ? "off" : "on"
                p["switch"] = new
                if profile.kind.power == .thermostat { p["mainSwitch"] = new }
            }
        }
    }

    /// Reboots: silent for `downtime`, then back with `seq` 1, the relay set by `startup`,
    /// and optionally a new firmware version.
    public func reboot(downtime: Duration = .milliseconds(1500), newFirmware: String? = nil) async {
        state.withLock { $0.rebooting = true }
        notify(.rebooting)
        try? await Task.sleep(for: downtime)
        let fw = state.withLock { s -> String in
            s.rebooting = false
            s.seq = 1
            if let newFirmware { s.fwVersion = newFirmware }
            s.otaUnlocked = false
            Self.applyStartup(&s.params)
            return s.fwVersion
        }
        notify(.rebooted(fwVersion: fw))
    }

    /// Power-on relay state from `startup` / `configure`.
    static func applyStartup(_ p: inout JSONObject) {
        if let startup = p["startup"]?.stringValue, startup == "on" || startup == "off" {
            p["switch"] = .string(startup)
            if p["mainSwitch"] != nil { p["mainSwitch"] = .string(startup) }
        }
        if let configure = p["configure"]?.arrayValue, var switches = p["switches"]?.arrayValue {
            for entry in configure {
                guard let outlet = entry["outlet"]?.intValue, let s = entry["startup"]?.stringValue,
                      s == "on" || s == "off" else { continue }
                for i in switches.indices where switches[i]["outlet"]?.intValue == outlet { switches[i]["switch"] = .string(s) }
            }
            p["switches"] = .array(switches)
        }
    }

    /// Moves drifting readings (power, temperature) a little and announces them.
    func driftReadings() {
        commit(.readings) { p in
            let keys = Set(profile.kind.readings.map(\.key))
            if keys.contains("power") {
                let on = p["switch"] == "on"
                let power = on ? Double.random(in: 40...60) : 0
                let voltage = Double.random(in: 228...232)
                p["power"] = .string(String(format: "%.2f", power))
                p["voltage"] = .string(String(format: "%.2f", voltage))
                p["current"] = .string(String(format: "%.2f", power / voltage))
            }
            if keys.contains("currentTemperature") {
                let t = (p["currentTemperature"]?.doubleValue ?? 21.5) + Double.random(in: -0.3...0.3)
                let h = (p["currentHumidity"]?.doubleValue ?? 48) + Double.random(in: -1...1)
                p["currentTemperature"] = .string(String(format: "%.1f", min(max(t, -20), 60)))
                p["currentHumidity"] = .string(String(format: "%.0f", min(max(h, 5), 95)))
            }
        }
    }
}

extension SimulatedDevice {
    /// A command that arrived through the cloud: applied (outlets merged) and announced.
    /// Returns false, changing nothing, when the firmware refuses the parameters (as it would the
    /// same command over the LAN): the cloud passes commands on, the device judges them.
    @discardableResult
    public func applyFromCloud(_ params: JSONObject) -> Bool {
        if let first = params.keys.first {
            var endpoint = DeviceCatalogue.endpointForParam[first] ?? first
            if first == "switch", profile.kind.power == .dimmable { endpoint = "dimmable" }
            if profile.endpoints.contains(endpoint), Self.endpointHandlers[endpoint] != nil,
               !Self.queryEndpoints.contains(endpoint) {
                let outcome = Self.$checkingOnly.withValue(true) { apply(endpoint: endpoint, params: params) }
                if case .error = outcome { return false }
            }
        }
        commit(.cloud) { $0 = $0.applying(params) }
        return true
    }

    /// Endpoints that read or act rather than set state: never run for a cloud command.
    static let queryEndpoints: Set<String> = ["info", "signal_strength", "wifi", "ota_unlock"]
}
