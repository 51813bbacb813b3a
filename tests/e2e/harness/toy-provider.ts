import * as pulumi from "@pulumi/pulumi";

/**
 * A tiny dynamic resource for the engine-contract tests. Its "cloud" is a JSON
 * file (`world`) so the test can change things out of band, and it reports
 * what it saw (config, environment, calls) to a {@link Journal} file, because
 * it runs in the plugin process the CLI starts, not in the test process.
 *
 * Everything the provider needs is inside its methods or captured as plain
 * strings: the closures are serialized into state. `require` is called inside
 * the bodies on purpose: a module imported at the top would be captured (and
 * `__importStar` wrappers are serialized by value instead of as `require`).
 */

/** Inputs of a toy. `key` is its id in the world, like a deployment id. */
export interface ToyInputs {
  key: string;
  size: number;
  shape: string;
  /** Make `create` fail after creating, as a partial failure; with or without `__provider` in its properties. */
  failCreate?: "spreading-inputs" | "without-provider";
  /** Make `create` report progress on every channel, then wait until the test saw it (or 20 s passed). */
  progress?: { ackFile: string };
  /** Make `read` return props only (no `inputs`), as providers did before 3.216. */
  omitReadInputs?: boolean;
}

export interface ToyOutputs extends ToyInputs {
  state: string;
}

/** One line of the journal. */
export interface ToyJournalEntry {
  method: "configure" | "diff" | "create" | "read" | "update" | "delete";
  pid: number;
  key?: string;
  /** What `configure` read from stack config (the values this provider process uses). */
  config?: { force: string | null; apiKey: string | null; projectFlag: string | null; apiKeyType: string };
  /** `TOY_FLAG` in the provider process's environment when the method ran. */
  env?: string | null;
  /** Extra facts a method reports. */
  detail?: Record<string, unknown>;
}

export const TOY_TYPE = "pulumi-nodejs:dynamic/toy:Toy";

/** Builds the provider. `journalPath` and `worldPath` are the only captured values. */
export function makeToyProvider(
  journalPath: string,
  worldPath: string,
): pulumi.dynamic.ResourceProvider<ToyInputs, ToyOutputs> {
  /* eslint-disable @typescript-eslint/no-require-imports -- see the file comment: requires stay inside the serialized bodies */
  const record = (entry: Omit<ToyJournalEntry, "pid">): void => {
    require("fs").appendFileSync(journalPath, JSON.stringify({ pid: process.pid, ...entry }) + "\n");
  };
  const readWorld = (): Record<string, { size: number; shape: string }> => {
    const fs = require("fs");
    return fs.existsSync(worldPath) ? JSON.parse(fs.readFileSync(worldPath, "utf8")) : {};
  };
  const writeWorld = (world: Record<string, { size: number; shape: string }>): void => {
    require("fs").writeFileSync(worldPath, JSON.stringify(world));
  };
  const seenConfig = (): ToyJournalEntry["config"] =>
    (globalThis as { __toyConfig?: ToyJournalEntry["config"] }).__toyConfig;
  const env = (): string | null => process.env.TOY_FLAG ?? null;
  const userInputs = (props: ToyInputs): ToyInputs => {
    const { key, size, shape, failCreate, progress, omitReadInputs } = props;
    return JSON.parse(JSON.stringify({ key, size, shape, failCreate, progress, omitReadInputs }));
  };

  return {
    async configure(req) {
      const apiKey = req.config.get("elasticsearch-ml:apiKey");
      const config = {
        force: req.config.get("elasticsearch-ml:force") ?? null,
        apiKey: apiKey ?? null,
        // A bare key reads the project's namespace (`<project>:projectFlag`).
        projectFlag: req.config.get("projectFlag") ?? null,
        apiKeyType: typeof apiKey,
      };
      (globalThis as { __toyConfig?: ToyJournalEntry["config"] }).__toyConfig = config;
      record({ method: "configure", config, env: env() });
    },

    async diff(_id, olds, news) {
      const replaces = olds.shape !== news.shape ? ["shape"] : [];
      const changes = replaces.length > 0 || olds.size !== news.size;
      record({ method: "diff", key: news.key, detail: { changes, replaces, newSize: news.size } });
      // `stables` is part of the DiffResult contract; the test checks what the engine makes of it.
      return { changes, replaces, deleteBeforeReplace: replaces.length > 0, stables: ["key"] };
    },

    async create(inputs) {
      const world = readWorld();
      if (world[inputs.key]) throw new Error(`toy ${inputs.key} already exists`);
      world[inputs.key] = { size: inputs.size, shape: inputs.shape };
      writeWorld(world);
      record({ method: "create", key: inputs.key, config: seenConfig(), env: env() });
      if (inputs.progress) {
        const marker = `toy-progress-${inputs.key}`;
        require("@pulumi/pulumi").log.info(`${marker} via pulumi.log.info`);
        console.log(`${marker} via console.log`);
        console.error(`${marker} via console.error`);
        // Wait until the test saw a message while this call still runs: proof that progress streams.
        const fs = require("fs");
        let acked = false;
        for (let i = 0; i < 200 && !acked; i++) {
          acked = fs.existsSync(inputs.progress.ackFile);
          if (!acked) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        record({ method: "create", key: inputs.key, detail: { acked } });
      }
      if (inputs.failCreate) {
        const partial = { state: "starting" };
        const properties =
          inputs.failCreate === "spreading-inputs"
            ? { ...inputs, ...partial }
            : { ...userInputs(inputs), ...partial };
        throw Object.assign(new Error(`toy ${inputs.key} is still starting`), {
          id: inputs.key,
          properties,
          reasons: [`toy ${inputs.key} did not become ready before the deadline`],
        });
      }
      return { id: inputs.key, outs: { ...inputs, state: "started" } };
    },

    async read(id, props) {
      const found = readWorld()[id];
      record({ method: "read", key: id, config: seenConfig(), env: env() });
      if (!found || !props) return {};
      const inputs = { ...userInputs(props), size: found.size, shape: found.shape };
      // The SDK types ReadResult.inputs with the Outputs type parameter; they are inputs.
      return {
        id,
        props: { ...props, ...inputs },
        inputs: props.omitReadInputs ? undefined : (inputs as ToyOutputs),
      };
    },

    async update(id, _olds, news) {
      const world = readWorld();
      world[id] = { size: news.size, shape: news.shape };
      writeWorld(world);
      record({ method: "update", key: id, config: seenConfig(), env: env() });
      return { outs: { ...news, state: "started" } };
    },

    async delete(id) {
      const world = readWorld();
      delete world[id];
      writeWorld(world);
      record({ method: "delete", key: id, config: seenConfig(), env: env() });
    },
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** What a program passes: every input may come from another resource's output. */
export type ToyArgs = { [K in keyof ToyInputs]: pulumi.Input<ToyInputs[K]> };

/** The toy resource; `state` is output-only. */
export class Toy extends pulumi.dynamic.Resource {
  declare readonly state: pulumi.Output<string>;
  declare readonly size: pulumi.Output<number>;
  declare readonly key: pulumi.Output<string>;

  constructor(
    name: string,
    args: ToyArgs,
    provider: pulumi.dynamic.ResourceProvider<ToyInputs, ToyOutputs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(provider, name, { ...args, state: undefined }, opts, "toy", "Toy");
  }
}
