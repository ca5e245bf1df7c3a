extension Pipeline {
    /// Runs the steps one after the other, each reading the body the previous one produces.
    ///
    /// Before each step, checks that it takes the current content type (else `UnsupportedMediaType`) and that the
    /// deadline has not passed (else `TransformTimeout`). Bodies are handed on as streams, never gathered here: a
    /// streaming step's output flows while its input is still being read. Headers of later steps win.
    public func run(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        var current = input
        var headers: [String: String] = [:]
        var stepContext = context
        for step in steps {
            let descriptor = step.transform.descriptor
            guard descriptor.canTake(contentType: current.contentType) else {
                let mediaType = TransformDescriptor.mediaType(of: current.contentType)
                throw RefractError.unsupportedMediaType(
                    "\(descriptor.name) does not take \(mediaType.isEmpty ? "content without a type" : mediaType)"
                )
            }
            guard ContinuousClock.now < context.deadline else {
                throw RefractError.transformTimeout()
            }
            stepContext.parameters = step.parameters
            let output = try await step.transform.apply(current, context: stepContext)
            headers.merge(output.headers) { _, later in later }
            current = TransformInput(
                body: output.body,
                contentType: output.contentType,
                contentLength: output.contentLength
            )
        }
        return TransformOutput(
            body: current.body,
            contentType: current.contentType,
            contentLength: current.contentLength,
            headers: headers
        )
    }
}
