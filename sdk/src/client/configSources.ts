/**
 * Where a connection setting's value came from (an option or an environment variable), and the helpers
 * every part of the resolution shares to read, name and show it in messages.
 */
import { readFileSync } from "node:fs";
import { ConfigurationError } from "./errors";
import { REDACTED } from "./secret";

/** Reads a file as UTF-8 text; injectable so that resolution can be tested without a file system. */
export type FileReader = (path: string) => string;
export const readUtf8: FileReader = (path) => readFileSync(path, "utf8");

export type Env = Readonly<Record<string, string | undefined>>;

/** A value and the option or environment variable it came from. */
export interface Sourced<T> {
  value: T;
  setting: string;
}

export function blankToUndefined<T>(value: T | undefined | null): T | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" && value.trim() === "") return undefined;
  return value;
}

export function fromExplicit<T>(value: T | undefined | null, setting: string): Sourced<T> | undefined {
  const v = blankToUndefined(value);
  return v === undefined ? undefined : { value: v, setting };
}

export function fromEnv(env: Env, name: string): Sourced<string> | undefined {
  const v = blankToUndefined(env[name]);
  return v === undefined ? undefined : { value: v, setting: name };
}

/** Shows a value in an error message: quoted, or redacted (with its length, which helps spot a truncated paste). */
export function show(value: string, secret = false): string {
  return secret ? `${REDACTED} (${value.length} characters)` : JSON.stringify(value);
}

export function requireString(value: Sourced<unknown>): string {
  if (typeof value.value !== "string") {
    throw new ConfigurationError(
      value.setting,
      `${value.setting} must be a string, got ${typeof value.value}`,
    );
  }
  return value.value;
}

export const configurationError = (setting: string, message: string): ConfigurationError =>
  new ConfigurationError(setting, message);
