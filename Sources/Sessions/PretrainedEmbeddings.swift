import Basics
import Engine
import Foundation
import TextData

/// Pretrained word vectors for a model's Embedding layers (`LayerSpec.embedding(pretrained:)`,
/// `--embeddings FILE`): each layer naming a file gets, in the row of every vocabulary token
/// the file has, that token's vector; the other rows keep their seeded initial values. Done
/// once, when a run's first weights are made: the vectors are then part of the run's weights
/// (its first checkpoint), so resuming or re-opening never reads the file again.
public enum PretrainedEmbeddings {
    /// `--embeddings FILE [--freeze-embeddings]`: the file for the model's first Embedding layer.
    public struct Choice: Sendable, Equatable {
        public var file: String
        public var freeze: Bool
        public init(file: String, freeze: Bool) { self.file = file; self.freeze = freeze }
    }

    /// What one layer got from its file.
    public struct Report: Sendable, Equatable {
        public var layer: String
        public var path: String
        public var match: WordVectors.Match
        public var frozen: Bool
        /// "embedding: vectors.vec (fastText .vec, 50 dims): 41,203 of 50,000 tokens found (82.4%), frozen".
        public var summary: String {
            "\(layer): \((path as NSString).lastPathComponent) (\(match.format.rawValue), \(match.dim) dims): \(match.coverage)\(frozen ? ", frozen" : ", fine-tuned")"
        }
    }

    /// Writes the vectors of every Embedding layer of `classifier` that names a file. The rows
    /// are the tokenizer's ids (`1..<vocabularySize`; 0 is padding, and the OOV token, which no
    /// file's word stands for, is left out). A bad file throws `SessionError.invalidSetting`
    /// (field `embeddings`) naming the file and line.
    @discardableResult
    public static func apply(to classifier: TextClassifier) throws -> [Report] {
        var reports: [Report] = []
        for (i, spec) in classifier.config.model.layers.enumerated() {
            guard case let .embedding(dim, _, trainable, pretrained?) = spec,
                  let layer = classifier.model.layers[i] as? EmbeddingLayer else { continue }
            let rowCount = layer.vocabularySize
            var rows: [String: Int] = [:]
            let tokenizer = classifier.config.tokenizer
            let oov = tokenizer.oovToken
            // Token i + 1 has id i + 1; a token listed twice keeps its later id (`Vocabulary`).
            for (j, token) in tokenizer.vocabulary.enumerated() where j + 1 < rowCount && token != oov {
                rows[token] = j + 1
            }
            let match: WordVectors.Match
            do {
                match = try WordVectors.match(path: pretrained, rows: rows, rowCount: rowCount, expectedDim: dim,
                                              initial: layer.embeddings.value.scalars)
            } catch let e as TextDataError {
                throw SessionError.invalidSetting(field: "embeddings", reason: e.description)
            }
            layer.embeddings.value = Tensor(shape: [rowCount, dim], scalars: match.vectors)
            layer.embeddings.trainable = trainable
            reports.append(Report(layer: layer.name, path: pretrained, match: match, frozen: !trainable))
        }
        return reports
    }

    /// The layers with `--embeddings FILE`: the first Embedding layer takes the file, its
    /// output_dim set to the file's dimension, frozen or not. Throws when there is no
    /// Embedding layer, or the file's first line is bad (naming the file and line).
    public static func layers(_ layers: [LayerSpec], file: String, freeze: Bool) throws -> [LayerSpec] {
        guard let i = layers.firstIndex(where: { $0.type == .embedding }),
              case let .embedding(_, maskZero, _, _) = layers[i] else {
            throw SessionError.invalidSetting(field: "embeddings", reason: "the model has no Embedding layer to take the vectors")
        }
        let dim: Int
        do { dim = try WordVectors.dimension(of: file).dim } catch let e as TextDataError {
            throw SessionError.invalidSetting(field: "embeddings", reason: e.description)
        }
        var out = layers
        out[i] = .embedding(dim: dim, maskZero: maskZero, trainable: !freeze, pretrained: file)
        return out
    }
}
