import Synchronization

/// One run of a plugin, taken from ``PluginRunSlots``: the run may go on until the slot is released.
///
/// Releasing twice is harmless; a slot dropped without being released is released then, so a forgotten slot
/// cannot block the plugin for good.
public final class PluginRunSlot: Sendable {
    private let slots: PluginRunSlots
    private let isReleased = Atomic(false)

    init(slots: PluginRunSlots) {
        self.slots = slots
    }

    deinit {
        release()
    }

    /// Ends the run: the next request in line, if any, takes it over.
    public func release() {
        guard isReleased.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        slots.release()
    }
}
