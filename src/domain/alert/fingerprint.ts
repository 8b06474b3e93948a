/**
 * Alertmanager's alert fingerprint (prometheus/common `model/signature.go`), reproduced so an alert
 * keeps the same identity whether Alertmanager told us its fingerprint or we had to work it out from
 * the labels. It must match Alertmanager bit for bit: it is shown to operators next to amtool output.
 */
const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const SEPARATOR = 0xff;

const utf8 = new TextEncoder();

/** FNV-1a 64 over names sorted byte-wise, each label fed as name, 0xFF, value, 0xFF; `%016x`. */
export function alertmanagerFingerprint(labels: Record<string, string>): string {
  // Go sorts label names as UTF-8 bytes; JavaScript's default sort compares UTF-16 code units, which
  // orders astral characters before U+E000–U+FFFF. Sorting the encoded bytes avoids that mismatch.
  const entries = Object.entries(labels)
    .map(([name, value]) => ({ name: utf8.encode(name), value: utf8.encode(value) }))
    .sort((a, b) => Buffer.compare(a.name, b.name));

  let hash = FNV_OFFSET_BASIS;
  const feed = (byte: number): void => {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  };
  for (const { name, value } of entries) {
    for (const byte of name) feed(byte);
    feed(SEPARATOR);
    for (const byte of value) feed(byte);
    feed(SEPARATOR);
  }
  return hash.toString(16).padStart(16, '0');
}
