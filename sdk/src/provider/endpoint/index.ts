/**
 * The `InferenceEndpoint` provider's **stable entry point**, exported as
 * `pulumi-elasticsearch-ml/provider/inference-endpoint`.
 *
 * The provider object serialized into every `InferenceEndpoint`'s state only calls
 * `require("pulumi-elasticsearch-ml/provider/inference-endpoint").<method>(...)`, so state written by one
 * version of the package is handled by whatever version is installed when the operation runs. Keep these
 * exports (`configure`, `check`, `diff`, `create`, `read`, `update`, `delete`) and the shapes they accept
 * compatible across versions.
 */
import { warningsDelivered } from "../engineLog";
import { forHost } from "../hostErrors";
import type { ConfigureRequestLike } from "../index";
import { EndpointProvider, type EndpointProviderDependencies } from "./provider";

let instance: EndpointProvider | undefined;

function current(): EndpointProvider {
  instance ??= new EndpointProvider();
  return instance;
}

type Props = Record<string, unknown>;

/** Runs one method for the engine: expected errors printed quietly, warnings delivered before answering. */
async function answer<T>(method: () => T | Promise<T>): Promise<T> {
  try {
    return await forHost(method);
  } finally {
    await warningsDelivered();
  }
}

/** Receives the stack configuration once per provider process. */
export async function configure(req: ConfigureRequestLike): Promise<void> {
  current().configure((key) => req.config.get(key));
}

export async function check(olds: unknown, news: unknown) {
  return answer(() => current().check(olds, news));
}

export async function diff(id: string, olds: Props, news: Props) {
  return answer(() => current().diff(id, olds, news));
}

export async function create(inputs: Props) {
  return answer(() => current().create(inputs));
}

export async function read(id: string, props: Props) {
  return answer(() => current().read(id, props));
}

export async function update(id: string, olds: Props, news: Props) {
  return answer(() => current().update(id, olds, news));
}

async function remove(id: string, props: Props): Promise<void> {
  return answer(() => current().delete(id, props));
}
export { remove as delete };

/** Close the clients this process opened (tests and embedding; the engine ends the process instead). */
export async function closeConnections(): Promise<void> {
  const closing = instance;
  instance = undefined;
  await closing?.close();
}

/** A provider with its own dependencies (timings, progress sink, environment, client tuning). */
export function createEndpointProvider(
  dependencies: Partial<EndpointProviderDependencies> = {},
): EndpointProvider {
  return new EndpointProvider(dependencies);
}

export { EndpointProvider, type EndpointProviderDependencies } from "./provider";
export { FORCE_DELETE_ENDPOINTS_ENV_VAR, FORCE_DELETE_ENDPOINTS_KEY } from "./forceDelete";
export { PRECONFIGURED_ENDPOINTS } from "./inputs";
export { EndpointInUseError, EndpointExistsError, EndpointGoneError } from "../errors";
