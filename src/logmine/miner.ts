import { createHash } from 'node:crypto';
import { maskShape, WILDCARD } from './masking.js';

/** What the miner tells about one line. */
export interface MineResult {
  /** Stable for the life of the template: generalizing the template never changes it. */
  readonly id: string;
  readonly template: string;
  /** `created`: first line of a new template; `generalized`: the template gained a `<*>`. */
  readonly change: 'created' | 'generalized' | 'none';
}

/** A template as the miner keeps it (and persists it). */
export interface TemplateRecord {
  id: string;
  template: string;
  count: number;
}

export interface MinerOptions {
  /** Templates kept; beyond it the least recently matched one is dropped (memory stays bounded). */
  maxTemplates?: number;
  /** Masked lines remembered for the exact-shape shortcut. */
  cacheSize?: number;
}

interface Cluster {
  id: string;
  tokens: string[];
  /** `tokens` joined: returned with every line, so kept rather than joined per line. */
  text: string;
  count: number;
  /** Lines matched since the last `takeCounts`. */
  unsaved: number;
  /** Tick of the last match: the eviction order. */
  used: number;
  bucket: Bucket;
  live: boolean;
}

/** Templates of one length and first token; `version` moves whenever one is added or generalized. */
interface Bucket {
  key: string;
  clusters: Cluster[];
  version: number;
}

/** A masked line seen before and the template it went to, valid while its bucket is unchanged. */
interface Shape {
  cluster: Cluster;
  version: number;
}

const DEFAULTS: Required<MinerOptions> = { maxTemplates: 50_000, cacheSize: 100_000 };

/**
 * How many of a template's tokens a line must share to join it: short messages need a closer match
 * (a 2-token message differing in one token is as likely another statement as a parameter).
 */
function threshold(length: number): number {
  if (length <= 1) return 1;
  if (length === 2) return 0.5;
  if (length === 3) return 0.7;
  if (length === 4) return 0.66;
  return 0.5;
}

/**
 * A streaming log template miner of the Drain family. A line is masked (masking.ts), runs of
 * wildcards collapse (a list of any length is one parameter), and its shape is looked up exactly
 * first (most lines of a known statement have a shape seen before); otherwise it is compared with
 * the templates of the same length and first token and joins the most similar one above the
 * threshold (ties to the smaller id), or starts a new template. Ids are derived from the shape of
 * a template's first line, so replaying the same input gives the same ids and a template keeps its
 * id as it generalizes. Which template a line joins depends only on the templates held and the
 * line (a remembered shape is checked again once its bucket changes), so miners holding the same
 * templates decide alike: what several ingest processes rely on (catalogue-miner.ts).
 */
export class TemplateMiner {
  private readonly options: Required<MinerOptions>;
  private readonly byId = new Map<string, Cluster>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly shapes = new Map<string, Shape>();
  /** Templates matched since the last `takeCounts`. */
  private counted: Cluster[] = [];
  /** Templates created or generalized since the last `takeReshaped`. */
  private readonly reshaped = new Set<Cluster>();
  private tick = 0;

