import EWeLinkCloud
import EWeLinkLAN
import EWeLinkSimulator
import Foundation
import Testing
import TestSupport

/// Devices, groups and sharing.
extension CloudEndpointTests {
    @Test("Specified things returns the requested devices and groups, 1 to 10 of them")
    func specifiedThings() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true), ("strip", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let (a, b) = (sim.devices[0].id, sim.devices[2].id)
        let group = try await c.addGroup(name: "Pair", mainDeviceID: a)
        let items = try await c.things([CloudThingRef(.ownDevice, a), CloudThingRef(.ownDevice, b),
                                        CloudThingRef(.group, group.id)])
        #expect(items.map(\.id) == [a, b, group.id])
        guard case .group(let g) = items[2] else { throw TestFailure("no group item") }
        #expect(g.name == "Pair" && g.mainDeviceID == a)
        let tooMany = (0..<11).map { _ in CloudThingRef(.ownDevice, a) }
        #expect(await apiCode { try await c.things(tooMany) } == 400)
    }

    @Test("Batch status changes several devices; offline ones report 30022 when waited for; unknown ids 405")
    func batchStatus() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true), ("strip", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let (d0, d1, d2) = (sim.devices[0], sim.devices[1], sim.devices[2])
        let replies = try await c.batchStatus([
            ThingUpdate(id: d0.id, params: ["switch": "on"]), ThingUpdate(id: d1.id, params: ["switch": "on"]),
            ThingUpdate(id: d2.id, params: ["switches": [["switch": "on", "outlet": 1]]]),
        ])
        #expect(replies.map(\.error) == [0, 0, 0] && replies.map(\.id) == [d0.id, d1.id, d2.id])
        #expect(d0.snapshot.params["switch"] == "on" && d1.snapshot.params["switch"] == "on")
        #expect(d2.snapshot.params["switches"]?.arrayValue?[1]["switch"] == "on")
        d1.setOnline(false)
        let waited = try await c.batchStatus([ThingUpdate(id: d0.id, params: ["switch": "off"]),
                                              ThingUpdate(id: d1.id, params: ["switch": "off"])], timeoutMs: 1000)
        #expect(waited.map(\.error) == [0, 30022])
        #expect(d0.snapshot.params["switch"] == "off" && d1.snapshot.params["switch"] == "on")
        #expect(await apiCode { try await c.batchStatus([ThingUpdate(id: "10ffffffff", params: ["switch": "on"])]) } == 405)
    }

    @Test("Delete a device, then another account adds it (WiFi with digest, or GSM by its QR id)")
    func addAndDelete() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true), ("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let owner = try await loggedIn(cloud, spec, limiter: limiter)
        let guest = try await loggedIn(cloud, spec, guest: true, limiter: limiter)
        let (d1, d2) = (sim.devices[1].config, sim.devices[2].config)
        try await owner.deleteDevice(d1.id)
        #expect(try await owner.things().map(\.deviceID).contains(d1.id) == false)
        #expect(await apiCode { try await owner.deleteDevice(d1.id) } == 405)

        let digest = CloudClient.addDeviceDigest(deviceID: d1.id, deviceApikey: d1.devicekey!)
        #expect(await apiCode { try await guest.addDevice(name: "x", deviceID: d1.id, digest: "00", chipID: "C1") } == 30015)
        #expect(await apiCode { try await guest.addDevice(name: "x", deviceID: "xyz", digest: digest, chipID: "C1") } == 30010)
        #expect(await apiCode { try await guest.addDevice(name: "x", deviceID: "10ffffffff", digest: digest, chipID: "C1") }
            == 30018)
        let added = try await guest.addDevice(name: "Guest plug", deviceID: d1.id, digest: digest, chipID: "C1",
                                              settings: DeviceSettings(opsHistory: true))
        #expect(added.deviceID == d1.id && added.itemType == 1 && added.name == "Guest plug")
        let guestThings = try await guest.things()
        #expect(guestThings.first { $0.deviceID == d1.id }?.itemType == 1)

        try await owner.deleteDevice(d2.id)
        let gsm = try await guest.addGSMDevice(gsmID: cloud.gsmID(of: d2.id), name: "Tracker")
        #expect(gsm.map(\.deviceID) == [d2.id] && gsm.first?.name == "Tracker")
        #expect(await apiCode { try await owner.addGSMDevice(gsmID: cloud.gsmID(of: d2.id), name: "Mine") } == 30007)
        #expect(await apiCode { try await owner.addGSMDevice(gsmID: "0123", name: "None") } == 405)
    }

    @Test("Rename a device and move it to a room; the thing list shows both")
    func updateInfo() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let id = sim.devices[0].id
        let room = try #require(try await c.families().current?.rooms.first)
        try await c.updateDevice(id, name: "Desk lamp", roomID: room.id)
        let thing = try #require(try await c.things().first)
        #expect(thing.name == "Desk lamp" && thing.roomID == room.id)
        #expect(await apiCode { try await c.updateDevice(id, roomID: "room-nowhere") } == 405)
        #expect(await apiCode { try await c.updateDevice("10ffffffff", name: "Ghost") } == 405)
    }

    @Test("Tags are replaced or merged and show in the thing list")
    func tags() async throws {
        let (sim, cloud, spec) = try await startCloud([("strip", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let id = sim.devices[0].id
        #expect(try await c.setTags(id, ["ck_channel_name": ["0": "Lamp"]])?.tags == ["ck_channel_name": ["0": "Lamp"]])
        #expect(try await c.setTags(id, ["room": "hall"], merge: true)?.tags.keys == ["ck_channel_name", "room"])
        #expect(try await c.setTags(id, ["only": "this"])?.tags == ["only": "this"])
        #expect(try await c.things().first?.tags == ["only": "this"])
    }

    @Test("History records cloud and LAN changes newest first; clean empties it")
    func history() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let device = sim.devices[0]
        try await c.setStatus(of: device.id, params: ["switch": "on"])
        _ = device.press()
        let entries = try await c.history(of: device.id)
        #expect(entries.count == 2)
        #expect(entries.first?.userAgent == "device" && entries.last?.userAgent == "app")
        #expect(entries.last?.request.contains("\"switch\":\"on\"") == true)
        let one = try await c.history(of: device.id, num: 1)
        #expect(one.count == 1 && one[0] == entries[0])
        try await c.clearHistory(of: device.id)
        #expect(try await c.history(of: device.id, from: nil, num: 30).isEmpty)
        #expect(await apiCode { try await c.clearHistory(of: "10ffffffff") } == 405)
    }

    @Test("Groups: add, list, rename, members, saved status (group/status), commands to the members (thing/status), delete")
    func groups() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true), ("plug", true)])
        defer { Task { await sim.stop() } }
        let c = try await loggedIn(cloud, spec, limiter: CloudRateLimiter())
        let (d0, d1, d2) = (sim.devices[0], sim.devices[1], sim.devices[2])
        let group = try await c.addGroup(name: "Lights", mainDeviceID: d0.id)
        #expect(try await c.groups().map(\.name) == ["Lights"])
        try await c.renameGroup(group.id, to: "Hall lights")
        let changed = try await c.setGroupDevices(group.id, [d0.id, d1.id])
        #expect(changed.map(\.deviceID) == [d1.id])
        try await c.setGroupStatus(group.id, params: ["switch": "on"])
        #expect(d0.snapshot.params["switch"] != "on" && d1.snapshot.params["switch"] != "on",
                "group/status only saves the group's status")
        let listed = try #require(try await c.groups().first)
        #expect(listed.name == "Hall lights" && listed.params["switch"] == "on")
        #expect(try await c.status(ofGroup: group.id, params: ["switch"]) == ["switch": "on"])
        try await c.setStatus(ofGroup: group.id, params: ["switch": "on"])
        #expect(d0.snapshot.params["switch"] == "on" && d1.snapshot.params["switch"] == "on")
        #expect(d2.snapshot.params["switch"] != "on", "not a member")
        d1.setOnline(false)
        try await c.setStatus(ofGroup: group.id, params: ["switch": "off"])
        #expect(d0.snapshot.params["switch"] == "off" && d1.snapshot.params["switch"] == "on", "offline members skipped")
        #expect(await apiCode { try await c.setGroupDevices(group.id, [d1.id]) } == 400, "the main device must stay")
        #expect(await apiCode { try await c.addGroup(name: String(repeating: "x", count: 51), mainDeviceID: d0.id) } == 400)
        try await c.deleteGroup(group.id)
        #expect(try await c.groups().isEmpty)
        #expect(await apiCode { try await c.renameGroup(group.id, to: "Gone") } == 405)
    }

    @Test("Share, change the permission, cancel: the guest's thing list and messages follow")
    func sharing() async throws {
        let (sim, cloud, spec) = try await startCloud([("plug", true), ("plug", true)])
        defer { Task { await sim.stop() } }
        let limiter = CloudRateLimiter()
        let owner = try await loggedIn(cloud, spec, limiter: limiter)
        let guest = try await loggedIn(cloud, spec, guest: true, limiter: limiter)
        let id = sim.devices[1].id
        #expect(try await guest.things().map(\.deviceID) == [sim.devices[0].id])
        let updated = try await owner.share([id], with: .email(spec.guestEmail), permit: [.createTimer], comment: "hi")
        let share = try #require(updated.first?.shareTo.first)
        #expect(share.email == spec.guestEmail && share.permit == 1 && share.comment == "hi")
        let seen = try #require(try await guest.things().first { $0.deviceID == id })
        #expect(seen.itemType == 2 && seen.sharedBy == owner.session?.apikey)

        let permitted = try await owner.setSharePermit(id, apikey: share.apikey, permit: .allTimers)
        #expect(permitted?.shareTo.first?.permit == 15)
        #expect(await apiCode { try await owner.share([id], with: .email("nobody@example.com")) } == 30008)
        #expect(await apiCode { try await guest.share([id], with: .email(spec.ownerEmail)) } == 406, "only the owner shares")

        try await owner.cancelShare(id, apikey: share.apikey)
        #expect(try await guest.things().map(\.deviceID).contains(id) == false)
        let messages = try await guest.messages()
        #expect(messages.map(\.type) == ["cancelShareNotify_v2", "shareNotify_v2"])
        let newest = try await guest.messages(num: 1)
        #expect(newest.map(\.type) == ["cancelShareNotify_v2"])
        let older = try await guest.messages(from: newest[0].date)
        #expect(older.map(\.type) == ["shareNotify_v2"])
        #expect(await apiCode { try await owner.cancelShare(id, apikey: share.apikey) } == 405)
    }
}
