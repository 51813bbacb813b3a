import assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";

async function getJson(emulator: EmulatorHandle, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emulator.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("emulator: inference endpoint listing (GET _inference)", () => {
  const started: EmulatorHandle[] = [];
  const start = async (esVersion: string, security = false) => {
    const emulator = await startEmulator({ esVersion, security, elasticPassword: "pw" });
    started.push(emulator);
    return emulator;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.close()));
  });

  it("lists no endpoints under `endpoints` before the preconfigured ones (8.15), for both paths", async () => {
    const emulator = await start("8.15.0");
    for (const path of ["/_inference/_all", "/_inference"]) {
      assert.deepEqual(await getJson(emulator, path), { status: 200, body: { endpoints: [] } });
    }
  });

  it("names the list `models` on 8.11", async () => {
    const emulator = await start("8.11.0");
    assert.deepEqual(await getJson(emulator, "/_inference/_all"), { status: 200, body: { models: [] } });
  });

  it("has no such route before 8.11", async () => {
    const emulator = await start("8.10.4");
    const { status, body } = await getJson(emulator, "/_inference/_all");
    assert.equal(status, 400);
    assert.equal(body.error, "no handler found for uri [/_inference/_all] and method [GET]");
  });

  it("lets manage_inference create, scale and delete endpoints and monitor_inference read and infer only", async () => {
    const emulator = await startEmulator({
      security: true,
      elasticPassword: "pw",
      modelDownloadMs: 10,
      startDelayMs: 10,
    });
    started.push(emulator);
    const auth = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
      "content-type": "application/json",
    });
    const call = async (headers: Record<string, string>, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${emulator.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { error?: { reason: string } } };
    };
    const elastic = auth("elastic", "pw");
    await call(elastic, "PUT", "/_security/user/admin", { password: "admin-pw", roles: ["inference_admin"] });
    await call(elastic, "PUT", "/_security/user/reader", {
      password: "reader-pw",
      roles: ["inference_user"],
    });
    const admin = auth("admin", "admin-pw");
    const reader = auth("reader", "reader-pw");
    const body = {
      service: "elasticsearch",
      service_settings: { model_id: ".elser_model_2_linux-x86_64", num_allocations: 1, num_threads: 1 },
    };
    const refused = await call(reader, "PUT", "/_inference/sparse_embedding/e", body);
    assert.equal(refused.status, 403);
    assert.equal(
      refused.body.error?.reason,
      "action [cluster:admin/xpack/inference/put] is unauthorized for user [reader] with effective roles [inference_user], this action is granted by the cluster privileges [manage_inference,manage,all]",
    );
    assert.equal((await call(admin, "PUT", "/_inference/sparse_embedding/e", body)).status, 200);
    assert.equal((await call(reader, "GET", "/_inference/e")).status, 200);
    assert.equal((await call(reader, "POST", "/_inference/e", { input: "hello" })).status, 200);
    const update = { service_settings: { num_allocations: 2 } };
    assert.equal((await call(reader, "PUT", "/_inference/sparse_embedding/e/_update", update)).status, 403);
    assert.equal((await call(admin, "PUT", "/_inference/sparse_embedding/e/_update", update)).status, 200);
    // Index privileges are not modelled: only the superuser creates indices.
    assert.equal((await call(admin, "PUT", "/docs", {})).status, 403);
    assert.equal((await call(elastic, "PUT", "/docs", {})).status, 200);
    assert.equal((await call(reader, "DELETE", "/_inference/e")).status, 403);
    assert.equal((await call(admin, "DELETE", "/_inference/e")).status, 200);
  });

  it("needs monitor_inference or monitor with security on", async () => {
    const emulator = await start("9.2.0", true);
    const elastic = {
      authorization: `Basic ${Buffer.from("elastic:pw").toString("base64")}`,
      "content-type": "application/json",
    };
    const put = (path: string, body: unknown) =>
      fetch(`${emulator.url}${path}`, { method: "PUT", headers: elastic, body: JSON.stringify(body) });
    await put("/_security/role/ml_only", { cluster: ["monitor_ml"] });
    await put("/_security/user/ml", { password: "ml-password", roles: ["ml_only"] });
    const ml = { authorization: `Basic ${Buffer.from("ml:ml-password").toString("base64")}` };
    const refused = await getJson(emulator, "/_inference/_all", ml);
    assert.equal(refused.status, 403);
    assert.match(
      (refused.body.error as { reason: string }).reason,
      /^action \[cluster:monitor\/xpack\/inference\/get\] is unauthorized for user \[ml\].*granted by the cluster privileges \[monitor_inference,.*monitor,.*\]$/,
    );
    assert.equal((await getJson(emulator, "/_inference/_all", elastic)).status, 200);
  });
});
