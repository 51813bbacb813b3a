import * as assert from "node:assert/strict";
import { parseEsVersion, refusesStopOfEndpointDeployment } from "#sdk/client";
import { endpointStopNotice, endpointStopVerdict } from "#sdk/provider/endpointUse";

describe("a stop of a deployment inference endpoints own or use: the decision", () => {
  it("knows which versions refuse it (elastic/elasticsearch#129325 and its 8.18/9.0 backports)", () => {
    const refuses = (v: string, flavor?: string): boolean =>
      refusesStopOfEndpointDeployment(parseEsVersion(v, flavor)!);
    for (const v of ["8.18.4", "8.18.9", "8.19.0", "9.0.4", "9.1.0", "9.2.0", "10.0.0"]) {
      assert.equal(refuses(v), true, v);
    }
    for (const v of ["8.15.0", "8.17.9", "8.18.3", "9.0.0", "9.0.3"]) assert.equal(refuses(v), false, v);
    assert.equal(refuses("8.11.0", "serverless"), true, "serverless runs the newest code");
  });

  it("judges by the recorded version; none recorded (old state) is decided at apply", () => {
    assert.equal(endpointStopVerdict("9.1.0"), "refused");
    assert.equal(endpointStopVerdict("8.18.3"), "goes-through");
    assert.equal(endpointStopVerdict(undefined), "decided-at-apply");
    assert.equal(endpointStopVerdict("not a version"), "decided-at-apply");
    assert.equal(endpointStopVerdict("8.11.0 (serverless)"), "refused", "serverless runs the newest code");
  });

  it("says what happens in each case, naming the endpoints and the way through", () => {
    assert.equal(endpointStopNotice("d", [], "9.1.0", false), undefined, "no endpoints, nothing to say");
    const refused = endpointStopNotice("d", ["e1", "e2"], "9.1.0", false)!;
    assert.match(
      refused,
      /^d: this change stops the deployment, which inference endpoints \[e1, e2\] owned or used/,
    );
    assert.match(refused, /Elasticsearch 9\.1\.0 will refuse the stop \(409\) unless forced/);
    assert.match(refused, /Delete the endpoints first, or point them at another deployment/);
    const forced = endpointStopNotice("d", ["e1"], "9.1.0", true)!;
    assert.match(forced, /this one is forced: that endpoint fails/);
    const through = endpointStopNotice("d", ["e1"], "8.17.0", false)!;
    assert.match(
      through,
      /Elasticsearch 8\.17\.0 does not refuse it .*the stop goes through and that endpoint fails/,
    );
    const unknown = endpointStopNotice("d", ["e1"], undefined, false)!;
    assert.match(
      unknown,
      /decided at apply .*8\.18\.4\+ and 9\.0\.4\+ refuse it unless forced, older versions stop it/,
    );
  });
});
