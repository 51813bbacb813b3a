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
