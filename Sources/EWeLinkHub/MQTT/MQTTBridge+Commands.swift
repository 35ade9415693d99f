import EWeLink
import EWeLinkLAN

/// `<prefix>/<device>/set`: `{"state":"ON"|"OFF"|"TOGGLE"}` for the whole device,
/// `{"state_l2":"ON"}` for one channel (from 1; the CLI's `--channel 1`), `{"brightness":0…100}`
/// where the catalogue gives the device a brightness, and an optional `"transaction"` echoed in
/// the answer. The whole payload is checked before anything is sent: a bad one changes nothing.
/// Every command is answered on `<prefix>/bridge/response`.
extension MQTTBridge {
    /// One thing a payload asks for, in the order they are carried out.
    enum Step: Sendable, Equatable {
        case power(PowerAction, channel: Int?)
        /// Brightness, with the light switched on or off in the same request when asked.
        case brightness(Int, switching: PowerAction?)
    }

    /// A checked command.
    struct Request: Sendable {
        var deviceID: String
        var steps: [Step]
    }

    /// A command refused before anything was sent.
    struct Refusal: Error {
        var message: String
        var deviceID: String?
    }

    func command(segment: String, _ message: MQTTConnection.Message) {
        var transaction: JSONValue?
        let request: Request
        do throws(Refusal) {
            request = try check(segment: segment, message, transaction: &transaction)
        } catch {
            hub.metrics.record(mqttCommand: "refused")
            respond(topic: message.topic, deviceID: error.deviceID, transaction: transaction, error: error.message)
            return
        }
        let admitted = model.withLock { m -> Bool in
            guard m.commandsInFlight < hub.options.maxCommandsInFlight else { return false }
            m.commandsInFlight += 1
            return true
        }
        guard admitted else {
            hub.metrics.record(mqttCommand: "refused")
            respond(topic: message.topic, deviceID: request.deviceID, transaction: transaction,
                    error: "the hub is busy (\(hub.options.maxCommandsInFlight) commands in flight): try again")
            return
        }
        Task {
            defer { model.withLock { $0.commandsInFlight -= 1 } }
            await self.carry(request, topic: message.topic, transaction: transaction)
        }
    }

    private func carry(_ request: Request, topic: String, transaction: JSONValue?) async {
        var routes: [String] = []
        var last: CommandResult?
        do throws(HubError) {
            for step in request.steps {
                let result: CommandResult
                switch step {
                case .power(let action, let channel):
                    result = try await hub.power(action, request.deviceID, channel: channel, via: nil)
                case .brightness(let value, let switching):
                    var params: JSONObject = ["brightness": .int(value)]
                    if let switching { params["switch"] = .string(switching == .off ? "off" : "on") }
                    result = try await hub.send(params, to: request.deviceID, endpoint: nil, via: nil)
                }
                routes.append(result.route.rawValue)
                last = result
            }
        } catch {
            hub.metrics.record(mqttCommand: "none")
            respond(topic: topic, deviceID: request.deviceID, transaction: transaction, error: error.failure.message)
            return
        }
        for route in routes { hub.metrics.record(mqttCommand: route) }
        guard let last else { return }
        if let stored = (try? hub.lan.directory.stored(request.deviceID)) ?? nil { update(stored) { $0.apply(last) } }
        var answer: JSONObject = ["ok": true, "topic": .string(topic), "device": .string(request.deviceID),
                                  "route": .string(last.route.rawValue),
                                  "elapsedMs": .double((last.elapsedMilliseconds * 1000).rounded() / 1000)]
        if routes.count > 1 { answer["routes"] = .array(routes.map(JSONValue.string)) }
        if let transaction { answer["transaction"] = transaction }
        publish(topics.response, json: answer, retain: false)
    }

    func respond(topic: String, deviceID: String?, transaction: JSONValue?, error: String) {
        var answer: JSONObject = ["ok": false, "topic": .string(String(topic.prefix(256)))]
        if let deviceID { answer["device"] = .string(deviceID) }
        answer["error"] = .string(error)
        if let transaction { answer["transaction"] = transaction }
        publish(topics.response, json: answer, retain: false)
    }

