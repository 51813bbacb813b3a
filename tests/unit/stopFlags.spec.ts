import * as assert from "node:assert/strict";
import {
  effectiveStopFlags,
  parseConfigBoolean,
  ProviderConfigError,
  resolveStopFlags,
  stopFlagsFromConfig,
  stopFlagsFromEnv,
  STOP_FLAG_CONFIG_KEYS,
  STOP_FLAG_ENV_VARS,
} from "#sdk/provider/stopFlags";
import { PULUMI_UNKNOWN, type StopFlags } from "#sdk/provider/inputs";

describe("stop flags", () => {
  describe("precedence: resource stop > provider config > unset", () => {
    const table: [string, StopFlags | undefined, StopFlags | undefined, StopFlags][] = [
      ["nothing set: nothing sent", undefined, undefined, {}],
      ["empty objects: nothing sent", {}, {}, {}],
      ["config only", undefined, { force: true, allowNoMatch: false }, { force: true, allowNoMatch: false }],
      ["resource only", { finishPendingWork: true }, undefined, { finishPendingWork: true }],
      ["resource true wins over config false", { force: true }, { force: false }, { force: true }],
      ["resource false wins over config true", { force: false }, { force: true }, { force: false }],
      [
        "per flag: unset resource flags fall through to config",
        { force: false },
        { force: true, finishPendingWork: true, allowNoMatch: true },
        { force: false, finishPendingWork: true, allowNoMatch: true },
      ],
      [
        "all three from the resource",
        { force: true, finishPendingWork: false, allowNoMatch: true },
        { force: false, finishPendingWork: true, allowNoMatch: false },
        { force: true, finishPendingWork: false, allowNoMatch: true },
      ],
      [
        "null or a leftover unknown in the resource counts as unset",
        { force: null, finishPendingWork: PULUMI_UNKNOWN } as unknown as StopFlags,
        { force: true, finishPendingWork: false },
        { force: true, finishPendingWork: false },
      ],
    ];
    for (const [name, resource, config, expected] of table) {
      it(name, () => {
        const flags = effectiveStopFlags(resource, config);
        assert.deepEqual(flags, expected);
        // "Not sent" means absent, not present-and-undefined: a query builder iterating keys sees none.
        assert.deepEqual(Object.keys(flags).sort(), Object.keys(expected).sort());
      });
    }
  });

  describe("reading provider config", () => {
    it("uses the elasticsearch-ml namespace keys", () => {
      assert.deepEqual(STOP_FLAG_CONFIG_KEYS, {
        force: "elasticsearch-ml:force",
        finishPendingWork: "elasticsearch-ml:finishPendingWork",
        allowNoMatch: "elasticsearch-ml:allowNoMatch",
      });
    });

    it("returns only the flags that are set", () => {
      const config: Record<string, string> = {
        "elasticsearch-ml:force": "true",
        "elasticsearch-ml:allowNoMatch": "false",
        "elasticsearch-ml:endpoints": "https://es:9200",
      };
      assert.deepEqual(
        stopFlagsFromConfig((key) => config[key]),
        { force: true, allowNoMatch: false },
      );
      assert.deepEqual(
        stopFlagsFromConfig(() => undefined),
        {},
      );
    });

    it("accepts booleans from typed config, and true/false in any case or 1/0 as text (one rule with the environment)", () => {
      assert.equal(parseConfigBoolean("elasticsearch-ml:force", true), true);
      assert.equal(parseConfigBoolean("elasticsearch-ml:force", false), false);
      // "True" was refused here while ELASTICSEARCH_ML_FORCE=True worked.
      assert.equal(parseConfigBoolean("elasticsearch-ml:force", "True"), true);
      assert.equal(parseConfigBoolean("elasticsearch-ml:force", "1"), true);
      assert.equal(parseConfigBoolean("elasticsearch-ml:force", " FALSE "), false);
      assert.equal(parseConfigBoolean("elasticsearch-ml:force", "0"), false);
      assert.equal(parseConfigBoolean("elasticsearch-ml:force", ""), undefined);
    });

    for (const bad of ["yes", "on", "2", "t"]) {
      it(`rejects ${JSON.stringify(bad)} with the key, the value and what is allowed`, () => {
        assert.throws(
          () =>
            stopFlagsFromConfig((key) => (key === "elasticsearch-ml:finishPendingWork" ? bad : undefined)),
          (error: unknown) => {
            assert.ok(error instanceof ProviderConfigError);
            assert.equal(error.code, "ERR_PROVIDER_CONFIG");
            assert.equal(error.name, "ProviderConfigError");
            assert.equal(error.key, "elasticsearch-ml:finishPendingWork");
            assert.equal(
              error.message,
              `elasticsearch-ml:finishPendingWork: ${JSON.stringify(bad)} is not allowed; ` +
                "must be true or false (any case), 1 or 0, or unset",
            );
            return true;
          },
        );
      });
    }

    it("rejects a number other than 1 or 0", () => {
      assert.throws(() => parseConfigBoolean("elasticsearch-ml:force", 2), {
        code: "ERR_PROVIDER_CONFIG",
        message:
          "elasticsearch-ml:force: 2 is not allowed; must be true or false (any case), 1 or 0, or unset",
      });
    });
  });

  describe("environment overrides (read when the stop runs)", () => {
    it("uses ELASTICSEARCH_ML_* names", () => {
      assert.deepEqual(STOP_FLAG_ENV_VARS, {
        force: "ELASTICSEARCH_ML_FORCE",
        finishPendingWork: "ELASTICSEARCH_ML_FINISH_PENDING_WORK",
        allowNoMatch: "ELASTICSEARCH_ML_ALLOW_NO_MATCH",
      });
    });

    it("parses true/false in any case and 1/0; blank or absent is unset", () => {
      assert.deepEqual(
        stopFlagsFromEnv({
          ELASTICSEARCH_ML_FORCE: "True",
          ELASTICSEARCH_ML_FINISH_PENDING_WORK: "0",
          ELASTICSEARCH_ML_ALLOW_NO_MATCH: "  ",
        }),
        { force: true, finishPendingWork: false },
      );
      assert.deepEqual(stopFlagsFromEnv({}), {});
    });

    it("rejects anything else, naming the variable", () => {
      assert.throws(() => stopFlagsFromEnv({ ELASTICSEARCH_ML_ALLOW_NO_MATCH: "no" }), {
        code: "ERR_PROVIDER_CONFIG",
        key: "ELASTICSEARCH_ML_ALLOW_NO_MATCH",
        message:
          'ELASTICSEARCH_ML_ALLOW_NO_MATCH: "no" is not allowed; must be true or false (any case), 1 or 0, or unset',
      });
    });
  });

  describe("full precedence: environment > resource > config > unset", () => {
    const table: [string, StopFlags, StopFlags | undefined, StopFlags, StopFlags, Record<string, string>][] =
      [
        ["nothing anywhere", {}, undefined, {}, {}, {}],
        [
          "env beats resource and config",
          { force: true },
          { force: false },
          { force: false },
          { force: true },
          { force: "environment" },
        ],
        [
          "env false beats config true",
          { force: false },
          undefined,
          { force: true },
          { force: false },
          { force: "environment" },
        ],
        [
          "per flag, each from its own source",
          { allowNoMatch: false },
          { finishPendingWork: true },
          { force: true, finishPendingWork: false, allowNoMatch: true },
          { force: true, finishPendingWork: true, allowNoMatch: false },
          { force: "config", finishPendingWork: "resource", allowNoMatch: "environment" },
        ],
      ];
    for (const [name, env, resource, config, flags, sources] of table) {
      it(name, () => {
        const resolved = resolveStopFlags(env, resource, config);
        assert.deepEqual(resolved.flags, flags);
        assert.deepEqual(resolved.sources, sources);
      });
    }
  });
});
