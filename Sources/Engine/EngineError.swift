/// Every error the engine throws names the layer (or file, or field) and the shapes involved.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// A layer cannot take the previous layer's output shape.
    case incompatibleLayer(layer: String, inputShape: [Int], reason: String)
    /// A tensor reaching a layer at run time does not have the shape the layer was built for.
    case shapeMismatch(layer: String, expected: [Int], got: [Int])
    /// An activation name that is not one of linear, relu, sigmoid, tanh, softmax.
    case unknownActivation(layer: String, name: String)
    /// A NaN or infinity in a batch, an output or a gradient.
    case nonFinite(where: String, shape: [Int])
    /// A model specification field that cannot be used.
    case invalidSpec(field: String, reason: String)
    /// A weights or spec file that cannot be read or written.
    case file(path: String, reason: String)

    public var description: String {
        switch self {
        case let .incompatibleLayer(layer, shape, reason):
            return "layer '\(layer)' cannot follow an output of shape \(shape.shapeDescription): \(reason)"
        case let .shapeMismatch(layer, expected, got):
            let e = "(" + expected.map { $0 < 0 ? "None" : String($0) }.joined(separator: ", ") + ")"
            return "layer '\(layer)' expected input of shape \(e), got \(got)"
        case let .unknownActivation(layer, name):
            return "layer '\(layer)': unknown activation '\(name)' (expected one of: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .nonFinite(place, shape):
            return "non-finite value (NaN or infinity) in \(place) of shape \(shape)"
        case let .invalidSpec(field, reason):
            return "model spec, field '\(field)': \(reason)"
        case let .file(path, reason):
            return "\(path): \(reason)"
        }
    }
}
