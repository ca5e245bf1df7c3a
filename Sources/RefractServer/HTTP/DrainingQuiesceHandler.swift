import NIOCore
import NIOHTTPTypes

/// Holds back the server's "shutting down" event from a connection until its response in flight is on the wire.
///
/// On SIGTERM Hummingbird asks each connection to quiesce; its state handler then closes the connection right
/// after queueing the response's end, and NIO drops whatever of the response was still queued. Forwarding the
/// event only once no response is being written lets a slow download in flight finish, as the drain promises.
final class DrainingQuiesceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var responsesInFlight = 0
    private var quiescePending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { responsesInFlight += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        let written = promise ?? context.eventLoop.makePromise()
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            bound.value.handler.responseWritten(context: bound.value.context)
        }
        context.write(data, promise: written)
    }

    private func responseWritten(context: ChannelHandlerContext) {
        responsesInFlight -= 1
        if quiescePending, responsesInFlight == 0 {
            quiescePending = false
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent, responsesInFlight > 0 else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescePending = true
    }
}
