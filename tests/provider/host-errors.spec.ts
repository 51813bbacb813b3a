/**
 * How the provider's errors print in the dynamic-provider host, which writes every error of `check`,
 * `diff`, `read` and `delete` as `${e}: ${e.stack}` (sdk/src/provider/hostErrors.ts): expected errors
 * as their name and code, without message or trace (the engine shows the message); bugs untouched.
 * The real-engine count is in tests/e2e/scenarios/error-output.spec.ts.
 */
import * as assert from "node:assert/strict";
import { ConfigurationError, InvalidResponseError } from "#sdk/client";
import {
  EXPECTED_ERROR_NOTE,
  isExpectedError,
  printableForHost,
  ProviderConfigError,
  StopRefusedError,
} from "pulumi-elasticsearch-ml/provider";

/** The line the host prints for an error it got from the provider. */
function hostLine(err: Error): string {
  return `${String(err)}: ${err.stack}`;
}

describe("provider errors as the dynamic-provider host prints them", () => {
  const expected: [string, () => Error & { code: string }][] = [
    ["a refusal", () => new StopRefusedError("Cannot stop deployment [d]: pipelines [p] use it.", ["p"])],
    [
      "a configuration error",
      () => new ProviderConfigError("elasticsearch-ml:force", "force must be a boolean"),
    ],
    ["a connection setting", () => new ConfigurationError("caFingerprint", "caFingerprint is malformed")],
  ];

  for (const [what, make] of expected) {
    it(`${what}: name and code only, no message, no stack frame; the message itself is kept`, () => {
      const err = make();
      const { message, code, name } = err;
      assert.equal(isExpectedError(err), true);
      assert.equal(printableForHost(err), err);
      assert.equal(hostLine(err), `${name} [${code}]: ${EXPECTED_ERROR_NOTE}`);
      assert.equal(err.message, message, "the engine still receives the message");
      assert.ok(err instanceof Error);
    });
  }

  it("a bug (TypeError) keeps its message and stack trace", () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'id')");
    const before = hostLine(err);
    assert.equal(isExpectedError(err), false);
    printableForHost(err);
    assert.equal(hostLine(err), before);
    assert.match(hostLine(err), /\n\s+at .+host-errors\.spec\.js/);
  });

  it("an answer that is not Elasticsearch's (invalid response) keeps its trace", () => {
    const err = new InvalidResponseError("GET", "/_ml/trained_models/_stats", "not JSON");
    printableForHost(err);
    assert.match(hostLine(err), /Unexpected response from Elasticsearch[^]*\n\s+at /);
  });

  it("values that are not errors pass through", () => {
    assert.equal(printableForHost("text"), "text");
    assert.equal(printableForHost(undefined), undefined);
  });
});
