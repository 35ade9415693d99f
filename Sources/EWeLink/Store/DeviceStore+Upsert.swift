import EWeLinkLAN

extension DeviceStore {
    /// What `upsert` did with one device.
    public enum UpsertOutcome: Sendable, Equatable {
        /// It was not in the store: a record was made.
        case added
        /// Its record changed.
        case updated
        /// Its record already said all of it.
        case unchanged
    }

    /// Merges each of `facts` into the device's record (`StoredDevice.merge`), making a record
    /// for a device the store does not hold, in one atomic write under the store's lock (none
    /// when nothing changed). The outcomes are in the order of `facts`.
    @discardableResult
    public func upsert(_ facts: [DeviceFacts]) throws -> [UpsertOutcome] {
        try update { list -> [UpsertOutcome] in
            facts.map { f in
                guard let i = list.firstIndex(where: { $0.id == f.id }) else {
                    var d = StoredDevice(identity: DeviceIdentity(id: f.id))
                    d.merge(f, isNew: true)
                    list.append(d)
                    return .added
                }
                let before = list[i]
                list[i].merge(f)
                return list[i] == before ? .unchanged : .updated
            }
        }
    }
}
