/**
 * The admin API over HTTP, under `/_emulator/` (no Elasticsearch route uses that prefix):
 *
 * | Method + path                     | Does                                              |
 * |-----------------------------------|---------------------------------------------------|
 * | GET    /_emulator/state           | state snapshot                                    |
 * | POST   /_emulator/reset           | fresh cluster (built-in model), no faults, no log |
 * | GET    /_emulator/faults          | faults with their `fired` counters                |
 * | POST   /_emulator/faults          | add a fault (body: FaultSpec) → the Fault         |
 * | DELETE /_emulator/faults          | remove all faults                                 |
 * | DELETE /_emulator/faults/<id>     | remove one fault                                  |
 * | GET    /_emulator/log             | request log (`{ entries: [...] }`)                |
 * | DELETE /_emulator/log             | clear the log                                     |
 * | GET    /_emulator/request_counts  | `{ total, byRoute }`: every request, never dropped |
 * | DELETE /_emulator/request_counts  | reset the counters                                |
 * | POST   /_emulator/nodes           | add an ML node (body: `{ "processors": n }`)      |
 * | DELETE /_emulator/nodes/<id>      | remove an ML node                                 |
 * | POST   /_emulator/downloads/<model_id>/_kill | a node restart kills that model's download |
 * | PUT    /_emulator/model_repository  | body `{ "reachable": bool }`                    |
 * | POST   /_emulator/deployments/<id>/_fail | fail a route (`node_id`) or all, with `reason` |
 *
 * Admin calls skip security, faults and the request log.
 */
import type { RouteResult } from "../http/types";
import type { EmulatorAdmin, FaultSpec } from "./types";

function adminError(status: number, reason: string): RouteResult {
  return { status, body: { error: { type: "emulator_admin_exception", reason }, status } };
}

function parseBody(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new Error(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** `segments` are the path segments after `_emulator`. */
export function handleAdmin(
  admin: EmulatorAdmin,
  method: string,
  segments: string[],
  rawBody: string,
): RouteResult {
  const route = `${method} ${segments.join("/")}`;
  try {
    const body = parseBody(rawBody);
    switch (route) {
      case "GET state":
        return { status: 200, body: admin.state() };
      case "POST reset":
        admin.reset();
        return { status: 200, body: { acknowledged: true } };
      case "GET faults":
        return { status: 200, body: { faults: admin.faults() } };
      case "POST faults":
        return { status: 200, body: admin.addFault(body as FaultSpec) };
      case "DELETE faults":
        admin.clearFaults();
        return { status: 200, body: { acknowledged: true } };
      case "GET log":
        return { status: 200, body: { entries: admin.log() } };
      case "DELETE log":
        admin.clearLog();
        return { status: 200, body: { acknowledged: true } };
      case "GET request_counts":
        return { status: 200, body: admin.requestCounts() };
      case "DELETE request_counts":
        admin.clearRequestCounts();
        return { status: 200, body: { acknowledged: true } };
      case "POST nodes": {
        const { processors, platform } =
          (body as { processors?: unknown; platform?: unknown } | undefined) ?? {};
        if (processors !== undefined && typeof processors !== "number") {
          throw new Error(
            `processors: ${JSON.stringify(processors)} is not allowed; expected a positive integer`,
          );
        }
        if (platform !== undefined && typeof platform !== "string") {
          throw new Error(`platform: ${JSON.stringify(platform)} is not allowed; expected a platform name`);
        }
        return {
          status: 200,
          body: { id: admin.addMlNode(processors as number | undefined, platform as string | undefined) },
        };
      }
      case "PUT model_repository": {
        const reachable = (body as { reachable?: unknown } | undefined)?.reachable;
        if (typeof reachable !== "boolean") {
          throw new Error(`reachable: ${JSON.stringify(reachable)} is not allowed; expected true or false`);
        }
        admin.setModelRepositoryReachable(reachable);
        return { status: 200, body: { acknowledged: true } };
      }
      default:
    }
    if (method === "DELETE" && segments.length === 2 && segments[0] === "faults") {
      return admin.removeFault(segments[1])
        ? { status: 200, body: { acknowledged: true } }
        : adminError(404, `no fault with id [${segments[1]}]`);
    }
    if (
      method === "POST" &&
      segments.length === 3 &&
      segments[0] === "downloads" &&
      segments[2] === "_kill"
    ) {
      admin.killModelDownload(segments[1]);
      return { status: 200, body: { acknowledged: true } };
    }
    if (
      method === "POST" &&
      segments.length === 3 &&
      segments[0] === "deployments" &&
      segments[2] === "_fail"
    ) {
      const spec = (body ?? {}) as { node_id?: unknown; reason?: unknown };
      if (spec.node_id !== undefined && typeof spec.node_id !== "string") {
        throw new Error(`node_id: ${JSON.stringify(spec.node_id)} is not allowed; expected a node id string`);
      }
      if (typeof spec.reason !== "string") {
        throw new Error(`reason: ${JSON.stringify(spec.reason)} is not allowed; expected a string`);
      }
      admin.failDeployment(decodeURIComponent(segments[1]), { nodeId: spec.node_id, reason: spec.reason });
      return { status: 200, body: { acknowledged: true } };
    }
    if (method === "DELETE" && segments.length === 2 && segments[0] === "nodes") {
      admin.removeMlNode(segments[1]);
      return { status: 200, body: { acknowledged: true } };
    }
    return adminError(404, `no admin route for [${method} /_emulator/${segments.join("/")}]`);
  } catch (error) {
    return adminError(400, (error as Error).message);
  }
}
