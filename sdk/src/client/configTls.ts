/**
 * TLS: the CA to trust (file or PEM text, or a fingerprint instead), the client certificate and key for
 * mutual TLS, and `insecure`, checked against each other and against the endpoints' schemes.
 */
import { parseBooleanSetting } from "./booleans";
import { type ConnectionOptions, ENV_VARS, type Endpoint, type TlsSettings } from "./configOptions";
import {
  type Env,
  type FileReader,
  type Sourced,
  configurationError,
  fromEnv,
  fromExplicit,
  requireString,
  show,
} from "./configSources";
import { ConfigurationError } from "./errors";
import { Secret } from "./secret";

/** Normalises a SHA-256 fingerprint to `AB:CD:…` (Node's `fingerprint256` format), or throws naming `setting`. */
export function normalizeFingerprint(value: string, setting = "caFingerprint"): string {
  const trimmed = value.trim();
  const plain = /^[0-9a-f]{64}$/i.test(trimmed);
  const colons = /^(?:[0-9a-f]{2}:){31}[0-9a-f]{2}$/i.test(trimmed);
  if (!plain && !colons) {
    const hex = trimmed.replace(/:/g, "");
    const sha1 = /^[0-9a-f]{40}$/i.test(hex)
      ? " (this looks like a SHA-1 fingerprint; only SHA-256 is accepted)"
      : "";
    throw new ConfigurationError(
      setting,
      `${setting}: ${show(trimmed)} is not a SHA-256 fingerprint${sha1}; expected 64 hex digits, ` +
        "optionally as colon-separated pairs (e.g. from `openssl x509 -fingerprint -sha256`)",
    );
  }
  const hex = trimmed.replace(/:/g, "").toUpperCase();
  return hex.match(/.{2}/g)!.join(":");
}

function readPemFile(
  path: Sourced<unknown>,
  readFile: FileReader,
  kind: "certificate" | "private key",
): string {
  const file = requireString(path);
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      path.setting,
      `${path.setting}: cannot read ${show(file)} (${code ?? (err as Error).message}); expected a readable PEM file`,
      { cause: err },
    );
  }
  checkPem(text, kind, `${path.setting} (${show(file)})`, path.setting);
  return text;
}

function checkPem(text: string, kind: "certificate" | "private key", where: string, setting: string): void {
  const ok =
    kind === "certificate"
      ? /-----BEGIN CERTIFICATE-----/.test(text)
      : /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
  if (!ok) {
    const marker = kind === "certificate" ? "-----BEGIN CERTIFICATE-----" : "-----BEGIN … PRIVATE KEY-----";
    throw new ConfigurationError(
      setting,
      `${where} does not contain a PEM ${kind}; expected a block starting with ${marker}`,
    );
  }
}

function pemFromPair(
  fileOpt: Sourced<unknown> | undefined,
  dataOpt: Sourced<unknown> | undefined,
  readFile: FileReader,
  kind: "certificate" | "private key",
): string | undefined {
  if (fileOpt && dataOpt) {
    throw new ConfigurationError(
      dataOpt.setting,
      `${fileOpt.setting} and ${dataOpt.setting} are both set; set one of them`,
    );
  }
  if (fileOpt) return readPemFile(fileOpt, readFile, kind);
  if (dataOpt) {
    const text = requireString(dataOpt);
    checkPem(text, kind, dataOpt.setting, dataOpt.setting);
    return text;
  }
  return undefined;
}

export function resolveTls(
  explicit: ConnectionOptions,
  env: Env,
  endpoints: readonly Endpoint[],
  readFile: FileReader,
): TlsSettings {
  const explicitCaFile = fromExplicit<unknown>(explicit.caFile, "caFile");
  const explicitCaData = fromExplicit<unknown>(explicit.caData, "caData");
  const [caFile, caData] =
    explicitCaFile || explicitCaData
      ? [explicitCaFile, explicitCaData]
      : [fromEnv(env, ENV_VARS.caFile), undefined];
  const ca = pemFromPair(caFile, caData, readFile, "certificate");

  const cert = pemFromPair(
    fromExplicit<unknown>(explicit.certFile, "certFile"),
    fromExplicit<unknown>(explicit.certData, "certData"),
    readFile,
    "certificate",
  );
  const key = pemFromPair(
    fromExplicit<unknown>(explicit.keyFile, "keyFile"),
    fromExplicit<unknown>(explicit.keyData, "keyData"),
    readFile,
    "private key",
  );
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? "certFile or certData" : "keyFile or keyData";
    const present = cert === undefined ? "a client key" : "a client certificate";
    throw new ConfigurationError(
      cert === undefined ? "certFile" : "keyFile",
      `Mutual TLS needs both a client certificate and its key: ${present} is set, so set ${missing} as well`,
    );
  }

  const fp =
    fromExplicit<unknown>(explicit.caFingerprint, "caFingerprint") ?? fromEnv(env, ENV_VARS.caFingerprint);
  const caFingerprint = fp ? normalizeFingerprint(requireString(fp), fp.setting) : undefined;

  const insecureOpt = fromExplicit<unknown>(explicit.insecure, "insecure") ?? fromEnv(env, ENV_VARS.insecure);
  const insecure =
    parseBooleanSetting(insecureOpt?.value, insecureOpt?.setting ?? "insecure", configurationError) ?? false;

  if (insecure && insecureOpt) {
    const verifying = [fp?.setting, caFile?.setting, caData?.setting].filter((s): s is string => !!s);
    if (verifying.length > 0) {
      throw new ConfigurationError(
        insecureOpt.setting,
        `${insecureOpt.setting} turns certificate verification off, but ${verifying.join(" and ")} ` +
          "asks for it; set one or the other",
      );
    }
  }

  const tlsSettings = [
    caFile?.setting,
    caData?.setting,
    cert !== undefined ? "client certificate" : undefined,
    fp?.setting,
    insecure ? insecureOpt?.setting : undefined,
  ].filter((s): s is string => !!s);
  if (tlsSettings.length > 0 && !endpoints.some((e) => e.protocol === "https:")) {
    throw new ConfigurationError(
      tlsSettings[0],
      `${tlsSettings.join(", ")} ${tlsSettings.length === 1 ? "configures" : "configure"} TLS, but no endpoint uses https (${endpoints.map((e) => e.url).join(", ")}); ` +
        "use https:// endpoints or drop the TLS settings",
    );
  }
  return { ca, cert, key: key === undefined ? undefined : new Secret(key), caFingerprint, insecure };
}
