/**
 * The provider's `_start` loop and scaling under refusals (issue 11, items 8 and 9):
 * - a 408 on `_start`, from Elasticsearch or a proxy, is never final: the stats decide (start again when
 *   nothing was started, wait for what was);
 * - a capacity refusal (429 "Could not start|update deployment because …") is final, with one message;
 * - any other 429 honours `Retry-After`, capped at 30 s, and fails at once when it ends past the deadline.
 */
import * as assert from "node:assert/strict";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import {
  collectingProgress,
  createProvider,
  PartialFailureError,
  type Clock,
  type DeploymentProvider,
} from "pulumi-elasticsearch-ml/provider";
import { FAST, putTinyPytorchModel } from "../client/fixtures";
import { FAST_TIMING, PROVIDER_TEXT, providerHarness, rejection, requests } from "./harness";

const START = /\/deployment\/_start$/;
const UPDATE = /\/deployment\/_update$/;

describe("provider start: a 408 is settled through the stats, never final", function () {
  const h = providerHarness();

  it("408 from Elasticsearch before acting: nothing started, so it starts again and succeeds", async () => {
    h.es.admin.addFault({ method: "POST", path: "/_start$", status: 408 });
    const { outs } = await h.create({ modelId: "tiny" });
    assert.equal(outs.allocationState, "fully_allocated");
    assert.deepEqual(
      requests(h.es, START).map((e) => [e.status, e.applied]),
      [
        [408, false],
        [200, true],
      ],
    );
    assert.equal(h.progress.infos.filter((l) => /^tiny: the start was not applied \(408 /.test(l)).length, 1);
  });

  it("408 from a proxy after Elasticsearch started it: waits for that deployment, no second start", async () => {
    h.es.admin.addFault({ method: "POST", path: "/_start$", status: 408, when: "after" });
    const { outs } = await h.create({ modelId: "tiny", numberOfAllocations: 2 });
    assert.equal(outs.allocationCount, 2);
    assert.deepEqual(
      requests(h.es, START).map((e) => [e.status, e.applied]),
      [[408, true]],
    );
    assert.ok(
      h.progress.infos.some((l) =>
        /^tiny: the start call failed \(408 .*\) but the deployment exists; waiting$/.test(l),
      ),
    );
  });
});

describe("provider: capacity refusals are final, with one message", function () {
  const h = providerHarness({ emulator: { processorsPerNode: 8 } });

  it("a start beyond capacity fails at once: one _start, nothing recorded, the limits compared", async () => {
    const err = await rejection(
      h.create({ modelId: "tiny", numberOfAllocations: 4, threadsPerAllocation: 4 }),
    );
    assert.ok(!(err instanceof PartialFailureError));
    assert.equal(requests(h.es, START).length, 1);
    assert.equal(requests(h.es, /^\/_ml\/info$/).length, 1);
    assert.match(
      err.message,
      /^429 status_exception: Could not start deployment because there are not enough resources to provide all requested allocations \(POST [^)]+\)\. The start asks for 4 allocations × 4 threads = 16 processors, .*total_ml_processors 8, max_single_ml_node_processors 8 \(GET _ml\/info\): that is more than all ML nodes have: lower numberOfAllocations to at most 2 or add ML capacity\. Not retried: a capacity refusal stands until capacity changes$/,
    );
    assert.deepEqual(
      h.progress.infos.filter((l) => /starting again/.test(l)),
      [],
    );
  });

  it("a scale beyond capacity fails at once: one _update, the reason said once, no 'Gave up'", async () => {
    const { id, outs, inputs } = await h.create({
      modelId: "tiny",
      numberOfAllocations: 1,
      threadsPerAllocation: 4,
    });
    h.es.admin.clearLog();
    const err = await rejection(h.provider.update(id, outs, { ...inputs, numberOfAllocations: 4 }));
    assert.equal(requests(h.es, UPDATE).length, 1);
    assert.doesNotMatch(err.message, /Gave up/i);
    assert.equal(err.message.match(/not enough resources/g)?.length, 1, err.message);
    assert.match(err.message, /The update asks for 4 allocations × 4 threads = 16 processors/);
  });
});

describe("provider start: other 429s honour Retry-After, capped", function () {
  let es: EmulatorHandle;
  let provider: DeploymentProvider;
  let sleeps: number[];
  let progress: ReturnType<typeof collectingProgress>;

  beforeEach(async () => {
    es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1 });
    await putTinyPytorchModel(es, "tiny");
    sleeps = [];
    // Time moves by what the provider sleeps, so a 30 s wait takes a millisecond and the deadline is exact.
    let now = Date.now();
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    };
    progress = collectingProgress();
    provider = createProvider({ env: () => ({}), progress, timing: FAST_TIMING, clock, clientOptions: FAST });
    provider.configure((key) => (key === "elasticsearch-ml:endpoints" ? es.url : undefined));
  });
  afterEach(async () => {
    await provider?.close();
    await es?.close();
  });

  async function create(raw: Record<string, unknown>) {
    const { inputs, failures } = provider.check({}, raw);
    assert.deepEqual(failures, []);
    return provider.create({ ...inputs, __provider: PROVIDER_TEXT });
  }

  it("waits the Retry-After (2 s) before starting again", async () => {
    es.admin.addFault({ method: "POST", path: "/_start$", status: 429, headers: { "Retry-After": "2" } });
    await create({ modelId: "tiny" });
    assert.equal(sleeps[0], 2_000);
    assert.ok(
      progress.infos.some((l) =>
        /starting again in 2000 ms \(as Retry-After asked\) \(retry 1 of 3\)$/.test(l),
      ),
    );
    assert.equal(requests(es, START).length, 2);
  });

  it("caps a Retry-After of an hour at 30 s", async () => {
    es.admin.addFault({ method: "POST", path: "/_start$", status: 429, headers: { "Retry-After": "3600" } });
    await create({ modelId: "tiny" });
    assert.equal(sleeps[0], 30_000);
  });

  it("a Retry-After that ends past the wait deadline fails at once, saying so", async () => {
    es.admin.addFault({ method: "POST", path: "/_start$", status: 429, headers: { "Retry-After": "25" } });
    const err = await rejection(create({ modelId: "tiny", waitTimeoutSeconds: 20 }));
    assert.equal(err.statusCode, 429);
    assert.match(
      err.message,
      /The answer asked to retry after 25 s \(Retry-After\), which ends past the wait deadline \(waitTimeoutSeconds\); nothing was started, so run pulumi up again later$/,
    );
    assert.deepEqual(sleeps, []);
    assert.equal(requests(es, START).length, 1);
  });
});
