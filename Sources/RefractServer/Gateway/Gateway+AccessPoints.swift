import Hummingbird
import RefractCore
import RefractStorage

extension Gateway {
    /// A request to an access point: reads run the access point's pipeline on the supporting bucket's object,
    /// listings list the supporting bucket, and nothing can be written.
    ///
    /// Rights are the access point's own (`s3:GetObject AP/key`, `s3:ListBucket AP`, `refract:Transform STEP`), so a
    /// user may read through an access point without any right on its supporting bucket, as with S3 Object Lambda.
    /// A public supporting bucket makes its access points public too.
    func respondThroughAccessPoint(_ call: ObjectCall, accessPoint: AccessPoint) async throws -> Response {
        let supporting = try await buckets.route(accessPoint.bucket)
        let route = BucketRoute(
            name: accessPoint.name,
            store: supporting.store,
            storeBucket: supporting.storeBucket,
            isPublic: supporting.isPublic
        )
        let method = call.request.method
        guard method == .get || method == .head else {
            throw RefractError.methodNotAllowed("Access points are read-only.")
        }
        if call.key.isEmpty {
            // The bucket's own reads, with the access point's name for rights and listings.
            return try await respondToBucket(call, route: route)
        }
        guard call.request.path.suffix == nil else {
            throw RefractError.invalidTransform(
                "Access point \(accessPoint.name) applies its own pipeline; a transform suffix cannot be added.")
        }
        guard call.request.query["uploadId"] == nil else {
            throw RefractError.methodNotAllowed("Access points are read-only.")
        }
        call.exchange.operation = method == .get ? "GetObject" : "HeadObject"
        call.exchange.transform = accessPoint.pipeline.canonical
        try authorizeTransform(call, stepNames: accessPoint.stepNames, publicBucket: route.isPublic)
        return try await respondTransformed(
            call, route: supporting, pipeline: accessPoint.pipeline, payload: accessPoint.payload)
    }
}
