import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  LocalWorkspace,
  type ConfigValue,
  type DestroyOptions,
  type DestroyResult,
  type EngineEvent,
  type OutputMap,
  type PreviewOptions,
  type PreviewResult,
  type PulumiFn,
  type RefreshOptions,
  type RefreshResult,
  type Stack,
  type UpOptions,
  type UpResult,
} from "@pulumi/pulumi/automation";
import { getPulumiCli, type PulumiCli } from "./cli";
import { offlineEnv } from "./env";
import "./program-connections";
import { repoRoot } from "./repo";

const execFileAsync = promisify(execFile);

/** Options the harness fills in itself (output capture, cancellation, program). */
type Managed = "onOutput" | "onError" | "onEvent" | "signal" | "program";
export type UpOpts = Omit<UpOptions, Managed>;
export type PreviewOpts = Omit<PreviewOptions, Managed>;
export type RefreshOpts = Omit<RefreshOptions, Managed>;
export type DestroyOpts = Omit<DestroyOptions, Managed | "remove">;

/** Options of {@link TestStack.create}. */
export interface TestStackOptions {
  /** The inline program (runs in this process; no language host needed). */
  readonly program: PulumiFn;
  /** Project name; also the namespace of un-prefixed config keys. Default `e2e`. */
  readonly projectName?: string;
  /** Stack name. Default `test`. */
  readonly stackName?: string;
  /** Stack config set before the first operation; `{ value, secret: true }` for secrets. */
  readonly config?: Readonly<Record<string, string | ConfigValue>>;
  /** Extra environment for every CLI command (and so for the provider process). */
  readonly env?: Readonly<Record<string, string>>;
  /** Passphrase of the secrets provider. Default: a random one per stack. */
  readonly passphrase?: string;
  /** Deadline of one stack operation; the CLI is killed when it passes. Default 120 s. */
  readonly operationTimeoutMs?: number;
  /** Forwarded to `PulumiCommand.get`. */
  readonly skipVersionCheck?: boolean;
}

/** What one stack operation produced. */
export interface Operation<R> {
  readonly result: R;
  /** Every engine event, in order (see `./events` for helpers). */
  readonly events: EngineEvent[];
  /** stdout and stderr of the CLI, interleaved as they arrived. */
  readonly output: string;
}

