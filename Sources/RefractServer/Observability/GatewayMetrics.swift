import Foundation
import Metrics
import Prometheus

/// The gateway's Prometheus metrics: requests by operation, status and transform, their durations, bytes in and out.
///
/// Each gateway owns its registry rather than the process-wide `MetricsSystem`, so several gateways (tests) never
/// share counters.
struct GatewayMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    /// Where the gateway's other parts (the pipeline worker) record their metrics.
    let factory: PrometheusMetricsFactory

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        self.factory = factory
    }

    /// Counts a finished request.
    func record(operation: String, status: Int, transform: String?, duration: Duration, bytesIn: Int, bytesOut: Int) {
        let transformLabel = transform ?? "none"
        Counter(
            label: "refract_requests_total",
            dimensions: [("operation", operation), ("status", String(status)), ("transform", transformLabel)],
            factory: factory
        ).increment()
        Metrics.Timer(
            label: "refract_request_duration_seconds",
            dimensions: [("operation", operation), ("transform", transformLabel)],
            preferredDisplayUnit: .seconds,
            factory: factory
        ).recordNanoseconds(
            Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        if bytesIn > 0 {
            Counter(label: "refract_bytes_in_total", dimensions: [("operation", operation)], factory: factory)
                .increment(by: bytesIn)
        }
        if bytesOut > 0 {
            Counter(label: "refract_bytes_out_total", dimensions: [("operation", operation)], factory: factory)
                .increment(by: bytesOut)
        }
    }

    /// The metrics in Prometheus' text exposition format.
    func exposition() -> String {
        registry.emitToString()
    }
}
