/// How many jobs are in each state.
public struct JobCounts: Sendable, Hashable {
    public var pending: Int
    public var running: Int
    public var done: Int
    public var dead: Int

    public init(pending: Int = 0, running: Int = 0, done: Int = 0, dead: Int = 0) {
        self.pending = pending
        self.running = running
        self.done = done
        self.dead = dead
    }

    /// The jobs still to be run: pending and running.
    public var depth: Int { pending + running }

    /// The count for `state`.
    public subscript(state: JobState) -> Int {
        get {
            switch state {
            case .pending: pending
            case .running: running
            case .done: done
            case .dead: dead
            }
        }
        set {
            switch state {
            case .pending: pending = newValue
            case .running: running = newValue
            case .done: done = newValue
            case .dead: dead = newValue
            }
        }
    }
}
