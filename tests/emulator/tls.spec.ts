import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { basicAuthorization } from "#emulator/security/credentials";
import { selfSignedCertificate } from "../support/certificates";

describe("emulator over TLS", function () {
  let dir: string;
  let ca: string;
  let emulator: EmulatorHandle | undefined;
  let trusting: Agent;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "es-ml-emulator-tls-"));
    const { cert, key } = selfSignedCertificate("es-ml-emulator test CA");
    ca = cert;
    writeFileSync(join(dir, "http.crt"), cert);
    writeFileSync(join(dir, "http.key"), key, { mode: 0o600 });
    trusting = new Agent({ connect: { ca } });
    emulator = await startEmulator({
      tlsCert: join(dir, "http.crt"),
      tlsKey: join(dir, "http.key"),
      security: true,
      elasticPassword: "tls-test-pw",
    });
  });

  after(async () => {
    await emulator?.close();
    await trusting?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reports an https URL on 127.0.0.1 with the port it listens on", () => {
    assert.ok(emulator);
    assert.equal(emulator.url, `https://127.0.0.1:${emulator.port}`);
    assert.ok(emulator.port > 0);
  });

  it("serves HTTPS to a client that trusts the CA", async () => {
    assert.ok(emulator);
    const res = await request(`${emulator.url}/`, {
      dispatcher: trusting,
      headers: { authorization: basicAuthorization("elastic", "tls-test-pw") },
    });
    const body = (await res.body.json()) as { version?: { number?: string } };
    assert.equal(res.statusCode, 200);
    assert.equal(typeof body.version?.number, "string");
  });

  it("keeps security on over TLS (401 without credentials)", async () => {
    assert.ok(emulator);
    const res = await request(`${emulator.url}/_ml/trained_models/_stats`, { dispatcher: trusting });
    await res.body.dump();
    assert.equal(res.statusCode, 401);
  });

  it("fails certificate verification for a client without the CA", async () => {
    assert.ok(emulator);
    const untrusting = new Agent();
    try {
      await assert.rejects(
        request(`${emulator.url}/`, { dispatcher: untrusting }),
        (error: NodeJS.ErrnoException) => {
          // The certificate is its own issuer and unknown to the default trust store.
          assert.equal(error.code, "DEPTH_ZERO_SELF_SIGNED_CERT");
          return true;
        },
      );
    } finally {
      await untrusting.close();
    }
  });

  it("refuses plain HTTP on the TLS port", async () => {
    assert.ok(emulator);
    const plain = emulator.url.replace("https://", "http://");
    const outcome = await request(`${plain}/`)
      .then(async (res) => {
        await res.body.dump();
        return res.statusCode;
      })
      .catch((error: Error) => error);
    // Node's TLS server drops a plaintext client (socket error); it never answers a 2xx.
    assert.ok(outcome instanceof Error || outcome >= 400, `expected a failure, got ${String(outcome)}`);
  });
});
