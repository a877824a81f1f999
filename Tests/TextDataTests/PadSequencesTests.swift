import Testing
import TextData

@Suite struct TextDataPadSequences {
    @Test func edgeCases() throws {
        #expect(padSequences([]) == [])
        #expect(padSequences([[], []]) == [[], []])
        #expect(padSequences([[1, 2]], maxLength: 0) == [[]])
        #expect(padSequences([[1, 2]], maxLength: -3) == [[]])
        #expect(padSequences([[1, 2, 3]], maxLength: 5, padding: .post, truncating: .post, value: 9)
                == [[1, 2, 3, 9, 9]])
    }

    @Test func flatBufferReuseAndSlices() throws {
        let seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9]]
        var buffer: [Float] = []
        #expect(padSequences(seqs[1...], maxLength: nil, into: &buffer) == 5)
        #expect(buffer == [0, 0, 0, 0, 4, 5, 6, 7, 8, 9])
        // Shrinking keeps the capacity.
        let capacity = buffer.capacity
        #expect(padSequences(seqs[..<1], maxLength: 2, padding: .post, truncating: .post, into: &buffer) == 2)
        #expect(buffer == [1, 2] && buffer.capacity == capacity)
    }

    @Test func callerBufferMustFit() throws {
        var storage = [Float](repeating: 0, count: 5)
        #expect(throws: TextDataError.bufferSize(what: "padSequences of 2 sequences to length 3", expected: 6, got: 5)) {
            try storage.withUnsafeMutableBufferPointer {
                try padSequences([[1], [2]], maxLength: 3, into: $0)
            }
        }
    }
}
