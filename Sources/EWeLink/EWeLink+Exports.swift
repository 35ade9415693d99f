// `import EWeLink` is all an app needs: the types the client's API shows (JSON, device kinds,
// LAN announcements, cloud sessions and regions) come with it.
@_exported import EWeLinkCloud
@_exported import EWeLinkLAN
