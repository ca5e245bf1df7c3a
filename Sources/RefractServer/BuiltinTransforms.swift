public import RefractCore

/// The transforms compiled into the gateway, registered by `refract serve` and listed by `refract transforms`.
public enum BuiltinTransforms {
    public static var all: [any Transform] { [] }
}
