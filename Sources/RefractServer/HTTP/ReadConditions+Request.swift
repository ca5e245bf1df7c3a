import HTTPTypes
import RefractStorage

extension ReadConditions {
    /// The conditional headers of `request`.
    init(_ request: GatewayRequest) {
        self.init(
            ifMatch: request.header(.ifMatch),
            ifNoneMatch: request.header(.ifNoneMatch),
            ifModifiedSince: request.header(.ifModifiedSince),
            ifUnmodifiedSince: request.header(.ifUnmodifiedSince)
        )
    }
}
