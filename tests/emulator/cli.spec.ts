import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { startEmulator } from "elasticsearch-ml-emulator";

const CLI = path.resolve(__dirname, "../../../emulator/dist/cli.js");

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const result: Run = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
  };
  child.stdout!.on("data", (chunk: Buffer) => (result.stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (result.stderr += chunk.toString()));
  return result;
}

async function firstLine(proc: Run): Promise<string> {
  for (let i = 0; i < 400 && !proc.stdout.includes("\n"); i++) {
    if (proc.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return proc.stdout.split("\n")[0];
}

describe("emulator: CLI", () => {
  const running: Run[] = [];
  afterEach(async () => {
    for (const proc of running.splice(0)) {
      if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
      await proc.exited;
    }
  });

  it("prints one line with the URL, serves requests, and exits 0 on SIGTERM", async () => {
    const proc = run(["--port", "0", "--es-version", "8.11.0", "--ml-nodes", "2", "--seed", "7"]);
    running.push(proc);
    const line = await firstLine(proc);
    const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
    assert.ok(match, `no URL in ${JSON.stringify(line)} (stderr: ${proc.stderr})`);
    const response = await fetch(`${match[1]}/`);
    assert.equal(response.headers.get("x-elastic-product"), "Elasticsearch");
    assert.equal(((await response.json()) as { version: { number: string } }).version.number, "8.11.0");
    const state = (await (await fetch(`${match[1]}/_emulator/state`)).json()) as { nodes: unknown[] };
    assert.equal(state.nodes.length, 2);
    proc.child.kill("SIGTERM");
    assert.equal(await proc.exited, 0);
    assert.equal(proc.stdout.trim().split("\n").length, 1);
  });

  it("stops on SIGINT too", async () => {
    const proc = run(["--port", "0"]);
    running.push(proc);
    assert.match(await firstLine(proc), /http:\/\/127\.0\.0\.1:\d+/);
    proc.child.kill("SIGINT");
    assert.equal(await proc.exited, 0);
  });

  it("exits 2 with a clear message for unknown flags and bad values", async () => {
    const unknown = run(["--prot", "9200"]);
    running.push(unknown);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.stderr, /es-ml-emulator: .*'--prot'/);
    assert.match(unknown.stderr, /--help/);
    const badInt = run(["--port", "abc"]);
    running.push(badInt);
    assert.equal(await badInt.exited, 2);
    assert.match(badInt.stderr, /--port: "abc" is not allowed; expected a non-negative integer/);
    const badVersion = run(["--port", "0", "--es-version", "7.10.0"]);
    running.push(badVersion);
    assert.equal(await badVersion.exited, 2);
    assert.match(badVersion.stderr, /esVersion: "7\.10\.0" is outside the emulated range/);
  });

  /** Starts the CLI with `args`, returns the `cluster_uuid` its `GET /` reports. */
  async function clusterUuidOf(args: string[]): Promise<string> {
    const proc = run(["--port", "0", ...args]);
    running.push(proc);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await firstLine(proc))?.[1];
    assert.ok(url, `no URL (stderr: ${proc.stderr})`);
    return ((await (await fetch(`${url}/`)).json()) as { cluster_uuid: string }).cluster_uuid;
  }

  it("reports a different random cluster uuid in each process by default; --seed makes it repeatable", async () => {
    const [a, b] = await Promise.all([clusterUuidOf([]), clusterUuidOf([])]);
    // Elasticsearch's own shape: 16 random bytes in URL-safe base64, 22 characters.
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, b, "two default emulators are two clusters to the wrong-cluster guard");
    const [seeded1, seeded2, other] = await Promise.all([
      clusterUuidOf(["--seed", "7"]),
      clusterUuidOf(["--seed", "7"]),
      clusterUuidOf(["--seed", "8"]),
    ]);
    assert.equal(seeded1, seeded2);
    assert.notEqual(seeded1, other);
    assert.equal(await clusterUuidOf(["--seed", "7", "--cluster-uuid", "mine"]), "mine");
  });

  it("gives each programmatic emulator its own cluster uuid unless a seed is passed", async () => {
    const handles = await Promise.all([startEmulator(), startEmulator(), startEmulator({ seed: 3 })]);
    try {
      const uuids = handles.map((h) => h.admin.state().clusterUuid);
      assert.notEqual(uuids[0], uuids[1]);
      const again = await startEmulator({ seed: 3 });
      assert.equal(again.admin.state().clusterUuid, uuids[2]);
      await again.close();
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it("prints usage with --help", async () => {
    const proc = run(["--help"]);
    running.push(proc);
    assert.equal(await proc.exited, 0);
    assert.match(proc.stdout, /Usage: es-ml-emulator/);
    assert.match(proc.stdout, /--infer-latency-ms/);
  });
});
