import CHDF5
import Engine
import Foundation
import Synchronization

/// Writes an HDF5 file of float32 datasets at slash-separated paths (the groups on the way are
/// created), through Debian's libhdf5: what Keras 3's `model.weights.h5` holds.
enum HDF5Writer {
    /// One dataset: its path in the file (`layers/dense/vars/0`), shape and values (row-major).
    struct Dataset {
        var path: String
        var shape: [Int]
        var values: [Float]
    }

    /// The serial libhdf5 is not thread-safe: one file at a time in this process.
    private static let lock = Mutex(())

    /// Writes `datasets` to a new file at `url` (replacing one there). Throws
    /// `EngineError.file` naming the file and the dataset HDF5 refused.
    static func write(_ datasets: [Dataset], to url: URL) throws {
        try lock.withLock { _ in try writeLocked(datasets, to: url) }
    }

    private static func writeLocked(_ datasets: [Dataset], to url: URL) throws {
        func fail(_ what: String) -> EngineError { .file(path: url.path, reason: "HDF5: cannot \(what)") }
        wb_h5_silence_errors()
        let file = H5Fcreate(url.path, wb_h5_acc_trunc(), wb_h5_default(), wb_h5_default())
        guard file >= 0 else { throw fail("create the file") }
        var closed = false
        defer { if !closed { H5Fclose(file) } }
        // Groups on a dataset's path are created with it.
        let linkProperties = H5Pcreate(wb_h5_link_create_class())
        guard linkProperties >= 0 else { throw fail("create a link property list") }
        defer { H5Pclose(linkProperties) }
        guard H5Pset_create_intermediate_group(linkProperties, 1) >= 0 else { throw fail("set intermediate groups") }

        for d in datasets {
            guard d.shape.reduce(1, *) == d.values.count, !d.shape.isEmpty else {
                throw fail("write \(d.path): shape \(d.shape) does not hold \(d.values.count) values")
            }
            let dims = d.shape.map { hsize_t($0) }
            let space = dims.withUnsafeBufferPointer { H5Screate_simple(Int32(dims.count), $0.baseAddress, nil) }
            guard space >= 0 else { throw fail("create the dataspace of \(d.path)") }
            defer { H5Sclose(space) }
            let set = H5Dcreate2(file, d.path, wb_h5_float32le(), space, linkProperties, wb_h5_default(), wb_h5_default())
            guard set >= 0 else { throw fail("create the dataset \(d.path)") }
            defer { H5Dclose(set) }
            let status = d.values.withUnsafeBufferPointer {
                H5Dwrite(set, wb_h5_native_float(), hid_t(0), hid_t(0), wb_h5_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw fail("write the dataset \(d.path)") }
        }
        closed = true
        guard H5Fclose(file) >= 0 else { throw fail("close the file") }
    }
}
