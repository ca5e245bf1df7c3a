/// `transforms`: limits and settings of the built-in transforms and where plugins are found.
public struct TransformsConfiguration: Sendable, Equatable {
    /// `image`: limits of the image transforms.
    public var image: ImageTransformConfiguration
    /// `translate`: the translation service behind `translate`.
    public var translate: TranslateConfiguration
    /// `plugins`: where plugin transforms are found.
    public var plugins: PluginsConfiguration
    /// `exif`: how much of an object `exif` reads.
    public var exif: ExifConfiguration

    public init(
        image: ImageTransformConfiguration = ImageTransformConfiguration(),
        translate: TranslateConfiguration = TranslateConfiguration(),
        plugins: PluginsConfiguration = PluginsConfiguration(),
        exif: ExifConfiguration = ExifConfiguration()
    ) {
        self.image = image
        self.translate = translate
        self.plugins = plugins
        self.exif = exif
    }
}

extension TransformsConfiguration {
    init(from node: ConfigurationNode) throws(ConfigurationError) {
        let mapping = try node.mapping(allowedKeys: ["image", "translate", "plugins", "exif"])
        self.init()
        if let value = mapping["image"] { image = try ImageTransformConfiguration(from: value) }
        if let value = mapping["translate"] { translate = try TranslateConfiguration(from: value) }
        if let value = mapping["plugins"] { plugins = try PluginsConfiguration(from: value) }
        if let value = mapping["exif"] { exif = try ExifConfiguration(from: value) }
    }
}
