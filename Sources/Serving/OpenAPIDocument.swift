/// The API's contract, served as is at `GET /openapi.yaml`. Written by hand; the tests check
/// the server's answers against it, and `Scripts/serve-fuzz.sh` runs schemathesis on it.
/// Kept in Swift (not a resource file) so the binary needs nothing beside it.
public enum OpenAPIDocument {
    public static let yaml = #"""
openapi: 3.1.0
info:
  title: Workbench model server
  version: 1.0.0
  description: |
    Text classification with the models of `workbench serve`: a session's run or a saved
    model folder, several at once by name. Every /v1 request carries
    `Authorization: Bearer TOKEN` when the server was started with --token-file.
    Errors are RFC 9457 problem details (application/problem+json). A request not answered
    within --request-timeout (default 30 s) gets 503 with `Retry-After: 1` (the server is
    busy: the same request may succeed later); the server goes on answering the others.
servers:
  - url: http://127.0.0.1:8080
security:
  - {}
  - bearer: []
paths:
  /v1/classify:
    post:
      operationId: classify
      summary: Classify texts (dynamically batched with concurrent requests).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ClassifyRequest'}
      responses:
        '200':
          description: One result per text, in the order given.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ClassifyResponse'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '405': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
  /v1/models:
    get:
      operationId: listModels
      summary: The models served.
      responses:
        '200':
          description: Every model served, in the order given to the server.
          content:
            application/json:
              schema:
                type: object
                required: [models]
                properties:
                  models:
                    type: array
                    items: {$ref: '#/components/schemas/Model'}
        '401': {$ref: '#/components/responses/Problem'}
        '405': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
  /v1/models/{name}:
    get:
      operationId: getModel
      summary: One model served.
      parameters:
        - name: name
          in: path
          required: true
          schema: {type: string}
      responses:
        '200':
          description: The model.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Model'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '405': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
  /healthz:
    get:
      operationId: health
      summary: The process is alive.
      security: [{}]
      responses:
        '200':
          description: Alive.
          content:
            application/json:
              schema:
                type: object
                required: [status]
                properties:
                  status: {const: ok}
        '405': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
  /readyz:
    get:
      operationId: ready
      summary: Every model is loaded and answers.
      security: [{}]
      responses:
        '200':
          description: Ready.
          content:
            application/json:
              schema:
                type: object
                required: [status, models]
                properties:
                  status: {const: ready}
                  models:
                    type: array
                    items: {type: string}
        '405': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
  /metrics:
    get:
      operationId: metrics
      summary: Prometheus text format (requests, errors, latency, batch sizes, reloads).
      security: [{}]
      responses:
        '200':
          description: The metrics.
          content:
            text/plain:
              schema: {type: string}
        '405': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
  /openapi.yaml:
    get:
      operationId: openapi
      summary: This document.
      security: [{}]
      responses:
        '200':
          description: The contract.
          content:
            application/yaml:
              schema: {type: string}
        '405': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
  responses:
    Problem:
      description: What was wrong with the request.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
    Timeout:
      description: The request was not answered within --request-timeout (default 30 s); try again later.
      headers:
        Retry-After:
          description: Seconds to wait before trying again.
          schema: {type: integer}
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
  schemas:
    ClassifyRequest:
      type: object
      required: [texts]
      properties:
        texts:
          description: >
            The texts to classify: at least one, at most --max-texts (default 256; more is 413),
            each at most --max-text-length characters (default 10000; longer is 422). The whole
            body is at most --max-body-bytes (default 1 MiB; more is 413).
          type: array
          minItems: 1
          items: {type: string}
        top_k:
          description: Also list the k most probable classes, best first.
          type: [integer, 'null']
          minimum: 1
        explain:
          description: Also score each token's effect on the decision (occlusion).
          type: [boolean, 'null']
        model:
          description: The name of the model to use (default the first one served).
          type: [string, 'null']
    ClassifyResponse:
      type: object
      required: [model, run, results]
      properties:
        model: {type: string}
        run:
          description: The session's run that answered (null for a model folder).
          type: [integer, 'null']
        results:
          type: array
          items: {$ref: '#/components/schemas/Result'}
    Result:
      type: object
      required: [text, label, probabilities]
      properties:
        text: {type: string}
        label: {type: string}
        probabilities:
          description: Every class's probability, by class name (as `workbench predict --json`).
          type: object
          additionalProperties: {type: number}
        top:
          type: array
          items:
            type: object
            required: [label, probability]
            properties:
              label: {type: string}
              probability: {type: number}
        tokens:
          description: With explain, the text's tokens in order with their attribution scores.
          type: array
          items:
            type: object
            required: [text, score, known]
            properties:
              text: {type: string}
              score:
                description: Drop of the predicted class's probability without this token.
                type: number
              known:
                description: False for a token outside the vocabulary (no effect).
                type: boolean
    Model:
      type: object
      required: [name, source, session, run, labels, kind, summary, data_hash, data_path, validation, run_started, saved]
      properties:
        name: {type: string}
        source: {enum: [session, folder]}
        session: {type: [string, 'null']}
        run: {type: [integer, 'null']}
        labels:
          type: array
          items: {type: string}
        kind: {enum: [neural, learner]}
        summary: {type: string}
        data_hash:
          description: Content hash of the training data (sessions only).
          type: [string, 'null']
        data_path: {type: [string, 'null']}
        validation:
          type: object
          required: [accuracy, best_accuracy, train_accuracy, epochs]
          properties:
            accuracy: {type: [number, 'null']}
            best_accuracy: {type: [number, 'null']}
            train_accuracy: {type: [number, 'null']}
            epochs: {type: [integer, 'null']}
        run_started: {type: [string, 'null'], format: date-time}
        saved: {type: [string, 'null'], format: date-time}
    Problem:
      type: object
      required: [type, title, status, detail]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
"""#
}
