/**
 * Memory of a `TrainedModel` upload: the provider's peak RSS while it uploads a large generated definition
 * (default 300 MiB) to the emulator, next to the same upload of a 4 MiB definition, each in a fresh Node.js
 * process running the provider as the dynamic-provider host would (check, then create), with production
 * defaults (4 MiB parts). The emulator runs in this process, so its memory is not counted.
 *
 *   npm run build && node build/tests/bench/model-upload.bench.js [--mib=300]
 *
 * A script with a report, not a test (see docs/benchmarks.md, "TrainedModel upload memory").
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "elasticsearch-ml-emulator";
import * as entry from "pulumi-elasticsearch-ml/provider/trained-model";

interface ChildResult {
  maxRssKiB: number;
  seconds: number;
  parts: number;
  sha256: string;
}

/** The child: run the provider's check and create once, print peak RSS and time. */
async function child(url: string, definitionPath: string, vocabularyPath: string): Promise<void> {
  const provider = entry.createModelProvider({ progress: { info: () => undefined, warn: () => undefined } });
  provider.configure((key) => (key === "elasticsearch-ml:endpoints" ? url : undefined));
  const started = process.hrtime.bigint();
  const { inputs, failures } = await provider.check(
    {},
    {
      modelId: "memory-bench",
      upload: {
        definitionPath,
        vocabularyPath,
        config: { inference_config: { text_embedding: {} }, input: { field_names: ["text_field"] } },
      },
    },
  );
  if (failures.length > 0) throw new Error(JSON.stringify(failures));
  const { outs } = await provider.create({ ...inputs, __provider: "bench" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await provider.close();
  const files = outs.uploadedFiles as { definition: { sha256: string; sizeBytes: number } };
  const result: ChildResult = {
    maxRssKiB: process.resourceUsage().maxRSS,
    seconds,
    parts: Math.ceil(files.definition.sizeBytes / entry.DEFAULT_CHUNK_BYTES),
    sha256: files.definition.sha256,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function writeDefinition(path: string, mib: number): void {
  const fd = openSync(path, "w");
  try {
    for (let i = 0; i < mib; i++) writeSync(fd, randomBytes(1024 * 1024));
  } finally {
    closeSync(fd);
  }
}

async function main(): Promise<void> {
  const arg = process.argv.find((a) => a.startsWith("--mib="));
  const mib = arg ? Number(arg.slice("--mib=".length)) : 300;
  const es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1 });
  const dir = mkdtempSync(join(tmpdir(), "model-upload-bench-"));
  try {
    const vocabularyPath = join(dir, "vocabulary.json");
    writeFileSync(vocabularyPath, JSON.stringify({ vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] }));
    const rows: { mib: number; result: ChildResult }[] = [];
    for (const size of [4, mib]) {
      const definitionPath = join(dir, `definition-${size}.pt`);
      writeDefinition(definitionPath, size);
      es.admin.reset();
      // The child runs while this process serves it: execFileSync would block the emulator, so spawn.
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [__filename, "--child", es.url, definitionPath, vocabularyPath],
          { maxBuffer: 1024 * 1024 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        );
      });
      rows.push({ mib: size, result: JSON.parse(out.trim().split("\n").pop() ?? "") as ChildResult });
      rmSync(definitionPath);
    }
    const node = process.version;
    const cpu = execFileSync("nproc").toString().trim();
    process.stdout.write(`TrainedModel upload, provider process peak RSS (Node ${node}, ${cpu} cores)\n`);
    process.stdout.write("| definition | parts | peak RSS | time |\n|---|---|---|---|\n");
    for (const { mib: size, result } of rows) {
      process.stdout.write(
        `| ${size} MiB | ${result.parts} | ${(result.maxRssKiB / 1024).toFixed(0)} MiB | ${result.seconds.toFixed(1)} s |\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await es.close();
  }
}

if (process.argv[2] === "--child") {
  child(process.argv[3]!, process.argv[4]!, process.argv[5]!).catch((err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  });
}
