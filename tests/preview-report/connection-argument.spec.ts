/**
 * The preview report on the `connection` argument (issue 15): a connection change is an in-place update
 * that sends only `GET /`, never a replacement; an endpoint change says the update checks the recorded
 * cluster; credentials shown by the preview JSON as `[secret]` stay that; a cluster reached through the
 * argument is not read by the report (its credentials are masked in the preview JSON).
 */
import * as assert from "node:assert/strict";
import {
  ARGUMENT_CONNECTION,
  buildStackChanges,
  parsePreviewDocument,
  resolveTargets,
  type DeploymentChange,
} from "pulumi-elasticsearch-ml/report";
import { inputs, outputs, previewDoc, step } from "./fixtures";

function only(old: Record<string, unknown>, next: Record<string, unknown>): DeploymentChange {
  const doc = previewDoc([step({ op: "update", name: "e5", old, new: next })]);
  const { deployments } = buildStackChanges(parsePreviewDocument(doc, "test.json"), {
    source: "test.json",
    env: {},
  });
  assert.equal(deployments.length, 1);
  return deployments[0]!;
}

describe("preview report: the connection argument", () => {
  const conn = { endpoints: "https://es-a:9200", apiKey: "[secret]" };

  it("a rotated key (masked as [secret] on both sides of the preview JSON): says only GET / is sent", () => {
    const c = only(outputs({ modelId: "e5", connection: conn }), inputs({ modelId: "e5", connection: conn }));
    assert.equal(c.operation, "update");
    assert.equal(
      c.headline,
      "changes the connection's secret settings (masked in the preview): sends only GET / to check them, then records them",
    );
    assert.deepEqual(c.replaceReasons, []);
    assert.equal(c.old?.connection, ARGUMENT_CONNECTION);
  });

  it("a key not known yet (another resource's output): reconnect, credentials", () => {
    const c = only(
      outputs({ modelId: "e5", connection: conn }),
      inputs({ modelId: "e5", connection: { ...conn, apiKey: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } }),
    );
    assert.equal(c.plan, "reconnect");
    assert.equal(
      c.headline,
      "changes the connection (credentials): sends only GET / to check it, then records it",
    );
  });

  it("a new endpoint: in place, and the note says the update checks the recorded cluster", () => {
    const c = only(
      outputs({ modelId: "e5", connection: conn }),
      inputs({ modelId: "e5", connection: { ...conn, endpoints: "https://es-b:9200" } }),
    );
    assert.equal(c.plan, "reconnect");
    assert.match(c.headline, /^changes the connection \(endpoint\)/);
    assert.ok(
      c.notes.some((n) =>
        /fails \(wrong cluster\) unless it answers as the recorded cluster \[cluster-1\]/.test(n),
      ),
      c.notes.join("\n"),
    );
    assert.deepEqual(c.changes, [
      {
        property: "connection",
        from: conn,
        to: { ...conn, endpoints: "https://es-b:9200" },
        recordOnly: false,
      },
    ]);
  });

  it("settings given as one secret (masked whole in the preview JSON) are the argument's connection, not a name", () => {
    const c = only(
      outputs({ modelId: "e5", connection: "[secret]" }),
      inputs({ modelId: "e5", connection: "[secret]", numberOfAllocations: 2 }),
    );
    assert.equal(c.old?.connection, ARGUMENT_CONNECTION);
  });

  it("a named connection replaced by settings is in place too", () => {
    const c = only(outputs({ modelId: "e5", connection: "eu" }), inputs({ modelId: "e5", connection: conn }));
    assert.equal(c.operation, "update");
    assert.match(c.headline, /^changes the connection \(source\)/);
  });

  it("the report does not read a cluster reached through the argument, and says why", () => {
    const [target] = resolveTargets([ARGUMENT_CONNECTION], {}, {}, {});
    assert.ok(target && "unavailable" in target);
    assert.match(target.unavailable, /given as resource arguments, whose credentials are secrets/);
  });
});
