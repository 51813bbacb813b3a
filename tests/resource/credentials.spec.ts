/**
 * The program-side check for credentials stored in plaintext stack config (the provider cannot tell; see
 * docs/pulumi-engine-findings.md §a).
 */
import * as assert from "node:assert/strict";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { plaintextCredentialKeys } from "#sdk/resource";

describe("plaintext credentials in stack config", () => {
  let saved: Record<string, string>;
  beforeEach(() => {
    saved = runtimeConfig.allConfig();
  });
  afterEach(() => {
    runtimeConfig.setAllConfig(saved, []);
  });

  it("names each credential key set without --secret, and no other key", () => {
    runtimeConfig.setAllConfig(
      {
        "elasticsearch-ml:endpoints": "https://es:9200",
        "elasticsearch-ml:apiKey": "plain-key",
        "elasticsearch-ml:password": "secret-pw",
        "elasticsearch-ml:username": "elastic",
        "elasticsearch-ml:headers": '{"Authorization":"x"}',
      },
      ["elasticsearch-ml:password"],
    );
    assert.deepEqual(plaintextCredentialKeys(), ["elasticsearch-ml:apiKey", "elasticsearch-ml:headers"]);
  });

  it("named connections count only when one of them carries a credential", () => {
    runtimeConfig.setAllConfig(
      { "elasticsearch-ml:connections": '{"eu":{"endpoints":"https://eu:9200"}}' },
      [],
    );
    assert.deepEqual(plaintextCredentialKeys(), []);
    runtimeConfig.setAllConfig(
      { "elasticsearch-ml:connections": '{"eu":{"endpoints":"https://eu:9200","apiKey":"k"}}' },
      [],
    );
    assert.deepEqual(plaintextCredentialKeys(), ["elasticsearch-ml:connections"]);
    runtimeConfig.setAllConfig(
      { "elasticsearch-ml:connections": '{"eu":{"endpoints":"https://eu:9200","apiKey":"k"}}' },
      ["elasticsearch-ml:connections"],
    );
    assert.deepEqual(plaintextCredentialKeys(), []);
  });
});
