/**
 * Config canaries through the real engine: a malformed credential in stack config (set with `--secret`)
 * makes `pulumi up` fail naming the key, and no part of the credential appears in anything the
 * operations printed (output, errors, engine events), in the state (`stack export`) or in the backend's
 * and work directory's files. One case per credential key, in the default connection and inside
 * `elasticsearch-ml:connections`, plus `elasticsearch-ml:connections` itself. One stack, reconfigured per
 * case; `tests/provider/config-leaks.spec.ts` covers every malformation without the engine.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "elasticsearch-ml-emulator";
import { CREDENTIAL_CONFIG_KEYS } from "#sdk/provider/config";
import { putTinyPytorchModel } from "../client/fixtures";
import { getPulumiCli, withTestStack } from "../e2e/harness";
import { deploymentsProgram, errorDiagnostics, reportFigures, Transcript } from "./support";

const NS = "elasticsearch-ml";
const CONNECTIONS = `${NS}:connections`;
const MODEL = "canary-model";
/** Pieces this long are searched for: JSON.parse used to quote about ten characters around an error. */
const PIECE = 6;
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random letters: valid as an API key's base64, and unlike anything the engine prints (no hex ids). */
function canary(): string {
  return Array.from(crypto.randomBytes(24), (byte) => LETTERS[byte % LETTERS.length]).join("");
}

interface Case {
  name: string;
  secret: string;
  /** Stack config set for the case: secrets for the credential, plain for anything it needs besides. */
  secrets: Record<string, string>;
  plain?: Record<string, string>;
  /** The key the error must name (so the case failed for the planted value, not something else). */
  names: string;
}

/** A value that is malformed in a way that applies to each credential in the default connection. */
function defaultConnectionCase(key: string, secret: string): Case {
  const base = { name: `${NS}:${key}`, secret };
  switch (key) {
    case "password":
      return { ...base, secrets: { [`${NS}:password`]: secret }, names: `${NS}:username` };
    case "apiKey":
      return { ...base, secrets: { [`${NS}:apiKey`]: `${secret} ${secret}` }, names: `${NS}:apiKey` };
    case "bearerToken":
      return { ...base, secrets: { [`${NS}:bearerToken`]: `Bearer ${secret}` }, names: `${NS}:bearerToken` };
    case "esClientAuthentication":
      return {
        ...base,
        secrets: { [`${NS}:esClientAuthentication`]: secret },
        plain: { [`${NS}:headers`]: '{"ES-Client-Authentication": "x"}' },
        names: `${NS}:esClientAuthentication`,
      };
    case "keyData":
      return { ...base, secrets: { [`${NS}:keyData`]: secret }, names: `${NS}:keyData` };
    case "headers":
      // The example: a bare token where a JSON object belongs.
      return { ...base, secrets: { [`${NS}:headers`]: secret }, names: `${NS}:headers` };
    default:
      throw new Error(`no case for ${key}`);
  }
}

/** The credential unquoted inside the connections JSON: JSON.parse quoted the text around it. */
function namedConnectionCase(key: string, secret: string, endpoint: string): Case {
  return {
    name: `${CONNECTIONS}.eu.${key}`,
    secret,
    secrets: { [CONNECTIONS]: `{"eu": {"endpoints": "${endpoint}", "${key}": ${secret}}}` },
    names: CONNECTIONS,
  };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function pieces(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + PIECE <= secret.length; i++) out.push(secret.slice(i, i + PIECE));
  return out;
}

describe("reliability: malformed credentials in stack config never leak through the engine", function () {
  this.timeout(10 * 60_000);
  let es: EmulatorHandle;

  before(async function () {
    this.timeout(45 * 60_000);
    await getPulumiCli();
    es = await startEmulator({ startDelayMs: 5, stopDelayMs: 1 });
    await putTinyPytorchModel(es, MODEL);
  });

  after(async () => {
    await es?.close();
  });

  it("one case per credential key, default connection and named, and connections itself: 0 hits", async () => {
    const cases: Case[] = [
      ...CREDENTIAL_CONFIG_KEYS.map((key) => defaultConnectionCase(key, canary())),
      ...CREDENTIAL_CONFIG_KEYS.map((key) => namedConnectionCase(key, canary(), es.url)),
    ];
    const bare = canary();
    cases.push({ name: CONNECTIONS, secret: bare, secrets: { [CONNECTIONS]: bare }, names: CONNECTIONS });

    const transcript = new Transcript();
    const scanned: { where: string; text: string }[] = [];
    const started = Date.now();
    await withTestStack(
      {
        program: deploymentsProgram({ guarded: { modelId: MODEL, deploymentId: "config-canary" } }),
        config: { [`${NS}:endpoints`]: es.url },
      },
      async (stack) => {
        await transcript.ok("up (valid config)", () => stack.up());
        const setKeys = (c: Case): string[] => [...Object.keys(c.secrets), ...Object.keys(c.plain ?? {})];
        try {
          for (const c of cases) {
            for (const [key, value] of Object.entries(c.secrets)) await stack.setSecret(key, value);
            for (const [key, value] of Object.entries(c.plain ?? {})) await stack.setConfig(key, value);
            const failed = await transcript.fails(`up (${c.name} malformed)`, () => stack.up());
            const errors = errorDiagnostics(failed.events).join("\n");
            assert.ok(
              errors.includes(c.names),
              `${c.name}: the error names ${c.names}: ${errors.slice(0, 600)}`,
            );
            for (const key of setKeys(c)) await stack.removeConfig(key);
          }
          // The state after the failed operations.
          scanned.push({ where: "stack export", text: JSON.stringify(await stack.exportStack()) });
        } finally {
          // A failed up records the provider's new (malformed) config; a valid up lets cleanup destroy.
          for (const key of new Set(cases.flatMap(setKeys))) await stack.removeConfig(key);
          await transcript.ok("up (valid config again)", () => stack.up());
        }
        for (const dir of [stack.tempDir, stack.workDir]) {
          for (const file of filesUnder(dir)) {
            scanned.push({ where: path.relative(dir, file), text: fs.readFileSync(file, "latin1") });
          }
        }
      },
    );
    const seconds = (Date.now() - started) / 1000;
    scanned.push({ where: "operations (output, errors, events)", text: transcript.text() });

    const hits: string[] = [];
    for (const { where, text } of scanned) {
      for (const c of cases) {
        const found = pieces(c.secret).filter((piece) => text.includes(piece));
        if (found.length > 0) hits.push(`${c.name}: ${found.length} piece(s) in ${where}`);
      }
    }
    reportFigures("config canary", {
      cases: cases.map((c) => c.name),
      operations: transcript.records.length,
      placesScanned: scanned.length,
      bytesScanned: scanned.reduce((n, s) => n + s.text.length, 0),
      seconds: Math.round(seconds),
      canaryHits: hits.length,
    });
    assert.deepEqual(hits, []);
  });
});
