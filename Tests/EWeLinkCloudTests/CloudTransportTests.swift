import EWeLinkCloud
import Testing

@Suite("Cloud connection settings from the environment")
struct CloudTransportTests {
    @Test("HTTPS_PROXY forms, NO_PROXY hosts and suffixes, EWELINK_CA_FILE over caFile, empty variables unset")
    func environment() {
        var t = CloudTransport.from(environment: ["HTTPS_PROXY": "http://user@proxy.example:3128/", "NO_PROXY": "127.0.0.1, .corp.example,localhost:8443",
                                                  "EWELINK_CA_FILE": "/a.pem", "SSL_CERT_FILE": ""], caFile: "/b.pem")
        #expect(t.proxy == CloudTransport.Proxy(host: "proxy.example", port: 3128))
        #expect(t.caFile == "/a.pem" && t.certFile == nil)
        #expect(t.proxy(for: "eu-apia.coolkit.cc") != nil)
        #expect(t.proxy(for: "127.0.0.1") == nil && t.proxy(for: "api.corp.example") == nil && t.proxy(for: "corp.example") == nil)
        #expect(t.proxy(for: "localhost") == nil)
        #expect(t.proxy(for: "notcorp.example") != nil)
        t = CloudTransport.from(environment: ["https_proxy": "proxy:8080", "no_proxy": "*"], caFile: "/b.pem")
        #expect(t.proxy == CloudTransport.Proxy(host: "proxy", port: 8080) && t.caFile == "/b.pem")
        #expect(t.proxy(for: "eu-apia.coolkit.cc") == nil)
        // Only an http:// proxy can carry CONNECT here; anything else is ignored rather than misused.
        #expect(CloudTransport.from(environment: ["HTTPS_PROXY": "socks5://p:1080"]).proxy == nil)
        #expect(CloudTransport.from(environment: ["HTTPS_PROXY": "http://p"]).proxy?.port == 1080)
    }

    @Test("A CA file that cannot be read, or holds no certificate, is named before any call")
    func problems() {
        #expect(CloudTransport(caFile: "/nonexistent/ca.pem").problem?.contains("cannot be read") == true)
        #expect(CloudTransport(certFile: "/etc/hostname").problem?.contains("no PEM certificate") == true)
        #expect(CloudTransport().problem == nil)
    }
}