  constructor(options: MinerOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  get size(): number {
    return this.byId.size;
  }

  add(message: string): MineResult {
    return this.mine(message, true) as MineResult;
  }

  /**
   * Mines the line only if it fits a template held as it is; otherwise changes nothing and returns
   * undefined (the caller then creates or generalizes under the shared catalogue's lock).
   */
  tryAdd(message: string): MineResult | undefined {
    return this.mine(message, false);
  }

  private mine(message: string, mayChange: boolean): MineResult | undefined {
    const shape = maskShape(message);
    const known = this.shapes.get(shape);
    if (known?.cluster.live && known.version === known.cluster.bucket.version) {
      return this.hit(known.cluster, 'none');
    }
    const tokens = shape === '' ? [] : shape.split(' ');
    const key = `${tokens.length} ${firstKey(tokens)}`;
    const bucket = this.buckets.get(key);
    const best = bucket === undefined ? undefined : bestMatch(bucket.clusters, tokens);
    if (best !== undefined && covers(best.tokens, tokens)) {
      this.remember(shape, best);
      return this.hit(best, 'none');
    }
    if (!mayChange) return undefined;
    let change: MineResult['change'];
    let cluster: Cluster;
    if (best === undefined) {
      cluster = this.insert(this.newId(shape), tokens, 0);
      change = 'created';
      if (this.byId.size > this.options.maxTemplates) this.evict();
    } else {
      cluster = best;
      generalize(cluster.tokens, tokens);
      cluster.text = cluster.tokens.join(' ');
      cluster.bucket.version++;
      change = 'generalized';
    }
    this.reshaped.add(cluster);
    this.remember(shape, cluster);
    return this.hit(cluster, change);
  }

  private hit(cluster: Cluster, change: MineResult['change']): MineResult {
    cluster.count++;
    if (cluster.unsaved++ === 0) this.counted.push(cluster);
    cluster.used = ++this.tick;
    return { id: cluster.id, template: cluster.text, change };
  }

  private insert(id: string, tokens: string[], count: number): Cluster {
    const key = `${tokens.length} ${firstKey(tokens)}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { key, clusters: [], version: 0 };
      this.buckets.set(key, bucket);
    }
    const cluster: Cluster = {
      id,
      tokens,
      text: tokens.join(' '),
      count,
      unsaved: 0,
      used: this.tick,
      bucket,
      live: true,
    };
    bucket.clusters.push(cluster);
    bucket.version++;
    this.byId.set(id, cluster);
    return cluster;
  }

  /** Templates that changed or matched since the last call, with their total counts. */
  takeChanges(): TemplateRecord[] {
    const out = new Map<string, TemplateRecord>();
    for (const c of this.takeReshaped()) out.set(c.id, c);
    for (const { id } of this.takeCounts()) {
      const c = this.byId.get(id);
      if (c !== undefined) out.set(id, record(c));
    }
    return [...out.values()];
  }

  /** Templates created or generalized since the last call: what the shared catalogue must learn. */
  takeReshaped(): TemplateRecord[] {
    const out = [...this.reshaped].filter((c) => c.live).map(record);
    this.reshaped.clear();
    return out;
  }

  /** Lines matched per template since the last call (counts from several miners add up). */
  takeCounts(): { id: string; template: string; added: number }[] {
    const out: { id: string; template: string; added: number }[] = [];
    for (const c of this.counted) {
      if (c.live && c.unsaved > 0) out.push({ id: c.id, template: c.text, added: c.unsaved });
      c.unsaved = 0;
    }
    this.counted = [];
    return out;
  }

  templates(): TemplateRecord[] {
    return [...this.byId.values()].map(record);
  }

  /**
   * Puts back templates saved earlier (restart), or learns what other miners created or
   * generalized: a known id takes the given template (the catalogue's is the more general one),
   * an unknown id is added. Counts go on from the stored ones.
   */
  load(records: Iterable<TemplateRecord>): void {
    for (const r of records) {
      const tokens = r.template === '' ? [] : r.template.split(' ');
      const held = this.byId.get(r.id);
      if (held === undefined) {
        this.insert(r.id, tokens, r.count);
      } else if (held.text !== r.template && tokens.length === held.tokens.length) {
        held.tokens = tokens;
        held.text = r.template;
        held.bucket.version++;
      }
    }
    if (this.byId.size > this.options.maxTemplates) this.evict();
  }

  private remember(shape: string, cluster: Cluster): void {
    if (this.shapes.size >= this.options.cacheSize) {
      // Map iteration is insertion order: drop the oldest shape (a re-seen shape is re-inserted).
      const oldest = this.shapes.keys().next().value;
      if (oldest !== undefined) this.shapes.delete(oldest);
    }
    this.shapes.delete(shape);
    this.shapes.set(shape, { cluster, version: cluster.bucket.version });
  }

  private newId(shape: string): string {
    const digest = createHash('sha1').update(shape).digest('hex');
    // Two shapes with the same 12-digit prefix are astronomically rare; take more digits if so.
    for (let n = 12; n <= digest.length; n += 4) {
      const id = `t${digest.slice(0, n)}`;
      if (!this.byId.has(id)) return id;
    }
    return `t${digest}-${this.byId.size}`;
  }

  /** Drops the least recently matched twentieth at once, so a flood of new shapes costs O(1) each. */
  private evict(): void {
    const all = [...this.byId.values()].sort((a, b) => a.used - b.used);
    const drop = Math.max(1, Math.floor(this.options.maxTemplates / 20));
    for (const victim of all.slice(0, drop)) {
      this.byId.delete(victim.id);
      this.reshaped.delete(victim);
      victim.live = false;
      const bucket = victim.bucket;
      const at = bucket.clusters.indexOf(victim);
      if (at >= 0) bucket.clusters.splice(at, 1);
      bucket.version++;
      if (bucket.clusters.length === 0) this.buckets.delete(bucket.key);
    }
  }
}

function record(c: Cluster): TemplateRecord {
  return { id: c.id, template: c.text, count: c.count };
}

function firstKey(tokens: readonly string[]): string {
  const first = tokens[0];
  if (first === undefined) return '';
  return first.includes(WILDCARD) ? WILDCARD : first;
}

function bestMatch(bucket: readonly Cluster[], tokens: readonly string[]): Cluster | undefined {
  const needed = threshold(tokens.length);
  let best: Cluster | undefined;
  let bestScore = -1;
  for (const cluster of bucket) {
    const score = similarity(cluster.tokens, tokens);
    if (
      score >= needed &&
      (score > bestScore || (score === bestScore && cluster.id < (best as Cluster).id))
    ) {
      best = cluster;
      bestScore = score;
    }
  }
  return best;
}

function similarity(template: readonly string[], tokens: readonly string[]): number {
  let same = 0;
  let words = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = template[i] as string;
    const u = tokens[i] as string;
    if (t === u) same++;
    else if (t !== WILDCARD) {
      const verdict = mayDiffer(t, u, tokens[i - 1]);
      // One word may be a name; two words changing at once are another sentence.
      if (verdict === 'no' || (verdict === 'word' && ++words > 1)) return 0;
    }
  }
  return tokens.length === 0 ? 1 : same / tokens.length;
}

const WORD = /[A-Za-z]/;
const LOWER_WORD = /^[a-z]+$/;
const SYMBOL = /^[A-Za-z]+$/;
const LETTERS = /[A-Za-z]{2}/;
const INDEXED_NAME = /^[A-Za-z]{2,}<\*>$/;
/** A capitalized or upper-case word leading a token: `Paused`, `HIGHMEM`, `LOGIN(uid=<*>)`. */
const NAME = /^[^A-Za-z<]*[A-Z][A-Za-z]+(?:[^A-Za-z0-9<]|$)/;

/**
 * Whether a template's constant token and a line's token at the same place can be one parameter.
 * Masking already turned numbers, ids, addresses and paths into wildcards, so what is left to judge
 * is mostly words, and a word is taken to be part of the statement unless it sits where names sit:
 * - two plain words may differ only right after a lower-case word (`for user cyrus` / `for user
 *   news`, `removing chargen` / `removing echo`), never after `to` (`to spawn` / `to destroy`), and
 *   neither may be capitalized (`VM Paused` / `VM Resumed`, `(reserved)` / `(usable)`);
 * - a `key=value` with a symbolic value is a constant (`user=root` / `user=guest`, `tty=NODEVssh`);
 * - at most one such word per line (`data source name` / `trusted host name` is another sentence);
 * - a token is not the same token with a capitalized qualifier glued on (`(uid=0)` / `LOGIN(uid=0)`),
 *   nor a name the same place as a token with another word in it (`HTTPS` / `SOCKS5`).
 */
function mayDiffer(t: string, u: string, previous: string | undefined): 'no' | 'word' | 'value' {
  if (symbolicValueDiffers(t, u)) return 'no';
  const tWord = !t.includes(WILDCARD) && WORD.test(t);
  const uWord = !u.includes(WILDCARD) && WORD.test(u);
  if (tWord && uWord) {
    if (NAME.test(t) || NAME.test(u) || isSymbolicPair(t) || isSymbolicPair(u)) return 'no';
    return previous !== undefined && previous !== 'to' && LOWER_WORD.test(previous) ? 'word' : 'no';
  }
  // A name against a token that keeps another word beside its parameter (`HTTPS` / `SOCKS<*>`).
  if (
    tWord !== uWord &&
    NAME.test(tWord ? t : u) &&
    LETTERS.test((tWord ? u : t).replaceAll(WILDCARD, ' '))
  ) {
    return 'no';
  }
  // Two names of different things, each with an index: `alt<*>` / `ee<*>` (`alt0`, `ee0`).
  if (INDEXED_NAME.test(t) && INDEXED_NAME.test(u)) return 'no';
  // `LOGIN(uid=<*>)` is `(uid=<*>)` with a qualifier in front: another statement.
  const [long, short] = t.length > u.length ? [t, u] : [u, t];
  if (long.endsWith(short) && NAME.test(long.slice(0, long.length - short.length))) return 'no';
  return 'value';
}

function isSymbolicPair(token: string): boolean {
  const eq = token.indexOf('=');
  return eq > 0 && eq < token.length - 1 && SYMBOL.test(token.slice(eq + 1));
}

/** `user=root` against `user=guest` or `user=<*>`: the same key with a symbolic value on one side. */
function symbolicValueDiffers(t: string, u: string): boolean {
  const eq = t.indexOf('=');
  if (eq <= 0 || u.indexOf('=') !== eq || !u.startsWith(t.slice(0, eq))) return false;
  return SYMBOL.test(t.slice(eq + 1)) || SYMBOL.test(u.slice(eq + 1));
}

/** Whether the template holds the line as it is (every constant of it is the line's token). */
function covers(template: readonly string[], tokens: readonly string[]): boolean {
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== tokens[i] && template[i] !== WILDCARD) return false;
  }
  return true;
}

/** Turns the positions where the line differs into wildcards. */
function generalize(template: string[], tokens: readonly string[]): void {
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== tokens[i] && template[i] !== WILDCARD) template[i] = WILDCARD;
  }
}
