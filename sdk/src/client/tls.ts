/**
 * Certificate fingerprint pinning, as a pure check over the peer certificate chain that Node reports
 * (`tlsSocket.getPeerCertificate(true)`): the leaf, or any certificate above it, may match.
 * Pinning a CA (Elasticsearch's auto-generated `http_ca.crt`) therefore works as long as the server
 * sends that CA in its chain, as Elasticsearch's auto-configured HTTP certificate does.
 */

/** The fields of Node's `DetailedPeerCertificate` that pinning needs. */
export interface PeerCertificateLike {
  fingerprint256?: string;
  issuerCertificate?: PeerCertificateLike | null;
}

/** The SHA-256 fingerprints of `cert` and its issuers, leaf first (stops at a self-signed root). */
export function chainFingerprints(cert: PeerCertificateLike | null | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<PeerCertificateLike>();
  for (let c = cert; c && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    if (c.fingerprint256) out.push(c.fingerprint256.toUpperCase());
  }
  return out;
}

/** True when `fingerprint` (normalised `AB:CD:…`) matches a certificate in the chain. */
export function chainMatchesFingerprint(
  cert: PeerCertificateLike | null | undefined,
  fingerprint: string,
): boolean {
  return chainFingerprints(cert).includes(fingerprint.toUpperCase());
}
