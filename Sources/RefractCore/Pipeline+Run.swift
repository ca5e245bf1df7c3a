extension Pipeline {
    /// Runs the steps one after the other, each reading the body the previous one produces.
    ///
    /// Adjacent steps of one ``FusibleTransform`` family run as one unit. Before each unit, checks that its first
    /// step takes the current content type (else `UnsupportedMediaType`) and that the deadline has not passed (else
    /// `TransformTimeout`). Bodies are handed on as streams, never gathered here: a streaming step's output flows
    /// while its input is still being read. Headers of later steps win. A step answering outside 2xx ends the run
    /// with its own output.
    public func run(_ input: TransformInput, context: TransformContext) async throws -> TransformOutput {
        var current = input
        var headers: [String: String] = [:]
        var stepContext = context
        for unit in units {
            let first = unit[unit.startIndex]
            let descriptor = first.transform.descriptor
            guard descriptor.canTake(contentType: current.contentType) else {
                let mediaType = TransformDescriptor.mediaType(of: current.contentType)
                throw RefractError.unsupportedMediaType(
                    "\(descriptor.name) does not take \(mediaType.isEmpty ? "content without a type" : mediaType)"
                )
            }
            guard ContinuousClock.now < context.deadline else {
                throw RefractError.transformTimeout()
            }
            stepContext.parameters = first.parameters
            let output: TransformOutput
            if let fusible = first.transform as? any FusibleTransform {
                output = try await fusible.apply(steps: Array(unit), to: current, context: stepContext)
            } else {
                output = try await first.transform.apply(current, context: stepContext)
            }
            headers.merge(output.headers) { _, later in later }
            guard (200..<300).contains(output.status) else {
                return TransformOutput(
                    body: output.body,
                    contentType: output.contentType,
                    contentLength: output.contentLength,
                    headers: headers,
                    status: output.status
                )
            }
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

    /// The steps cut into the units that run as one: a run of adjacent steps of one fusible family, or one step.
    var units: [ArraySlice<PipelineStep>] {
        var units: [ArraySlice<PipelineStep>] = []
        var start = steps.startIndex
        while start < steps.endIndex {
            var end = start + 1
            if let family = (steps[start].transform as? any FusibleTransform)?.family {
                while end < steps.endIndex, (steps[end].transform as? any FusibleTransform)?.family == family {
                    end += 1
                }
            }
            units.append(steps[start..<end])
            start = end
        }
        return units
    }

    /// What the request's headers decide about the output, step by step (see ``OutputVariant``).
    public func outputVariants(requestHeaders: [String: String]) -> [OutputVariant] {
        steps.compactMap { $0.transform.outputVariant(parameters: $0.parameters, requestHeaders: requestHeaders) }
    }
}
