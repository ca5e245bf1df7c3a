import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process group a plugin's process leads, killed as a whole: the plugin and whatever it started.
///
/// A process group's id is its leader's pid, and a pid is free for reuse once its process is reaped: a signal sent
/// to the group after that could reach an unrelated group. So every signal is sent under the lock that
/// ``leaderExited()`` takes while the exited leader is still a zombie, before Subprocess reaps it.
final class ExecProcessGroup: Sendable {
    private enum State {
        case starting(killRequested: Bool)
        case running(leader: pid_t)
        case over
    }

    private let state = Mutex(State.starting(killRequested: false))

    /// Records the group's leader, just spawned; kills the group at once if ``kill()`` came first.
    func started(leader: pid_t) {
        state.withLock { state in
            guard case .starting(let killRequested) = state else { return }
            state = .running(leader: leader)
            if killRequested {
                Self.signalGroup(of: leader)
            }
        }
    }

    /// Kills every process of the group with SIGKILL, now or as soon as it starts; nothing once it is over.
    func kill() {
        state.withLock { state in
            switch state {
            case .starting:
                state = .starting(killRequested: true)
            case .running(let leader):
                Self.signalGroup(of: leader)
            case .over:
                break
            }
        }
    }

    /// Waits, without reaping it, until the leader has exited (or the task is cancelled).
    ///
    /// The leader usually exits as its output ends, so the first checks come quickly and later ones less often.
    func waitForLeaderExit() async {
        var pause = Duration.milliseconds(1)
        while !leaderHasExited(), !Task.isCancelled {
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Kills what the leader left behind in its group and ends all signalling: the leader is about to be reaped.
    func leaderExited() {
        state.withLock { state in
            if case .running(let leader) = state {
                Self.signalGroup(of: leader)
            }
            state = .over
        }
    }

    private func leaderHasExited() -> Bool {
        let leader: pid_t? = state.withLock { state in
            guard case .running(let leader) = state else { return nil }
            return leader
        }
        guard let leader else { return true }
        var info = siginfo_t()
        guard waitid(P_PID, id_t(leader), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else {
            // Not our child (ECHILD): there is nothing left to wait for.
            return errno != EINTR
        }
        return info.si_signo != 0
    }

    private static func signalGroup(of leader: pid_t) {
        _ = killpg(leader, SIGKILL)
    }
}