/** A stack operation that failed; carries what the engine said before failing. */
export class OperationFailedError extends Error {
  readonly code = "E2E_OPERATION_FAILED";
  override readonly name = "OperationFailedError";
  constructor(
    readonly operation: string,
    readonly events: EngineEvent[],
    readonly output: string,
    cause: unknown,
  ) {
    super(`pulumi ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A `pulumi` command run by {@link TestStack.runCli} that exited non-zero. */
export class CliCommandError extends Error {
  readonly code = "E2E_CLI_FAILED";
  override readonly name = "CliCommandError";
  constructor(
    readonly args: readonly string[],
    readonly stdout: string,
    readonly stderr: string,
    cause: unknown,
  ) {
    super(`pulumi ${args.join(" ")} failed: ${stderr.trim() || stdout.trim() || String(cause)}`, { cause });
  }
}

/**
 * The engine reported success for an operation that runs the program, but the inline program never
 * returned: the resources it declares were never registered, so nothing about them was checked. The
 * Node runtime ends a program quietly when its first call to the engine fails with UNAVAILABLE
 * (docs/pulumi-engine-findings.md, "Many inline programs in one process"); this makes that loud.
 */
export class ProgramDidNotRunError extends Error {
  readonly code = "E2E_PROGRAM_DID_NOT_RUN";
  override readonly name = "ProgramDidNotRunError";
  constructor(
    readonly operation: string,
    readonly events: EngineEvent[],
    readonly output: string,
  ) {
    super(
      `pulumi ${operation} reported success, but the inline program never returned, so its resources ` +
        `were never registered; the engine said:\n${output.slice(-2000)}`,
    );
  }
}

/** Awaits an operation that must fail and returns its error; fails when it succeeds. */
export async function expectOperationFailure(operation: Promise<unknown>): Promise<OperationFailedError> {
  let outcome: unknown;
  try {
    outcome = await operation;
  } catch (err) {
    if (err instanceof OperationFailedError) return err;
    throw err;
  }
  throw new Error(
    `expected the stack operation to fail, but it succeeded: ${JSON.stringify(outcome)?.slice(0, 500)}`,
  );
}

/**
 * One throw-away stack on a private file backend, driven through the
 * Automation API with an inline program. Everything it creates lives in a
 * temp folder (state, PULUMI_HOME) and a work dir under `<repo>/.pulumi-test/`
 * (inside the repo so the dynamic-provider plugin, which starts in the work
 * dir, resolves `@pulumi/pulumi`). {@link TestStack.cleanup} removes it all;
 * prefer {@link withTestStack}, which guarantees that.
 */
export class TestStack {
  private cleaned = false;
  /** How many times the inline program returned (see {@link ProgramDidNotRunError}). */
  private programReturns = 0;
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  private constructor(
    readonly stack: Stack,
    readonly workspace: LocalWorkspace,
    readonly cli: PulumiCli,
    /** Temp folder holding `state/` (the backend) and `home/` (PULUMI_HOME). */
    readonly tempDir: string,
    /** The project's work dir (Pulumi.yaml, Pulumi.<stack>.yaml). */
    readonly workDir: string,
    private readonly operationTimeoutMs: number,
  ) {}

  /** Creates the stack and sets its initial config. */
  static async create(options: TestStackOptions): Promise<TestStack> {
    const root = repoRoot();
    const projectName = options.projectName ?? "e2e";
    const stackName = options.stackName ?? "test";
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-e2e-"));
    const workDir = path.join(root, ".pulumi-test", path.basename(tempDir));
    try {
      const cli = await getPulumiCli({ skipVersionCheck: options.skipVersionCheck });
      const backendDir = path.join(tempDir, "state");
      const pulumiHome = path.join(tempDir, "home");
      for (const dir of [backendDir, pulumiHome, workDir]) fs.mkdirSync(dir, { recursive: true });
      const envVars = {
        ...offlineEnv({
          repoRoot: root,
          backendDir,
          passphrase: options.passphrase ?? crypto.randomBytes(12).toString("hex"),
        }),
        ...options.env,
      };
      const stack = await LocalWorkspace.createOrSelectStack(
        { projectName, stackName, program: options.program },
        {
          workDir,
          pulumiHome,
          envVars,
          pulumiCommand: cli.command,
          projectSettings: {
            name: projectName,
            runtime: "nodejs",
            backend: { url: envVars.PULUMI_BACKEND_URL },
          },
        },
      );
      const testStack = new TestStack(
        stack,
        stack.workspace as LocalWorkspace,
        cli,
        tempDir,
        workDir,
        options.operationTimeoutMs ?? 120_000,
      );
      testStack.setProgram(options.program);
      for (const [key, value] of Object.entries(options.config ?? {})) {
        await testStack.setConfig(key, typeof value === "string" ? { value } : value);
      }
      return testStack;
    } catch (err) {
      removeDirs(tempDir, workDir);
      throw err;
    }
  }

  get name(): string {
    return this.stack.name;
  }

  /** Replaces the inline program used by later operations (e.g. to change an input). */
  setProgram(program: PulumiFn): void {
    this.workspace.program = this.counted(program);
  }

  /** `program`, counting each time it returns, so an operation can tell whether it ran. */
  counted(program: PulumiFn): PulumiFn {
    return async () => {
      const outputs = await program();
      this.programReturns++;
      return outputs;
    };
  }

  /**
   * Runs `operation`, which runs the inline program, and throws {@link ProgramDidNotRunError} when it
   * succeeded although the program never returned.
   */
  async expectProgramToRun<R extends { output: string; events: EngineEvent[] }>(
    name: string,
    operation: () => Promise<R>,
  ): Promise<R> {
    const before = this.programReturns;
    const done = await operation();
    if (this.programReturns === before) throw new ProgramDidNotRunError(name, done.events, done.output);
    return done;
  }

  /** Sets one config key (`namespace:key`, or a bare key in the project's namespace). */
  async setConfig(key: string, value: string | ConfigValue): Promise<void> {
    await this.stack.setConfig(key, typeof value === "string" ? { value } : value);
  }

  /** Sets one config key as a secret, as `pulumi config set --secret` does. */
  async setSecret(key: string, value: string): Promise<void> {
    await this.stack.setConfig(key, { value, secret: true });
  }

  async removeConfig(key: string): Promise<void> {
    await this.stack.removeConfig(key);
  }

  /**
   * Changes the environment of later CLI commands, and so of the provider
   * processes they start. `undefined` removes a variable the harness had set
   * (it cannot hide one this test process itself has: the CLI inherits it).
   */
  setEnv(vars: Readonly<Record<string, string | undefined>>): void {
    for (const [key, value] of Object.entries(vars)) {
      if (value === undefined) delete this.workspace.envVars[key];
      else this.workspace.envVars[key] = value;
    }
  }

  up(opts: UpOpts = {}): Promise<Operation<UpResult>> {
    return this.expectProgramToRun("up", () =>
      this.run("up", (capture) => this.stack.up({ color: "never", ...opts, ...capture })),
    );
  }

  preview(opts: PreviewOpts = {}): Promise<Operation<PreviewResult>> {
    return this.expectProgramToRun("preview", () =>
      this.run("preview", (capture) => this.stack.preview({ color: "never", ...opts, ...capture })),
    );
  }

  /** `pulumi refresh`; pass `{ runProgram: true }` for `--run-program`. */
  refresh(opts: RefreshOpts = {}): Promise<Operation<RefreshResult>> {
    const refresh = () =>
      this.run("refresh", (capture) => this.stack.refresh({ color: "never", ...opts, ...capture }));
    return opts.runProgram === true ? this.expectProgramToRun("refresh", refresh) : refresh();
  }

  /** `pulumi destroy`; pass `{ runProgram: true }` for `--run-program`. */
  destroy(opts: DestroyOpts = {}): Promise<Operation<DestroyResult>> {
    const destroy = () =>
      this.run("destroy", (capture) => this.stack.destroy({ color: "never", ...opts, ...capture }));
    return opts.runProgram === true ? this.expectProgramToRun("destroy", destroy) : destroy();
  }

  /**
   * Calls `listener` with each engine event of later operations as it
   * arrives (while the operation still runs). Returns the unsubscribe function.
   */
  watch(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * `pulumi stack export`: the checkpoint as a user sees it, secrets
   * encrypted. (The Automation API's own `exportStack` adds `--show-secrets`.)
   */
  async exportStack(options: { showSecrets?: boolean } = {}): Promise<StackCheckpoint> {
    const args = ["stack", "export", "--stack", this.stack.name];
    if (options.showSecrets) args.push("--show-secrets");
    const { stdout } = await this.runCli(args);
    return (JSON.parse(stdout) as { deployment: StackCheckpoint }).deployment;
  }

  /**
   * Runs any `pulumi` command in this stack's work dir with its environment
   * (plus `extraEnv`), as a user would type it in a shell: no Automation API,
   * no inline program (add `--stack` yourself where it matters).
   */
  async runCli(
    args: string[],
    extraEnv: Readonly<Record<string, string>> = {},
  ): Promise<{ stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.workspace.envVars, ...extraEnv };
    if (this.workspace.pulumiHome) env.PULUMI_HOME = this.workspace.pulumiHome;
    // As the Automation API does: the CLI's own folder first, so it finds its plugins.
    env.PATH = [this.cli.binDir, env.PATH].filter(Boolean).join(path.delimiter);
    try {
      const { stdout, stderr } = await execFileAsync(
        path.join(this.cli.binDir, "pulumi"),
        [...args, "--non-interactive"],
        {
          cwd: this.workDir,
          env,
          maxBuffer: 256 * 1024 * 1024,
          signal: AbortSignal.timeout(this.operationTimeoutMs),
        },
      );
      return { stdout, stderr };
    } catch (err) {
      const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
      throw new CliCommandError(args, stdout, stderr, err);
    }
  }

  /** The stack's resources in state (provider resources included). */
  async resources(): Promise<CheckpointResource[]> {
    return (await this.exportStack()).resources ?? [];
  }

  async outputs(): Promise<OutputMap> {
    return this.stack.outputs();
  }

  /**
   * Destroys whatever is left, removes the stack and deletes the temp and work
   * dirs. Runs every step even when one fails, then throws them all.
   */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    const errors: unknown[] = [];
    try {
      if ((await this.resources()).length > 0) await this.destroy();
    } catch (err) {
      errors.push(err);
    }
    try {
      // force: when destroy failed the stack still holds resources; the backend is thrown away anyway.
      await this.workspace.removeStack(this.stack.name, { force: true });
    } catch (err) {
      errors.push(err);
    }
    try {
      removeDirs(this.tempDir, this.workDir);
    } catch (err) {
      errors.push(err);
    }
    if (errors.length > 0)
      throw new AggregateError(
        errors,
        `cleanup of stack ${this.stack.name} failed: ${errors.map(messageOf).join("; ")}`,
      );
  }

  private async run<R>(operation: string, call: (capture: Capture) => Promise<R>): Promise<Operation<R>> {
    const events: EngineEvent[] = [];
    let output = "";
    const capture: Capture = {
      onEvent: (event) => {
        events.push(event);
        for (const listener of this.listeners) listener(event);
      },
      onOutput: (chunk) => (output += chunk),
      onError: (chunk) => (output += chunk),
      signal: AbortSignal.timeout(this.operationTimeoutMs),
    };
    try {
      const result = await call(capture);
      return { result, events, output };
    } catch (err) {
      throw new OperationFailedError(operation, events, output, err);
    }
  }
}

interface Capture {
  onEvent: (event: EngineEvent) => void;
  onOutput: (chunk: string) => void;
  onError: (chunk: string) => void;
  signal: AbortSignal;
}

/** The parts of an exported checkpoint (`pulumi stack export`) the tests read. */
export interface StackCheckpoint {
  resources?: CheckpointResource[];
  [key: string]: unknown;
}

/** One resource of an exported checkpoint. */
export interface CheckpointResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  provider?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
  [key: string]: unknown;
}

/**
 * Creates a {@link TestStack}, runs `body`, and always cleans up (destroy,
 * stack removal, temp dirs). A failing body wins over a failing cleanup; both
 * are reported when both fail.
 */
export async function withTestStack<T>(
  options: TestStackOptions,
  body: (stack: TestStack) => Promise<T>,
): Promise<T> {
  const stack = await TestStack.create(options);
  let result: T;
  try {
    result = await body(stack);
  } catch (bodyError) {
    try {
      await stack.cleanup();
    } catch (cleanupError) {
      throw new AggregateError(
        [bodyError, cleanupError],
        `${messageOf(bodyError)} (and cleanup failed: ${messageOf(cleanupError)})`,
      );
    }
    throw bodyError;
  }
  await stack.cleanup();
  return result;
}

function removeDirs(...dirs: string[]): void {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
