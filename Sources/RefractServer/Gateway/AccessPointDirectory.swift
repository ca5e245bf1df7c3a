import RefractCore

/// An access point as the gateway serves it: its supporting bucket and its pipeline, parsed once at start.
struct AccessPoint: Sendable {
    /// The name clients use as a bucket.
    let name: String
    /// The name of the supporting bucket, as clients know it.
    let bucket: String
    let pipeline: Pipeline
    /// The step names as configured (presets unexpanded), each of which a client needs `refract:Transform` for.
    let stepNames: [String]
    /// The configured `payload`, as compact JSON text.
    let payload: String?
}

/// The configuration's access points, by name.
struct AccessPointDirectory: Sendable {
    private let accessPoints: [String: AccessPoint]

    /// Parses every access point's pipeline; one that names an unknown step or a bad parameter fails the start.
    init(configuration: RefractConfiguration, registry: TransformRegistry) throws(RefractError) {
        var accessPoints: [String: AccessPoint] = [:]
        for (name, accessPoint) in configuration.accessPoints {
            do {
                accessPoints[name] = AccessPoint(
                    name: name,
                    bucket: accessPoint.bucket,
                    pipeline: try registry.pipeline(steps: accessPoint.pipeline),
                    stepNames: try SuffixParser.parse(accessPoint.pipeline).map(\.name),
                    payload: accessPoint.payload
                )
            } catch {
                throw .invalidArgument("access_points.\(name).pipeline: \(error.message)")
            }
        }
        self.accessPoints = accessPoints
    }

    subscript(name: String) -> AccessPoint? {
        accessPoints[name]
    }
}
