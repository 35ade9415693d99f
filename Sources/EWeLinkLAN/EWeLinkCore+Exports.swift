// The shared base (JSON, digests, sequence numbers, atomic files, durations) comes with the LAN
// module, so `import EWeLinkLAN` keeps giving what it always gave.
@_exported import EWeLinkCore
