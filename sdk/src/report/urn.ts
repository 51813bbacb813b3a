/**
 * Pulumi URNs: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is the
 * parent chain joined by `$` and ends with the resource's own type.
 */

/** The parts of a URN the report shows. */
export interface ParsedUrn {
  stack: string;
  project: string;
  /** The resource's own type (the last link of the qualified type). */
  type: string;
  name: string;
}

const PREFIX = "urn:pulumi:";

/** Splits a URN, or returns `undefined` when it is not one. */
export function parseUrn(urn: string): ParsedUrn | undefined {
  if (!urn.startsWith(PREFIX)) return undefined;
  const parts = urn.slice(PREFIX.length).split("::");
  if (parts.length < 4) return undefined;
  const [stack, project, qualifiedType, ...name] = parts;
  const chain = qualifiedType.split("$");
  return { stack, project, type: chain[chain.length - 1], name: name.join("::") };
}
