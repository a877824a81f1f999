/// The raw pointers one call of a layer works with, handed out together for the whole call:
/// the layer's own buffers and its parameters' gradients for writing (named by key path), the
/// call's input and the weights for reading (by position). A forward or backward then reads
/// like llm.c — a block of `let h = p[\.h]` lines, then the loops — instead of one nested
/// `withUnsafe…` closure per tensor.
///
/// Memory safety, under Swift's exclusivity rules:
/// - the pointers are valid only inside the closure given to `pin`: never store or return one;
/// - each written tensor is pinned through an exclusive access to its property that lasts the
///   whole closure (the same property twice is an overlapping access, refused at run time), so
///   nothing can copy or reallocate it meanwhile;
/// - each read tensor is a value the pin keeps alive; it must not also be written in the call
///   (writing would first copy it, and its read pointer would keep showing the old values).
struct Pinned<Owner: AnyObject> {
    private let paths: [ReferenceWritableKeyPath<Owner, Tensor>]
    private var written: [UnsafeMutableBufferPointer<Float>] = []
    private var read: [UnsafeBufferPointer<Float>] = []

    private init(paths: [ReferenceWritableKeyPath<Owner, Tensor>]) {
        self.paths = paths
    }

    /// Runs `body` with the tensors of `owner` at `paths` pinned for writing and `tensors`
    /// pinned for reading.
    static func pin<R>(_ owner: Owner, writing paths: [ReferenceWritableKeyPath<Owner, Tensor>],
                       reading tensors: [Tensor] = [], _ body: (Pinned) throws -> R) rethrows -> R {
        var pinned = Pinned(paths: paths)
        pinned.written.reserveCapacity(paths.count)
        pinned.read.reserveCapacity(tensors.count)
        return try pinned.pinWritten(owner, from: 0, then: tensors, body)
    }

    private mutating func pinWritten<R>(_ owner: Owner, from i: Int, then tensors: [Tensor],
                                        _ body: (Pinned) throws -> R) rethrows -> R {
        guard i < paths.count else { return try pinRead(tensors, from: 0, body) }
        return try owner[keyPath: paths[i]].withUnsafeMutableBufferPointer { buffer in
            written.append(buffer)
            return try pinWritten(owner, from: i + 1, then: tensors, body)
        }
    }

    private mutating func pinRead<R>(_ tensors: [Tensor], from i: Int, _ body: (Pinned) throws -> R) rethrows -> R {
        guard i < tensors.count else { return try body(self) }
        return try tensors[i].withUnsafeBufferPointer { buffer in
            read.append(buffer)
            return try pinRead(tensors, from: i + 1, body)
        }
    }

    /// The first element of the written tensor at `path`.
    subscript(_ path: ReferenceWritableKeyPath<Owner, Tensor>) -> UnsafeMutablePointer<Float> {
        buffer(path).baseAddress!
    }

    /// The written tensor at `path`, which must be one of those pinned.
    func buffer(_ path: ReferenceWritableKeyPath<Owner, Tensor>) -> UnsafeMutableBufferPointer<Float> {
        written[paths.firstIndex(of: path)!]
    }

    /// The first element of the read tensor at `index` in the `reading:` list.
    subscript(read index: Int) -> UnsafePointer<Float> {
        read[index].baseAddress!
    }

    /// The read tensor at `index` in the `reading:` list.
    func buffer(read index: Int) -> UnsafeBufferPointer<Float> {
        read[index]
    }
}
