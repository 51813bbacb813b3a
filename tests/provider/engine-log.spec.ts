/**
 * Where the provider finds the engine's address (sdk/src/provider/engineLog.ts): the last argument the
 * engine gives a resource plugin, after its optional logging and tracing flags; and only inside
 * `@pulumi/pulumi`'s dynamic-provider host. The engine side is pinned by tests/e2e/engine-contract.spec.ts.
 */
import * as assert from "node:assert/strict";
import {
  engineAddressFromArgs,
  isDynamicProviderHost,
  warnThroughEngine,
} from "pulumi-elasticsearch-ml/provider";

describe("provider: the engine address a resource plugin is started with", () => {
  it("is the argument after the logging and tracing flags", () => {
    assert.equal(engineAddressFromArgs(["127.0.0.1:41235"]), "127.0.0.1:41235");
    assert.equal(engineAddressFromArgs(["--logtostderr", "-v=9", "127.0.0.1:41235"]), "127.0.0.1:41235");
    assert.equal(
      engineAddressFromArgs(["--logtostderr", "-v=9", "--tracing", "127.0.0.1:6007", "127.0.0.1:12345"]),
      "127.0.0.1:12345",
    );
    assert.equal(engineAddressFromArgs(["localhost:9"]), "localhost:9");
  });

  it("is absent when there is none, or when the argument is not host:port", () => {
    assert.equal(engineAddressFromArgs([]), undefined);
    assert.equal(engineAddressFromArgs(["--logtostderr", "-v=3"]), undefined);
    assert.equal(engineAddressFromArgs(["build/tests/provider/engine-log.spec.js"]), undefined);
    assert.equal(engineAddressFromArgs(["--tracing", "127.0.0.1:6007"]), undefined);
  });

  it("is used only inside the dynamic-provider host", () => {
    const host = "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";
    assert.equal(isDynamicProviderHost(["node", host, "127.0.0.1:1"]), true);
    assert.equal(
      isDynamicProviderHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider"]),
      true,
    );
    assert.equal(isDynamicProviderHost(["node", "/p/node_modules/.bin/mocha", "127.0.0.1:1"]), false);
    // This test process is not the host: a warning is left to the caller, which prints it.
    assert.equal(isDynamicProviderHost(), false);
    assert.equal(warnThroughEngine("not sent"), undefined);
  });
});
