import EWeLinkCloud
import Testing

@Suite("Cloud request signing (protocol notes §5.3 vectors)")
struct CloudSignatureTests {
    let doc = CloudSignature(appSecret: "OdPuCZ4PkPPi0rVKRVcGmll2NM6vVk0c")

    @Test("POST bodies are signed byte for byte: compact and spaced JSON give the documented signatures")
    func bodies() {
        #expect(doc.sign(body: Array(#"{"email":"1234@gmail.com","password":"12345678","countryCode":"+1"}"#.utf8))
            == "ttZ/gluzqrafvGonjMD20p4//arW6KoZKbo1SOMEzCA=")
        #expect(doc.sign(body: Array(#"{"email": "1234@gmail.com", "password": "12345678", "countryCode": "+1"}"#.utf8))
            == "cE/Wl57Ithy21Elieq5wFsYwJWl2IrkBxlmuCnwI73c=")
        #expect(doc.authorization(body: Array("{}".utf8)).hasPrefix("Sign "))
    }

    @Test("GET parameters are sorted by name before signing")
    func query() {
        let shuffled: [(name: String, value: String)] = [("ts", "1558004249"), ("nonce", "2323dfgh"),
                                                          ("deviceid", "1000012345"), ("appid", "McFJj4Noke1mGDZCR1QarGW7P9Ycp0Vr")]
        #expect(CloudSignature.canonicalQuery(shuffled)
            == "appid=McFJj4Noke1mGDZCR1QarGW7P9Ycp0Vr&deviceid=1000012345&nonce=2323dfgh&ts=1558004249")
        #expect(doc.sign(query: shuffled) == "2CqlYZcS8x6LI27DgfX3QdqnVCFqbEz8sZXtOGEFuGc=")
    }

    @Test("OAuth variant vector: key abc, message ABC_123")
    func oauth() {
        #expect(CloudSignature(appSecret: "abc").sign(Array("ABC_123".utf8)) == "v1+mfNY2ukxswM8sZOTg99srZsVnUVv9DGXeav1096M=")
    }

    @Test("Nonces are 8 letters or digits, and differ")
    func nonces() {
        let all = (0..<200).map { _ in CloudSignature.nonce() }
        #expect(all.allSatisfy { $0.count == 8 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        #expect(Set(all).count > 195)
    }

    @Test("Regions and error codes come from one table each")
    func tables() {
        #expect(CloudRegion.cn.apiBase == "https://cn-apia.coolkit.cn")
        #expect(CloudRegion.eu.apiBase == "https://eu-apia.coolkit.cc")
        #expect(CloudRegion.us.dispatchURL == "https://us-dispa.coolkit.cc/dispatch/app")
        #expect(CloudErrorCode.describe(10004).contains("region"))
        #expect(CloudErrorCode.describe(123).contains("unknown"))
    }
}
