import Foundation
import NIOCore
import RefractCore
import RefractImage
import Testing

@Suite struct EngineTests {
    @Test func aFullQueueAnswersSlowDownAtOnce() async throws {
        let source = try await Fixtures.shared().data("landscape.jpg")
        try await ImageHarness.withEngine(workers: 1, queueLimit: 1) { harness in
            // Two jobs hold the worker and the queue place while their sources are still arriving.
            let held = [HeldBody(first: ByteBuffer(bytes: source)), HeldBody(first: ByteBuffer(bytes: source))]
            let running = held.map { body in
                Task {
                    try await harness.run(
                        "resize:w=100",
                        input: TransformInput(body: body.body, contentType: "image/jpeg", contentLength: nil)
                    )
                }
            }
            for body in held {
                await body.waitUntilHeld()
            }

            let refused = await #expect(throws: RefractError.self) {
                try await harness.run("resize:w=100", on: source)
            }
            #expect(refused?.s3Code == "SlowDown")
            #expect(refused?.httpStatus == 503)
            #expect(refused?.retryAfterSeconds == 1)

            for body in held {
                body.open()
            }
            for task in running {
                let image = try await DecodedImage(try await task.value.bytes)
                #expect(image.width == 100)
            }
            // The places are free again.
            let after = try await harness.decoded("resize:w=100", on: source)
            #expect(after.width == 100)
        }
    }

    @Test func concurrentJobsAllFinish() async throws {
        let harness = try ImageHarness.shared()
        let source = try await Fixtures.shared().data("photo.jpg")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for width in 1...8 {
                group.addTask {
                    try await DecodedImage(try await harness.run("resize:w=\(width * 10)", on: source).bytes).width
                }
            }
            var widths: [Int] = []
            for try await width in group {
                widths.append(width)
            }
            #expect(widths.sorted() == Array(stride(from: 10, through: 80, by: 10)))
        }
    }

    @Test func aJobPastItsDeadlineTimesOut() async throws {
        let harness = try ImageHarness.shared()
        let pipeline = try harness.registry.pipeline(for: "resize:w=100")
        var context = ImageHarness.context()
        context.deadline = .now - .seconds(1)
        let source = try await Fixtures.shared().data("landscape.jpg")
        let error = await #expect(throws: RefractError.self) {
            try await pipeline.run(
                TransformInput(
                    body: ObjectBody(buffer: ByteBuffer(bytes: source)), contentType: "image/jpeg", contentLength: nil),
                context: context
            )
        }
        #expect(error?.s3Code == "TransformTimeout")
    }

    @Test func aShutDownEngineRefusesWork() async throws {
        let source = try await Fixtures.shared().data("landscape.jpg")
        let harness = try ImageHarness(
            engine: ImageEngine(limits: ImageLimits(), workers: 1, queueLimit: 0, logger: ImageHarness.logger))
        try await harness.engine.shutdown()
        let error = await #expect(throws: RefractError.self) {
            try await harness.run("resize:w=100", on: source)
        }
        #expect(error?.httpStatus == 503)
    }
}
