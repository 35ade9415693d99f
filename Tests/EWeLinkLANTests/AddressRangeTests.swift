import EWeLinkLAN
import Testing

@Suite("Address ranges for scans")
struct AddressRangeTests {
    @Test("CIDR, dash ranges and single addresses; network and broadcast left out up to /30")
    func forms() throws {
        #expect(try AddressRange("192.168.1.0/24").hosts.count == 254)
        #expect(try AddressRange("192.168.1.77/24").hosts.first == "192.168.1.1")
        #expect(try AddressRange("192.168.1.0/24").hosts.last == "192.168.1.254")
        #expect(try AddressRange("10.0.0.8/31").hosts == ["10.0.0.8", "10.0.0.9"])
        #expect(try AddressRange("10.0.0.8/32").hosts == ["10.0.0.8"])
        #expect(try AddressRange("127.0.0.0/28").hosts == (1...14).map { "127.0.0.\($0)" })
        #expect(try AddressRange("192.168.1.10-12").hosts == ["192.168.1.10", "192.168.1.11", "192.168.1.12"])
        #expect(try AddressRange("192.168.1.254-192.168.2.1").hosts == ["192.168.1.254", "192.168.1.255", "192.168.2.0", "192.168.2.1"])
        #expect(try AddressRange("172.16.0.5").hosts == ["172.16.0.5"])
        #expect(try AddressRange("10.0.0.0/16").count == 65_534)
    }

    @Test("Malformed and oversized ranges are refused with a reason")
    func refusals() throws {
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.9-3", "1.2.3.4-256", "a.b.c.d",
                    "1.2.3.4/", "-1.2.3.4", "1.2.3.4-", "１.2.3.4"] {
            #expect(throws: AddressRange.Failure.malformed(bad)) { try AddressRange(bad) }
        }
        #expect(throws: AddressRange.Failure.tooLarge("10.0.0.0/15", hosts: 131_070, limit: 65_536, forcible: true)) {
            try AddressRange("10.0.0.0/15")
        }
        #expect(try AddressRange("10.0.0.0/15", force: true).count == 131_070)
        #expect(throws: AddressRange.Failure.tooLarge("0.0.0.0/0", hosts: 4_294_967_294, limit: 1 << 24, forcible: false)) {
            try AddressRange("0.0.0.0/0", force: true)
        }
    }
}
