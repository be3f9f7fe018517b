/** An IP address as flow records carry it: its text form and its network-order bytes (4 or 16). */
export interface IpAddress {
  text: string;
  bytes: Uint8Array;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function ipv4Bytes(text: string): Uint8Array | undefined {
  const m = IPV4_RE.exec(text);
  if (m === null) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(m[i + 1]);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** The 16-bit groups of one side of `::`; an IPv4 tail counts as two groups. */
function ipv6Groups(part: string): number[] | undefined {
  if (part === '') return [];
  const out: number[] = [];
  const pieces = part.split(':');
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (i === pieces.length - 1 && p.includes('.')) {
      const v4 = ipv4Bytes(p);
      if (v4 === undefined) return undefined;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(Number.parseInt(p, 16));
    }
  }
  return out;
}

function ipv6Bytes(input: string): Uint8Array | undefined {
  const zone = input.indexOf('%');
  const text = zone === -1 ? input : input.slice(0, zone);
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = ipv6Groups(halves[0]!);
  const tail = halves.length === 2 ? ipv6Groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = all[i]! >> 8;
    out[i * 2 + 1] = all[i]! & 0xff;
  }
  return out;
}

function render(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best === -1) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * Parses an address as flow exporters write it: dotted IPv4, IPv6 (with `::`, an IPv4 tail or a
 * zone), or the base64 of its 4 or 16 bytes (goflow2's protobuf-JSON rendering of `bytes`).
 */
export function parseIp(value: unknown): IpAddress | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const v4 = ipv4Bytes(value);
  if (v4 !== undefined) return { text: value, bytes: v4 };
  if (value.includes(':')) {
    const v6 = ipv6Bytes(value);
    return v6 === undefined ? undefined : { text: value, bytes: v6 };
  }
  if ((value.length === 8 || value.length === 24) && BASE64_RE.test(value)) {
    const bytes = new Uint8Array(Buffer.from(value, 'base64'));
    if (bytes.length === 4 || bytes.length === 16) return { text: render(bytes), bytes };
  }
  return undefined;
}
