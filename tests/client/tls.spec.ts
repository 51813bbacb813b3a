import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { createClient, TlsError, type ElasticsearchClient } from "#sdk/client";
import { FAST, selfSignedCertificate, tempDir, traceCollector } from "./fixtures";

describe("client over TLS", function () {
  this.timeout(20_000);
  const tmp = tempDir("es-ml-client-tls-");
  const server = selfSignedCertificate("es-ml client test CA");
  const stranger = selfSignedCertificate("someone else");
  const fingerprint = new X509Certificate(server.cert).fingerprint256;
  let es: EmulatorHandle;
  let client: ElasticsearchClient | undefined;
  let caFile: string;

  before(async () => {
    caFile = tmp.write("http_ca.crt", server.cert);
    es = await startEmulator({ tlsCert: caFile, tlsKey: tmp.write("http.key", server.key) });
    assert.match(es.url, /^https:/);
  });
  after(async () => {
    await es?.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  it("trusts the cluster's CA from a file", async () => {
    client = createClient({ endpoints: es.url, caFile, ...FAST }, {});
    assert.equal((await client.info()).version.number, "9.2.0");
  });

  it("trusts the CA from ELASTICSEARCH_CA_FILE", async () => {
    client = createClient({ ...FAST }, { ELASTICSEARCH_ENDPOINTS: es.url, ELASTICSEARCH_CA_FILE: caFile });
    assert.equal((await client.info()).version.number, "9.2.0");
  });

  it("refuses an untrusted certificate with a TLS error, without retrying", async () => {
    const trace = traceCollector();
    es.admin.clearLog();
    client = createClient({ endpoints: es.url, ...FAST, trace: trace.sink }, {});
    await assert.rejects(client.info(), (err: unknown) => {
      assert.ok(err instanceof TlsError);
      assert.equal(err.code, "ES_TLS_ERROR");
      assert.equal(err.applied, false);
      assert.match(
        err.message,
        /^TLS verification failed: .*\(DEPTH_ZERO_SELF_SIGNED_CERT\); trust the cluster's CA with caFile\/caData/,
      );
      return true;
    });
    assert.equal(trace.lines.filter((l) => l.includes("-> GET")).length, 1);
    assert.equal(es.admin.log().length, 0);
  });

  it("refuses a CA that did not sign the server's certificate", async () => {
    client = createClient({ endpoints: es.url, caData: stranger.cert, ...FAST }, {});
    await assert.rejects(client.info(), { code: "ES_TLS_ERROR" });
  });

  it("accepts a pinned SHA-256 fingerprint instead of a CA, colon-separated or plain", async () => {
    client = createClient({ endpoints: es.url, caFingerprint: fingerprint, ...FAST }, {});
    assert.equal((await client.info()).version.number, "9.2.0");
    await client.close();
    client = createClient(
      { ...FAST },
      {
        ELASTICSEARCH_ENDPOINTS: es.url,
        ELASTICSEARCH_CA_FINGERPRINT: fingerprint.replace(/:/g, "").toLowerCase(),
      },
    );
    assert.equal((await client.info()).version.number, "9.2.0");
  });

  it("accepts CA and fingerprint together when both hold", async () => {
    client = createClient({ endpoints: es.url, caFile, caFingerprint: fingerprint, ...FAST }, {});
    assert.equal((await client.info()).version.number, "9.2.0");
  });

  it("refuses a server whose chain does not match the pin, before sending anything", async () => {
    const wrong = new X509Certificate(stranger.cert).fingerprint256;
    const before = es.admin.log().length;
    client = createClient({ endpoints: es.url, caFingerprint: wrong, ...FAST }, {});
    await assert.rejects(client.info(), (err: unknown) => {
      assert.ok(err instanceof TlsError);
      assert.equal(
        err.message,
        `TLS: the server's certificate chain [${fingerprint}] does not contain the pinned caFingerprint ${wrong} (GET ${es.url}/)`,
      );
      return true;
    });
    assert.equal(es.admin.log().length, before);
  });

  it("insecure skips verification", async () => {
    client = createClient({ endpoints: es.url, insecure: true, ...FAST }, {});
    assert.equal((await client.info()).version.number, "9.2.0");
    await client.close();
    client = createClient({ ...FAST }, { ELASTICSEARCH_ENDPOINTS: es.url, ELASTICSEARCH_INSECURE: "true" });
    assert.equal((await client.info()).version.number, "9.2.0");
  });

  // The emulator does not ask for client certificates, so mutual TLS is checked against a bare HTTPS
  // server that requires one and answers GET / with the client certificate's subject.
  describe("mutual TLS", () => {
    const clientCert = selfSignedCertificate("pulumi-client");
    let mtls: Server;
    let url: string;

    before(async () => {
      mtls = createServer(
        {
          cert: server.cert,
          key: server.key,
          ca: clientCert.cert,
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              name: "n",
              cluster_name: String(peer.subject?.CN),
              cluster_uuid: "u",
              version: { number: "9.2.0" },
            }),
          );
        },
      );
      await new Promise<void>((resolve) => mtls.listen(0, "127.0.0.1", resolve));
      url = `https://127.0.0.1:${(mtls.address() as AddressInfo).port}`;
    });
    after(async () => {
      mtls.closeAllConnections();
      await new Promise<void>((resolve) => mtls.close(() => resolve()));
    });

    it("presents the client certificate from files", async () => {
      const certFile = tmp.write("client.crt", clientCert.cert);
      const keyFile = tmp.write("client.key", clientCert.key);
      client = createClient({ endpoints: url, caFile, certFile, keyFile, ...FAST }, {});
      assert.equal((await client.info()).cluster_name, "pulumi-client");
    });

    it("presents the client certificate from PEM data", async () => {
      client = createClient(
        { endpoints: url, caData: server.cert, certData: clientCert.cert, keyData: clientCert.key, ...FAST },
        {},
      );
      assert.equal((await client.info()).cluster_name, "pulumi-client");
    });

    it("without a client certificate the server refuses the connection", async () => {
      client = createClient({ endpoints: url, caFile, ...FAST, maxRetries: 0 }, {});
      await assert.rejects(client.info(), (err: unknown) => {
        assert.ok(
          ["ES_TLS_ERROR", "ES_CONNECTION_ERROR"].includes((err as { code: string }).code),
          String(err),
        );
        return true;
      });
    });
  });
});
