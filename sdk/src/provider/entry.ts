/**
 * What every provider's **stable entry point** exports, built once: the entry a resource's serialized
 * provider requires (`pulumi-elasticsearch-ml/provider`, `…/provider/trained-model`,
 * `…/provider/inference-endpoint`) keeps one provider per process and answers the engine's calls through
 * it. Each method prints expected errors without a stack trace in the dynamic-provider host and delivers
 * the provider's warnings to the engine before it answers (`hostErrors.ts`, `engineLog.ts`).
 *
 * The methods' names and the shapes they accept are the state contract: state written by one version is
 * read, updated and deleted by the next through them.
 */
import { warningsDelivered } from "./engineLog";
import { forHost } from "./hostErrors";

type Props = Record<string, unknown>;

/** The shape of the dynamic provider's `ConfigureRequest` the entries rely on. */
export interface ConfigureRequestLike {
  config: { get(key: string): string | undefined };
}

/** The lifecycle a resource's provider implements (the engine's calls, plus closing its clients). */
export interface LifecycleProvider {
  configure(get: (key: string) => unknown): void;
  check(olds: unknown, news: unknown): unknown;
  diff(id: string, olds: Props, news: Props): unknown;
  create(inputs: Props): Promise<unknown>;
  read(id: string, props: Props): Promise<unknown>;
  update(id: string, olds: Props, news: Props): Promise<unknown>;
  delete(id: string, props: Props): Promise<void>;
  close(): Promise<void>;
}

type Answer<T> = Promise<Awaited<T>>;

/** The functions a stable entry exports, answering through one provider per process. */
export interface StableEntry<P extends LifecycleProvider> {
  /** Receives the stack configuration once per provider process. */
  configure(req: ConfigureRequestLike): Promise<void>;
  check(olds: unknown, news: unknown): Answer<ReturnType<P["check"]>>;
  diff(id: string, olds: Props, news: Props): Answer<ReturnType<P["diff"]>>;
  create(inputs: Props): Answer<ReturnType<P["create"]>>;
  read(id: string, props: Props): Answer<ReturnType<P["read"]>>;
  update(id: string, olds: Props, news: Props): Answer<ReturnType<P["update"]>>;
  delete(id: string, props: Props): Promise<void>;
  /** Close the clients this process opened (tests and embedding; the engine ends the process instead). */
  closeConnections(): Promise<void>;
}

/** Runs one method for the engine: expected errors printed quietly, warnings delivered before answering. */
async function answer<R>(method: () => R): Promise<Awaited<R>> {
  try {
    // forHost resolves to what the method resolves to (a promise result is awaited, not nested).
    return await (forHost(method) as Promise<Awaited<R>>);
  } finally {
    await warningsDelivered();
  }
}

/** The entry's functions over a provider made on first use (`make`), one per process. */
export function stableEntry<P extends LifecycleProvider>(make: () => P): StableEntry<P> {
  let instance: P | undefined;
  const current = (): P => (instance ??= make());
  return {
    configure: async (req) => current().configure((key) => req.config.get(key)),
    check: (olds, news) => answer(() => current().check(olds, news) as ReturnType<P["check"]>),
    diff: (id, olds, news) => answer(() => current().diff(id, olds, news) as ReturnType<P["diff"]>),
    create: (inputs) => answer(() => current().create(inputs) as ReturnType<P["create"]>),
    read: (id, props) => answer(() => current().read(id, props) as ReturnType<P["read"]>),
    update: (id, olds, news) => answer(() => current().update(id, olds, news) as ReturnType<P["update"]>),
    delete: (id, props) => answer(() => current().delete(id, props)),
    closeConnections: async () => {
      const closing = instance;
      instance = undefined;
      await closing?.close();
    },
  };
}
