import EWeLinkLAN

extension Router {
    /// Sends an acknowledged command over the LAN in the background, behind what is already
    /// queued for the device. At most one such copy per device waits; newer params replace the
    /// waiting ones, so a silent device does not pile up copies.
    func sendLANCopy(_ params: JSONObject, to device: StoredDevice, endpoint: String?, generation: Int) {
        let first = ledger.copies.withLock { c -> Bool in
            if c[device.id] != nil { c[device.id] = .some((params, generation)); return false }
            c[device.id] = .some(nil)
            return true
        }
        guard first else { return }
        ledger.begin(device.id)
        let lan = self.lan, ledger = self.ledger, timeout = options.lanTimeoutCeiling
        Task {
            var current = (params: params, generation: generation)
            while true {
                let g = current.generation
                _ = try? await lan.send(current.params, to: device, endpoint: endpoint, started: .now, timeout: timeout,
                                        relookup: false, onWire: nil, proceed: { ledger.stillCurrent(device.id, g) })
                let next = ledger.copies.withLock { c -> (JSONObject, Int)? in
                    if case .some(.some(let newer)) = c[device.id] { c[device.id] = .some(nil); return newer }
                    c[device.id] = nil
                    return nil
                }
                guard let next else { break }
                current = (next.0, next.1)
            }
            ledger.end(device.id)
        }
    }
}
