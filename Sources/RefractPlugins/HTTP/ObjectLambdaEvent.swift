import Foundation
import RefractCore

/// The event an http function receives, shaped as S3 Object Lambda's `GetObject` event (protocol version 1.00),
/// with the step's own name, version and parameters beside it under `transform`.
struct ObjectLambdaEvent {
    var requestID: String
    var inputURL: String
    var route: String
    var token: String
    var context: TransformContext
    var descriptor: TransformDescriptor

    /// The event as JSON text.
    func json() throws -> Data {
        let source = context.source
        let host = context.requestHeaders["host"] ?? "localhost"
        var configuration: [String: Any] = [
            "accessPointArn": "arn:aws:s3-object-lambda:refract:000000000000:accesspoint/\(source.bucket)",
            "supportingAccessPointArn": "arn:aws:s3:refract:000000000000:accesspoint/\(source.bucket)",
        ]
        if let payload = context.payload { configuration["payload"] = payload }
        let event: [String: Any] = [
            "xAmzRequestId": requestID,
            "getObjectContext": ["inputS3Url": inputURL, "outputRoute": route, "outputToken": token],
            "configuration": configuration,
            "userRequest": [
                "url": "http://\(host)\(context.requestURL)",
                "headers": context.requestHeaders,
            ],
            "userIdentity": ["type": "Unknown"],
            "protocolVersion": "1.00",
            "transform": [
                "name": descriptor.name,
                "version": descriptor.version,
                "parameters": context.parameters.values.mapValues(Self.jsonValue),
            ],
        ]
        return try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    private static func jsonValue(_ value: ParameterValue) -> Any {
        switch value {
        case .integer(let integer): integer
        case .number(let number): number
        case .boolean(let boolean): boolean
        case .string(let string): string
        }
    }
}
