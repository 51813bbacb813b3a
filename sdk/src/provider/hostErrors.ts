/**
 * How the provider's errors print in the dynamic-provider host of `@pulumi/pulumi`.
 *
 * For `check`, `diff`, `read` and `delete` the host prints every thrown error to its stderr as
 * `` `${e}: ${e.stack}` `` before returning it to the engine (cmd/dynamic-provider/index.js). The engine
 * shows that stderr line live and again under Diagnostics, and shows the step's error (the error's
 * `message`) twice as well: a refused stop read 6 times, with a trace into the provider and Pulumi.
 *
 * An expected error — a refusal, a failed check of the cluster, a configuration or credentials
 * problem, an Elasticsearch answer — says everything the user needs in its message, which the engine
 * shows anyway. So at the host boundary it prints as its name and code only, without a trace. Any
 * other error (a bug) keeps its message and stack trace.
 */
import { isEsClientError, type EsClientErrorCode } from "../client";
import { ProviderError } from "./errors";
import { ProviderConfigError } from "./stopFlags";

/** Client errors that mean a bug or a peer that is not Elasticsearch: their trace helps. */
const UNEXPECTED_CLIENT_CODES: ReadonlySet<EsClientErrorCode> = new Set([
  "ES_INVALID_RESPONSE",
  "ES_CLIENT_CLOSED",
]);

/** What the host prints after the name and code of an expected error, in place of its stack. */
export const EXPECTED_ERROR_NOTE = "an expected error; the engine shows its message (no stack trace)";

/** Whether `err` is one of the errors the provider raises on purpose (see the module comment). */
export function isExpectedError(err: unknown): err is Error & { code: string } {
  if (err instanceof ProviderError || err instanceof ProviderConfigError) return true;
  return isEsClientError(err) && !UNEXPECTED_CLIENT_CODES.has(err.code);
}

/**
 * Makes an expected error print as `<name> [<code>]: <note>` through `` `${e}: ${e.stack}` ``, and
 * returns it. Only how it prints changes: `message`, `code`, `cause` and the class stay, and the
 * engine still receives the message. Any other value is returned untouched.
 */
export function printableForHost<T>(err: T): T {
  if (!isExpectedError(err)) return err;
  const label = `${err.name} [${err.code}]`;
  Object.defineProperty(err, "toString", { value: () => label, configurable: true, writable: true });
  Object.defineProperty(err, "stack", { value: EXPECTED_ERROR_NOTE, configurable: true, writable: true });
  return err;
}

/** Runs one provider method for the host, printing its expected errors as {@link printableForHost} says. */
export async function forHost<T>(method: () => T | Promise<T>): Promise<T> {
  try {
    return await method();
  } catch (err) {
    throw printableForHost(err);
  }
}
