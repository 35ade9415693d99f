import EWeLinkLAN

extension StoredDevice {
    /// Takes what `facts` say, by the one rule of which source may overwrite what:
    ///
    /// - name: the user's replaces; the cloud's only fills in (a name given by hand stays).
    /// - key: a key given by the user or the cloud replaces the stored one (a sync brings the
    ///   current key); only the user removes one. The apikey, product, model and online state
    ///   are the cloud's.
    /// - firmware: whoever reports one (the cloud, the device) replaces the stored one.
    /// - channels: the cloud's and the user's replace (the device's answer to the user's check
    ///   too, when the user gave none); a scan's or a device's along the way only fill in.
    /// - type: the user's replaces; the answer to the user's check replaces an unknown type or
    ///   one of another kind of power; a scan's or a device's along the way only fill in.
    /// - address: the user's and a scan's are configured (never replaced by mDNS); the user's is
    ///   verified only by the device's answer to the check. A device that answered with its key
    ///   at the stored address proves it. (Addresses learnt from commands: `LANController`.)
    /// - state: the device's answer replaces it; the cloud's is taken only by a new record
    ///   (`isNew`).
    package mutating func merge(_ facts: DeviceFacts, isNew: Bool = false) {
        switch facts.source {
        case .cloud:
            if let key = facts.key { identity.key = key }
            if let apikey = facts.apikey, !apikey.isEmpty { identity.apikey = apikey }
            if let uiid = facts.uiid { shape.uiid = uiid }
            if let model = facts.model { shape.model = model }
            if let fw = facts.fwVersion { shape.fwVersion = fw }
            if let channels = facts.channels { shape.channels = channels }
            identity.name = identity.name ?? facts.name
            if let online = facts.cloudOnline { health.cloudOnline = online }
            if isNew, let state = facts.state, !state.isEmpty { health.lastState = state }
        case .user:
            if facts.removesKey { identity.key = nil } else if let key = facts.key { identity.key = key }
            if let name = facts.name { identity.name = name }
            if let host = facts.host { configure(host: host, port: facts.port) }
            if let type = facts.type { shape.type = type }
            if let channels = facts.channels { shape.channels = channels }
            if let learnt = facts.answer {
                // What the device said about itself; what the user gave wins.
                if facts.type == nil, let t = learnt.type, shape.type == nil || shape.type?.kind?.power != t.kind?.power {
                    shape.type = t
                }
                if facts.channels == nil, let c = learnt.channels { shape.channels = c }
                if let fw = learnt.fwVersion { shape.fwVersion = fw }
                if let state = learnt.state { health.lastState = state }
                address.unconfirmed = false
                // With a key, `learn` succeeded only on the device's proof of identity.
                address.verified = true
            } else if facts.host != nil {
                address.verified = false
            }
            if let policy = facts.policy { health.policy = policy }
        case .scan:
            if let host = facts.host { configure(host: host, port: facts.port) }
            shape.type = shape.type ?? facts.type
            shape.channels = shape.channels ?? facts.channels
        case .device:
            guard let learnt = facts.answer else { return }
            if shape.type == nil, let type = learnt.type { shape.type = type }
            if shape.channels == nil, let channels = learnt.channels { shape.channels = channels }
            if let fw = learnt.fwVersion, shape.fwVersion != fw { shape.fwVersion = fw }
            if let state = learnt.state, health.lastState != state { health.lastState = state }
            // With a key, the answer was the proof (`ZeroconfClient.learn`).
            if learnt.encrypted, let host = facts.host, address.host == host, address.port == facts.port {
                address.verified = true
            }
        }
    }

    /// An address given by hand: kept until the user changes it.
    private mutating func configure(host: String, port: Int?) {
        address.host = host
        address.port = port ?? LANProtocol.port
        address.configured = true
    }
}

extension StoredDevice {
    /// What a command's copy of the device takes from the device's `info` answer: its state, and
    /// its shape where unknown. With a key that answer was the address's proof
    /// (`ZeroconfClient.learn`): the command does not ask for it again.
    package mutating func take(_ learnt: LearntDevice) {
        if let state = learnt.state { lastState = state }
        type = type ?? learnt.type
        channels = channels ?? learnt.channels
        if devicekey != nil { addressVerified = true }
    }
}
