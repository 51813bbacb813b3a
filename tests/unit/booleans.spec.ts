/**
 * One boolean rule for every boolean setting: stack config (`elasticsearch-ml:insecure`, the stop flags,
 * and `insecure` inside a named connection), environment variables (`ELASTICSEARCH_INSECURE`, the
 * `ELASTICSEARCH_ML_*` stop flags, `ELASTICSEARCH_ML_TRACE`) and the client's `insecure` option.
 * `true`/`false` in any case and `1`/`0` are accepted; blank is unset; anything else is refused, naming the
 * key and the value. The table runs every value through every entry point.
 */
import * as assert from "node:assert/strict";
import { ConfigurationError, createClient } from "#sdk/client";
import { parseBooleanSetting } from "#sdk/client/booleans";
import { resolveConnectionSettings } from "#sdk/client/config";
import { parseProviderConfig } from "#sdk/provider/config";
import { stopFlagsFromConfig, stopFlagsFromEnv } from "#sdk/provider/stopFlags";
import { ProviderConfigError } from "pulumi-elasticsearch-ml/provider";

const ENDPOINT = "https://127.0.0.1:9200";

/** An entry point: reads `value` as the boolean setting it names. */
interface EntryPoint {
  key: string;
  errorClass: new (...args: never[]) => Error;
  /** Environment variables hold text only. */
  textOnly?: boolean;
  /** What a blank value reads as (unset: `undefined`, or the default the entry point applies). */
  blank: boolean | undefined;
  /** False when the setting cannot be read back (the trace): accepted then means "not refused". */
  readsBack?: false;
  read(value: string | boolean | number): boolean | undefined;
}

const entryPoints: EntryPoint[] = [
  {
    key: "elasticsearch-ml:force",
    errorClass: ProviderConfigError,
    blank: undefined,
    read: (value) =>
      stopFlagsFromConfig((key) => (key === "elasticsearch-ml:force" ? value : undefined)).force,
  },
  {
    key: "elasticsearch-ml:insecure",
    errorClass: ProviderConfigError,
    blank: undefined,
    read: (value) =>
      parseProviderConfig((key) => (key === "elasticsearch-ml:insecure" ? value : undefined))
        .defaultConnection.insecure as boolean | undefined,
  },
  {
    key: "elasticsearch-ml:connections.eu.insecure",
    errorClass: ProviderConfigError,
    blank: undefined,
    read: (value) =>
      parseProviderConfig((key) =>
        key === "elasticsearch-ml:connections"
          ? JSON.stringify({ eu: { endpoints: ENDPOINT, insecure: value } })
          : undefined,
      ).connections.eu.insecure as boolean | undefined,
  },
  {
    key: "ELASTICSEARCH_ML_FINISH_PENDING_WORK",
    errorClass: ProviderConfigError,
    textOnly: true,
    blank: undefined,
    read: (value) =>
      stopFlagsFromEnv({ ELASTICSEARCH_ML_FINISH_PENDING_WORK: String(value) }).finishPendingWork,
  },
  {
    key: "ELASTICSEARCH_INSECURE",
    errorClass: ConfigurationError,
    textOnly: true,
    blank: false,
    read: (value) =>
      resolveConnectionSettings(
        {},
        { ELASTICSEARCH_ENDPOINTS: ENDPOINT, ELASTICSEARCH_INSECURE: String(value) },
      ).tls.insecure,
  },
  {
    key: "insecure",
    errorClass: ConfigurationError,
    blank: false,
    read: (value) =>
      resolveConnectionSettings({ endpoints: [ENDPOINT], insecure: value as boolean }, {}).tls.insecure,
  },
  {
    key: "ELASTICSEARCH_ML_TRACE",
    errorClass: ConfigurationError,
    textOnly: true,
    blank: undefined,
    readsBack: false,
    read: (value) => {
      void createClient({ endpoints: [ENDPOINT] }, { ELASTICSEARCH_ML_TRACE: String(value) }).close();
      return undefined;
    },
  },
];

const accepted: [string | boolean | number, boolean][] = [
  ["true", true],
  ["TRUE", true],
  ["True", true],
  [" true ", true],
  ["1", true],
  ["false", false],
  ["FALSE", false],
  ["fAlSe", false],
  ["0", false],
  [true, true],
  [false, false],
  [1, true],
  [0, false],
];
const refused: (string | number)[] = ["yes", "no", "on", "off", "t", "f", "2", "-1", "1.0", "truthy", 2];

describe("one boolean rule for config, environment and stop flags", () => {
  it("the parser itself: unset is undefined, and the caller's error type carries the key", () => {
    const refuse = (key: string, message: string) => new ProviderConfigError(key, message);
    for (const unset of [undefined, null, "", "   "])
      assert.equal(parseBooleanSetting(unset, "k", refuse), undefined);
    assert.throws(() => parseBooleanSetting({ a: 1 }, "k", refuse), {
      key: "k",
      message: 'k: {"a":1} is not allowed; must be true or false (any case), 1 or 0, or unset',
    });
  });

  for (const point of entryPoints) {
    describe(point.key, () => {
      for (const [value, expected] of accepted) {
        if (point.textOnly && typeof value !== "string") continue;
        it(`${JSON.stringify(value)} is ${expected}`, () => {
          const read = point.read(value);
          if (point.readsBack !== false) assert.equal(read, expected);
        });
      }
      it("blank is unset", () => {
        assert.equal(point.read("  "), point.blank);
      });
      for (const value of refused) {
        if (point.textOnly && typeof value !== "string") continue;
        it(`${JSON.stringify(value)} is refused, naming the key and the value`, () => {
          assert.throws(
            () => point.read(value),
            (err: unknown) => {
              assert.ok(err instanceof point.errorClass, String(err));
              const message = (err as Error).message;
              assert.ok(message.includes(`${point.key}: ${JSON.stringify(value)} is not allowed`), message);
              assert.match(message, /must be true or false \(any case\), 1 or 0, or unset/);
              return true;
            },
          );
        });
      }
    });
  }
});