    /// The payload checked against the device: what to do, or why nothing will be done.
    func check(segment: String, _ message: MQTTConnection.Message, transaction: inout JSONValue?) throws(Refusal) -> Request {
        if message.retain {
            throw Refusal(message: "a retained command is ignored (it would run again at every reconnection): publish /set without retain")
        }
        guard message.payload.count <= options.maxPayloadBytes else {
            throw Refusal(message: "the payload is \(message.payload.count) bytes; a command is at most \(options.maxPayloadBytes)")
        }
        var deviceID = model.withLock { $0.devicesBySegment[segment] }
        if deviceID == nil {
            // Perhaps added to the store since the last look.
            let devices = (try? hub.lan.directory.devices()) ?? []
            let segments = MQTTTopics.segments(devices, naming: options.topicNaming)
            deviceID = segments.first { $0.value == segment }?.key
        }
        guard let deviceID, let stored = (try? hub.lan.directory.stored(deviceID)) ?? nil else {
            throw Refusal(message: "no stored device is '\(segment.prefix(80))' (topics name devices by \(options.topicNaming.rawValue))")
        }
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(message.payload) } catch {
            throw Refusal(message: #"the payload is not JSON (\#(error)); send e.g. {"state":"ON"}"#, deviceID: deviceID)
        }
        guard let object = parsed.objectValue else {
            throw Refusal(message: #"the payload must be a JSON object such as {"state":"ON"}"#, deviceID: deviceID)
        }
        transaction = object["transaction"]
        let view = model.withLock { $0.views[deviceID] }
        let type = stored.type ?? view?.type
        let state = view?.state ?? stored.lastState
        let power = type?.kind?.power ?? MQTTDiscovery.guessedPower(state)
        let channels: Int = switch power {
        case .fanLight: 2
        case .outlets: MQTTDiscovery.channelCount(stored, kind: type?.kind, state: state)
        case .none: 0
        default: 1
        }
        let hasBrightness = type?.kind.map { $0.readings.contains { $0.reading == .brightness } } ?? (state?["brightness"] != nil)

        func action(_ key: String, _ value: JSONValue) throws(Refusal) -> PowerAction {
            switch value.stringValue?.uppercased() {
            case "ON": return .on
            case "OFF": return .off
            case "TOGGLE": return .toggle
            default: throw Refusal(message: #""\#(key)" must be "ON", "OFF" or "TOGGLE""#, deviceID: deviceID)
            }
        }
        var steps: [Step] = []
        var switching: PowerAction?
        var brightness: Int?
        var unknown: [String] = []
        for (key, value) in object {
            if key == "transaction" { continue }
            if key == "state" {
                guard channels > 0 else { throw Refusal(message: "this device is not switched on or off", deviceID: deviceID) }
                let a = try action(key, value)
                switching = a
                steps.append(.power(a, channel: nil))
            } else if key.hasPrefix("state_l"), let n = Int(key.dropFirst("state_l".count)), String(n) == key.dropFirst("state_l".count) {
                guard channels > 0, (1...channels).contains(n) else {
                    let has = switch channels {
                    case 0: "this device is not switched on or off"
                    case 1: "this is a single-channel device: use state"
                    default: "this device has channels state_l1 … state_l\(channels)"
                    }
                    throw Refusal(message: "\(key): \(has)", deviceID: deviceID)
                }
                steps.append(.power(try action(key, value), channel: n - 1))
            } else if key == "brightness" {
                guard hasBrightness else { throw Refusal(message: "brightness: this device has no brightness", deviceID: deviceID) }
                guard let b = value.doubleValue, b.isFinite, (0...100).contains(b) else {
                    throw Refusal(message: "brightness must be a number 0 … 100 (%)", deviceID: deviceID)
                }
                brightness = Int(b.rounded())
            } else {
                unknown.append(String(key.prefix(40)))
            }
        }
        if !unknown.isEmpty {
            throw Refusal(message: "unknown keys \(unknown.prefix(5).joined(separator: ", ")): a command has state, state_l1 … state_l\(max(channels, 1))\(hasBrightness ? ", brightness" : "") and transaction",
                          deviceID: deviceID)
        }
        if let brightness {
            // One request: the light's switch and its brightness together (a TOGGLE is made absolute first).
            if switching == .toggle {
                steps.append(.brightness(brightness, switching: nil))
            } else {
                steps.removeAll { $0 == .power(switching ?? .on, channel: nil) }
                steps.append(.brightness(brightness, switching: switching))
            }
        }
        guard !steps.isEmpty else {
            throw Refusal(message: #"nothing to do: send e.g. {"state":"ON"}"#, deviceID: deviceID)
        }
        return Request(deviceID: deviceID, steps: steps)
    }
}
