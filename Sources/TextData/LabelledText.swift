/// One labelled example: a class label and its text.
public struct LabelledText: Hashable, Sendable, Codable {
    public var label: String
    public var text: String

    public init(label: String, text: String) {
        self.label = label
        self.text = text
    }
}
