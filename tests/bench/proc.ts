/**
 * Reading the dynamic-provider process from `/proc` (Linux): which process it is, its CPU time and
 * its memory. The CLI starts one provider process per stack operation, in the project's work dir; other
 * stacks (other benchmarks or tests running on the machine) have other work dirs, so the work dir tells
 * ours apart.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";

/** CPU and memory figures of one process at one moment. */
export interface ProcessReading {
  /** user + system CPU time so far, ms. */
  cpuMs: number;
  /** Peak resident set size so far (`VmHWM`), KiB. */
  hwmKb: number;
  /** Resident set size now (`VmRSS`), KiB. */
  rssKb: number;
}

/**
 * user + system CPU ticks from the text of `/proc/<pid>/stat`. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted from the last `)`: utime and stime are fields 14 and 15.
 */
export function parseStatTicks(stat: string): number {
  const close = stat.lastIndexOf(")");
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(stat.slice(0, 80))}`);
  // After ")": field 3 (state) is index 0, so field k is index k - 3.
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`no utime/stime in /proc/<pid>/stat: ${JSON.stringify(stat.slice(0, 200))}`);
  }
  return utime + stime;
}

/** `VmHWM` and `VmRSS` (KiB) from the text of `/proc/<pid>/status`. */
export function parseStatusMemory(status: string): { hwmKb: number; rssKb: number } {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, "m").exec(status);
    if (!match) throw new Error(`no ${name} in /proc/<pid>/status`);
    return Number(match[1]);
  };
  return { hwmKb: field("VmHWM"), rssKb: field("VmRSS") };
}

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const text = execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim();
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`getconf CLK_TCK printed ${text}`);
    clockTicks = value;
  }
  return clockTicks;
}

/** Reads one process; undefined when it has exited. */
export function readProcess(pid: number): ProcessReading | undefined {
  try {
    const ticks = parseStatTicks(readFileSync(`/proc/${pid}/stat`, "utf8"));
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    // A process that is exiting (its memory already released) or a zombie has no memory lines any more.
    if (!/^VmHWM:/m.test(status)) return undefined;
    const memory = parseStatusMemory(status);
    return { cpuMs: (ticks * 1000) / ticksPerSecond(), ...memory };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ESRCH")
      return undefined;
    throw err;
  }
}

/**
 * The node processes running the dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) whose
 * working directory is `workDir`. The plugin's shell wrapper (`pulumi-resource-pulumi-nodejs`, a `sh`
 * process) has the same work dir but not that script on its command line.
 */
export function findProviderProcesses(workDir: string): number[] {
  const wanted = realpathSync(workDir);
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) !== wanted) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (cmdline.some((arg) => arg.includes("dynamic-provider")) && !cmdline.includes("-e")) {
        found.push(Number(name));
      }
    } catch {
      // The process exited while we looked, or belongs to someone we may not inspect: not ours.
    }
  }
  return found;
}

/** What a {@link ProviderSampler} saw of the provider process during one operation. */
export interface ProviderSample {
  pid?: number;
  /** Highest `VmHWM` read, KiB (the kernel's own peak, so samples between reads are not missed). */
  peakHwmKb?: number;
  /** CPU time at the last read before the process exited, ms. */
  cpuMs?: number;
  samples: number;
}

/**
 * Samples the provider process of one stack operation every `intervalMs` until stopped. `VmHWM` is the
 * kernel's running peak, so the last successful read before exit is the peak of the whole operation up
 * to that moment (the final stretch between the last read and exit is the only blind spot).
 */
export class ProviderSampler {
  #timer: NodeJS.Timeout | undefined;
  #error: unknown;
  readonly #result: ProviderSample = { samples: 0 };

  constructor(
    private readonly workDir: string,
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    this.#timer = setInterval(() => {
      try {
        this.sample();
      } catch (err) {
        // Kept for stop(): a throw inside a timer would crash the benchmark with no context.
        this.#error ??= err;
      }
    }, this.intervalMs);
    return this;
  }

  /** The current reading of the sampled process (undefined before it was found, or after it exited). */
  sample(): ProcessReading | undefined {
    if (this.#result.pid === undefined) {
      const pids = findProviderProcesses(this.workDir);
      if (pids.length > 1) {
        throw new Error(`more than one provider process in ${this.workDir}: ${pids.join(", ")}`);
      }
      this.#result.pid = pids[0];
    }
    if (this.#result.pid === undefined) return undefined;
    const reading = readProcess(this.#result.pid);
    if (reading) {
      this.#result.samples++;
      this.#result.cpuMs = reading.cpuMs;
      this.#result.peakHwmKb = Math.max(this.#result.peakHwmKb ?? 0, reading.hwmKb);
    }
    return reading;
  }

  stop(): ProviderSample {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#error !== undefined) throw this.#error;
    return { ...this.#result };
  }
}
