import ArgumentParser
import EWeLink
import EWeLinkHubClient
import EWeLinkLAN

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List, add, edit or remove devices of the local store (keys and addresses).",
        subcommands: [DevicesList.self, DevicesAdd.self, DevicesRemove.self], defaultSubcommand: DevicesList.self)
}

struct DevicesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored devices.")

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Include devicekeys and apikeys in the JSON (they are secrets).")
    var showKeys = false

    @Flag(help: "Read the store in this process even when a hub (`ewelink serve`) is running.")
    var noHub = false

    func run() throws {
        let store = DeviceStore.standard()
        let devices: [StoredDevice]
        do { devices = try store.load() } catch { throw fail(.store(error)) }
        if json {
            printLine(JSONValue.array(devices.map { .object($0.json(showKeys: showKeys)) }).serialized)
            return
        }
        printList(devices.map { ($0, $0.devicekey != nil) }, storePath: store.path)
    }

    /// The table of devices (each with whether it has a key), or how to fill an empty store.
    func printList(_ devices: [(StoredDevice, Bool)], storePath: String) {
        if devices.isEmpty {
            printLine("no devices in \(storePath): run `ewelink sync`, or `ewelink devices add ID --devicekey KEY`")
            return
        }
        printTable(["ID", "NAME", "TYPE", "ADDRESS", "KEY", "ROUTE", "LAST STATE"], devices.map { d, hasKey in
            let address = d.host.map { "\($0):\(d.port ?? LANProtocol.port)" + (d.hostConfigured ? " (configured)" : "") } ?? "-"
            return [d.id, d.name ?? "-", d.type?.rawValue ?? (d.uiid.map { "uiid \($0)" } ?? "-"), address,
                    hasKey ? "yes" : "no", Self.route(d), StateSummary.describe(d.lastState)]
        })
    }
}

extension DevicesList {
    /// The policy, and what is known of the LAN and the cloud for it.
    static func route(_ d: StoredDevice) -> String {
        var notes: [String] = []
        if d.lanHealth.isDown { notes.append("lan down") }
        if d.cloudOnline == false { notes.append("cloud offline") }
        return d.policy.rawValue + (notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")")
    }
}

struct DevicesAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a device, or edit a stored one.",
        discussion: "For keys read from the device's pairing page (http://10.10.7.1/device) and for networks where "
            + "mDNS does not pass (VLANs, VPNs): a configured --host is never replaced by what mDNS says. With --host, "
            + "the device is asked for its info once: the key is verified and its type, channels and firmware are "
            + "stored; if it does not answer or refuses the key, nothing is stored (--no-check stores it unchecked). "
            + "Leave the devicekey out for a DIY device; give it on standard input (--devicekey-stdin) or in a file "
            + "(--devicekey-file) rather than as --devicekey, which every local user can read in `ps`. "
            + ExitStatus.help)

    @Argument(help: "The device id (10 characters, e.g. 1000abcdef).")
    var id: String
    @OptionGroup var key: DeviceKeyInput
    @Option(help: "A name to call it by.")
    var name: String?
    @Option(help: "Its address, HOST or HOST:PORT (port 8081 when left out).")
    var host: String?
    @Option(help: "Its local type (plug, strip, diy_plug, …).")
    var type: String?
    @Option(help: "Number of channels of a multi-channel device.")
    var channels: Int?
    @Option(help: "Which routes its commands take: auto (LAN, else cloud), lan, or cloud.")
    var policy: RoutePolicy?
    @Flag(help: "Store it without contacting it (no key check, nothing learnt).")
    var noCheck = false
    @Option(help: "Seconds to wait for the device's answer. (default: 3.0)", transform: Seconds.parser(max: Seconds.lanCeiling))
    var timeout = Seconds(3)

    func run() async throws {
        if let problem = StoredDevice.idProblem(id) { throw fail(problem) }
        var address: (String, Int)? = nil
        if let host {
            guard let parsed = Self.parseHost(host) else {
                throw fail("--host must be HOST or HOST:PORT (a host name or IPv4 address), got '\(host.prefix(80))'")
            }
            address = parsed
        }
        if let channels, !(1...4).contains(channels) { throw fail("--channels must be 1...4") }
        let devicekey = try key.resolve()
        var configuration = EWeLinkConfiguration.forCommand(cloud: false)
        configuration.lanTimeout = timeout.duration
        let client = EWeLinkClient.forCommand(configuration)
        var facts = DeviceFacts(id: id, source: .user)
        if let devicekey {
            facts.key = DeviceKey(devicekey)
            facts.removesKey = devicekey.isEmpty
        }
        facts.name = name
        facts.host = address?.0
        facts.port = address?.1
        facts.type = type.map(DeviceType.init(rawValue:))
        facts.channels = channels
        facts.policy = policy
        let added: EWeLinkClient.AddedDevice
        do { added = try await client.addDevice(facts, verify: !noCheck) } catch {
            if case .lan = error {
                let known = (try? client.devices())?.contains { $0.id == id } ?? false
                let reason = fail(error, device: id)
                printError("ewelink: \(id) was not \(known ? "updated" : "added"): "
                    + "check the address and key, or store it unchecked with --no-check")
                throw reason
            }
            throw fail(error, device: id)
        }
        let verb = added.outcome == .added ? "added" : "updated"
        let path = client.lan.store.path
        if let learnt = added.answer {
            let key = learnt.encrypted ? "key verified: the device proved itself there" : "DIY (no key needed)"
            printLine("\(verb) \(id): \(learnt.summary), \(key) (\(path))")
        } else {
            printLine("\(verb) \(id) in \(path)" + (noCheck && address != nil ? " (not checked)" : ""))
        }
    }

    static func parseHost(_ text: String) -> (String, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        // A host name or IPv4 address: it goes into the request's Host header, so nothing else.
        guard let host = parts.first, !host.isEmpty, host.utf8.count <= 253, parts.count <= 2,
              host.utf8.allSatisfy({ $0 == 0x2E || $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                  || (0x61...0x7A).contains($0) }) else { return nil }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            return (String(host), port)
        }
        return (String(host), LANProtocol.port)
    }
}

struct DevicesRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a device from the store.")

    @Argument(help: "The device: its id or its name.")
    var device: String

    func run() throws {
        let store = DeviceStore.standard()
        do {
            let removed = try store.update { list -> String? in
                guard let d = store.find(device, in: list) else { return nil }
                list.removeAll { $0.id == d.id }
                return d.id
            }
            guard let removed else { throw fail(.unknownDevice(device)) }
            printLine("removed \(removed)")
        } catch let error as DeviceStoreError {
            throw fail(.store(error))
        }
    }
}

extension RoutePolicy: ExpressibleByArgument {}
