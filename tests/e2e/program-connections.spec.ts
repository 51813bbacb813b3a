/**
 * Why every engine test gets gRPC connections of its own for its inline programs
 * (harness/program-connections.ts): the engine and monitor clients of `@pulumi/pulumi`, built with its
 * own options, against a server that dies and a new one that later listens on the same port, as a
 * later CLI does when the system hands it the port of an earlier, failed operation. No engine runs.
 */
import * as assert from "node:assert/strict";
import { LOCAL_SUBCHANNEL_POOL, programConnectionsIsolated } from "./harness";

/* eslint-disable @typescript-eslint/no-require-imports -- untyped internals of @pulumi/pulumi and its gRPC runtime */
interface GrpcServer {
  addService(service: unknown, implementation: object): void;
  bindAsync(address: string, credentials: unknown, callback: (err: Error | null, port: number) => void): void;
  forceShutdown(): void;
}
interface EngineClient {
  log(request: unknown, callback: (err: (Error & { code?: number }) | null) => void): void;
  close(): void;
}
const grpc = require("@grpc/grpc-js") as {
  Server: new () => GrpcServer;
  ServerCredentials: { createInsecure(): unknown };
  credentials: { createInsecure(): unknown };
};
const engrpc = require("@pulumi/pulumi/proto/engine_grpc_pb") as {
  EngineService: unknown;
  EngineClient: new (address: string, credentials: unknown, options: object) => EngineClient;
};
const engproto = require("@pulumi/pulumi/proto/engine_pb") as { LogRequest: new () => unknown };
const { Empty } = require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };
const { grpcClientOptions } = require("@pulumi/pulumi/runtime/settings") as {
  grpcClientOptions: Record<string, unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** An engine log service on `port` (0: any free port) that accepts every message. */
async function engineOn(port: number): Promise<{ server: GrpcServer; port: number }> {
  const server = new grpc.Server();
  server.addService(engrpc.EngineService, {
    log: (_call: unknown, callback: (err: null, reply: unknown) => void) => callback(null, new Empty()),
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, port: bound };
}

/** One `Engine.Log` call: "ok", or the gRPC error's message. */
function logThrough(client: EngineClient): Promise<string> {
  return new Promise((resolve) =>
    client.log(new engproto.LogRequest(), (err) => resolve(err ? err.message : "ok")),
  );
}

/**
 * A program's client whose engine died and which tried it once more (what a failed operation's
 * program does), then a new engine on the same port and a new program's client to it: what does the
 * new client's first call get? Both clients are built as the Node runtime builds them.
 */
async function newClientAfterADeadOne(options: Record<string, unknown>): Promise<string> {
  const first = await engineOn(0);
  const address = `127.0.0.1:${first.port}`;
  const stale = new engrpc.EngineClient(address, grpc.credentials.createInsecure(), options);
  const clients = [stale];
  let second: GrpcServer | undefined;
  try {
    assert.equal(await logThrough(stale), "ok");
    first.server.forceShutdown();
    assert.match(await logThrough(stale), /UNAVAILABLE/);
    second = (await engineOn(first.port)).server;
    const fresh = new engrpc.EngineClient(address, grpc.credentials.createInsecure(), options);
    clients.push(fresh);
    return await logThrough(fresh);
  } finally {
    for (const client of clients) client.close();
    second?.forceShutdown();
  }
}

describe("e2e harness: each inline program's engine connections are its own", () => {
  it("the harness gives the Node runtime's clients their own connections", () => {
    assert.equal(programConnectionsIsolated(), true);
    assert.equal(grpcClientOptions[LOCAL_SUBCHANNEL_POOL], 1);
  });

  it("with them, a new program's first call reaches a new engine on the port of a dead one", async () => {
    assert.equal(await newClientAfterADeadOne(grpcClientOptions), "ok");
  });

  it("without them (the gRPC default), that first call fails at once: 14 UNAVAILABLE, no connection established", async () => {
    // The process-wide connection to the old address is still backing off after the dead engine
    // refused it; the new client shares it. This is how a preview of an invalid input once passed:
    // the program's first engine call failed this way and the runtime ended it before it registered
    // anything (docs/pulumi-engine-findings.md, "Many inline programs in one process").
    const shared = { ...grpcClientOptions, [LOCAL_SUBCHANNEL_POOL]: 0 };
    assert.match(await newClientAfterADeadOne(shared), /^14 UNAVAILABLE: No connection established/);
  });
});
