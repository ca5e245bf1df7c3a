import Foundation
public import RefractCore

/// How to reach an S3-compatible service and who the gateway is there.
public struct S3StoreSettings: Sendable, Equatable {
    /// `http` or `https`.
    public var scheme: String
    /// The service's host name or address, without a bucket.
    public var host: String
    /// The port, when not the scheme's default.
    public var port: Int?
    /// The region requests are signed for.
    public var region: String
    public var credentials: SigV4Credentials
    /// Address buckets as `endpoint/bucket/key` (true, as MinIO and moto need) rather than as `bucket.endpoint/key`.
    public var pathStyle: Bool
    /// How long opening a connection may take before the store counts as unreachable.
    public var connectTimeout: Duration
    /// How long the store may leave a request without an answer or more bytes.
    public var readTimeout: Duration

    /// Settings for the service at `endpoint` (`http://127.0.0.1:9000`, `https://s3.eu-west-1.amazonaws.com`).
    ///
    /// - Throws: `InvalidArgument` when `endpoint` is not an absolute `http` or `https` URL without a path.
    public init(
        endpoint: String,
        region: String,
        credentials: SigV4Credentials,
        pathStyle: Bool,
        connectTimeout: Duration,
        readTimeout: Duration
    ) throws(RefractError) {
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
            components.path.isEmpty || components.path == "/", components.query == nil
        else {
            throw RefractError.invalidArgument("The store endpoint \(endpoint) is not an http(s) URL without a path.")
        }
        self.scheme = scheme
        self.host = host
        self.port = components.port
        self.region = region
        self.credentials = credentials
        self.pathStyle = pathStyle
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// The endpoint as configured, for logs: `http://127.0.0.1:9000`.
    public var endpoint: String {
        "\(scheme)://\(authority(host: host))"
    }

    /// `host[:port]`, the port left out when it is the scheme's default.
    func authority(host: String) -> String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port, port != (scheme == "https" ? 443 : 80) else { return bracketed }
        return "\(bracketed):\(port)"
    }
}
