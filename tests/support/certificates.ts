/** Test certificates, shared by every suite that serves or checks TLS. */
import { generateKeyPairSync } from "node:crypto";
import selfsigned from "selfsigned";

/** A self-signed certificate usable as server certificate and as CA (SAN 127.0.0.1, localhost). */
export function selfSignedCertificate(commonName: string): { cert: string; key: string } {
  // node:crypto makes the key (native, fast); selfsigned only builds and signs the certificate.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  // `keyPair` is read by selfsigned 2.x but missing from its type declarations.
  const options: Parameters<typeof selfsigned.generate>[1] & {
    keyPair: { privateKey: string; publicKey: string };
  } = {
    days: 2,
    algorithm: "sha256",
    keyPair: { privateKey, publicKey },
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  };
  const pems = selfsigned.generate([{ name: "commonName", value: commonName }], options);
  return { cert: pems.cert, key: pems.private };
}
