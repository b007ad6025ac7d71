/**
 * What grew between two V8 heap snapshots (for instance the two `npm run bench:soak -- --heap-snapshots DIR` writes).
 *
 *   node --import tsx scripts/heap-diff.mts BEFORE.heapsnapshot AFTER.heapsnapshot [--top 25] [--by-retainers 3]
 *
 * Groups the nodes of each snapshot by (type, constructor or name) and prints the groups whose self size grew most,
 * (with --by-retainers N, by that and the chain of their first N retainers, which names the owner of what grew),
 * then the largest single objects of AFTER with the objects that hold each (a chain of first retainers and the
 * edges' names), which is usually enough to name the owner of a growing array or map. Self sizes only: a Map's entries sit in
 * its backing store, which V8 reports as a separate node ("(object elements)", "system / ...").
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Group {
  count: number;
  bytes: number;
}

const USAGE = 'usage: node --import tsx scripts/heap-diff.mts BEFORE.heapsnapshot AFTER.heapsnapshot [--top N] [--by-retainers DEPTH]';

function load(path: string): Snapshot {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read (${err instanceof Error ? err.message : String(err)})`);
  }
  let snap: Snapshot;
  try {
    snap = JSON.parse(text) as Snapshot;
  } catch (err) {
    throw new Error(`${path}: not a heap snapshot (JSON: ${err instanceof Error ? err.message : String(err)})`);
  }
  if (!snap?.snapshot?.meta?.node_fields || !Array.isArray(snap.nodes) || !Array.isArray(snap.edges) || !Array.isArray(snap.strings)) {
    throw new Error(`${path}: not a heap snapshot (no snapshot.meta.node_fields, nodes, edges and strings)`);
  }
  return snap;
}

/** Column indexes of the fields this script reads; a snapshot without one of them is refused by name. */
function columns(snap: Snapshot, path: string) {
  const nf = snap.snapshot.meta.node_fields;
  const ef = snap.snapshot.meta.edge_fields;
  const need = (fields: string[], name: string) => {
    const i = fields.indexOf(name);
    if (i < 0) throw new Error(`${path}: the snapshot has no ${name} field`);
    return i;
  };
  return {
    nodeWidth: nf.length,
    type: need(nf, 'type'),
    name: need(nf, 'name'),
    selfSize: need(nf, 'self_size'),
    edgeCount: need(nf, 'edge_count'),
    edgeWidth: ef.length,
    edgeType: need(ef, 'type'),
    edgeName: need(ef, 'name_or_index'),
    toNode: need(ef, 'to_node'),
  };
}

function groupKey(snap: Snapshot, c: ReturnType<typeof columns>, at: number): string {
  const type = snap.snapshot.meta.node_types[0][snap.nodes[at + c.type]!]!;
  // Strings and numbers by type alone: their "name" is their content.
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'heap number') return `(${type})`;
  return `${type}: ${snap.strings[snap.nodes[at + c.name]!]!.slice(0, 80)}`;
}

/** First non-weak retainer of every node and the name of the edge (element and hidden indexes as `[]`). */
function retainers(snap: Snapshot, c: ReturnType<typeof columns>): { by: Int32Array; edge: string[] } {
  const nodeCount = snap.nodes.length / c.nodeWidth;
  const by = new Int32Array(nodeCount).fill(-1);
  const edge = new Array<string>(nodeCount);
  const edgeTypes = snap.snapshot.meta.edge_types[0];
  let edgeAt = 0;
  for (let n = 0; n < nodeCount; n++) {
    const edges = snap.nodes[n * c.nodeWidth + c.edgeCount]!;
    for (let e = 0; e < edges; e++, edgeAt += c.edgeWidth) {
      const type = edgeTypes[snap.edges[edgeAt + c.edgeType]!]!;
      if (type === 'weak') continue;
      const to = snap.edges[edgeAt + c.toNode]! / c.nodeWidth;
      if (by[to] !== -1) continue;
      by[to] = n;
      edge[to] = type === 'element' || type === 'hidden' ? '[]' : `.${snap.strings[snap.edges[edgeAt + c.edgeName]!]}`;
    }
  }
  return { by, edge };
}

/**
 * Nodes grouped by (type, name) or, with `depth` > 0, by that and the chain of their first `depth` retainers: a
 * growing Map's keys then show up as "(string) <- [] of array <- .table of object: Map <- .sizes of ...".
 */
function groups(snap: Snapshot, path: string, depth = 0): Map<string, Group> {
  const c = columns(snap, path);
  const r = depth > 0 ? retainers(snap, c) : null;
  const out = new Map<string, Group>();
  for (let at = 0; at < snap.nodes.length; at += c.nodeWidth) {
    let key = groupKey(snap, c, at);
    if (r) {
      for (let n = at / c.nodeWidth, d = 0; d < depth && r.by[n]! >= 0; d++, n = r.by[n]!) key += ` <- ${r.edge[n]} of ${groupKey(snap, c, r.by[n]! * c.nodeWidth)}`;
    }
    const g = out.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += snap.nodes[at + c.selfSize]!;
    out.set(key, g);
  }
  return out;
}

/** The largest objects of a snapshot, each with its chain of first retainers (weak edges skipped). */
function largest(snap: Snapshot, path: string, top: number): string[] {
  const c = columns(snap, path);
  const nodeCount = snap.nodes.length / c.nodeWidth;
  const r = retainers(snap, c);
  const order = Array.from({ length: nodeCount }, (_, n) => n).sort(
    (a, b) => snap.nodes[b * c.nodeWidth + c.selfSize]! - snap.nodes[a * c.nodeWidth + c.selfSize]!,
  );
  return order.slice(0, top).map((n) => {
    const size = snap.nodes[n * c.nodeWidth + c.selfSize]!;
    // Up to four levels: an ArrayBuffer's owner is two or three objects up.
    const chain: string[] = [];
    for (let at = n, depth = 0; depth < 4 && r.by[at]! >= 0; depth++, at = r.by[at]!) {
      chain.push(`${r.edge[at]} of ${groupKey(snap, c, r.by[at]! * c.nodeWidth)}`);
    }
    const held = chain.length ? `held as ${chain.join(', as ')}` : 'a root';
    return `${(size / 1024).toFixed(0).padStart(9)} KiB  ${groupKey(snap, c, n * c.nodeWidth)}  (${held})`;
  });
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string' }, 'by-retainers': { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 2) throw new Error(`expected two snapshot files, got ${positionals.length}\n${USAGE}`);
  const top = values.top === undefined ? 25 : Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new Error(`--top must be a positive integer, got '${values.top}'`);
  const depth = values['by-retainers'] === undefined ? 0 : Number(values['by-retainers']);
  if (!Number.isInteger(depth) || depth < 0 || depth > 8) throw new Error(`--by-retainers must be an integer from 0 to 8, got '${values['by-retainers']}'`);
  const [beforePath, afterPath] = positionals as [string, string];
  const before = load(beforePath);
  const beforeGroups = groups(before, beforePath, depth);
  const after = load(afterPath);
  const afterGroups = groups(after, afterPath, depth);

  const sum = (m: Map<string, Group>) => [...m.values()].reduce((s, g) => s + g.bytes, 0);
  const MIB = 1024 * 1024;
  process.stdout.write(`self sizes: ${(sum(beforeGroups) / MIB).toFixed(1)} MiB -> ${(sum(afterGroups) / MIB).toFixed(1)} MiB\n\n`);
  const keys = new Set([...beforeGroups.keys(), ...afterGroups.keys()]);
  const rows = [...keys].map((k) => {
    const b = beforeGroups.get(k) ?? { count: 0, bytes: 0 };
    const a = afterGroups.get(k) ?? { count: 0, bytes: 0 };
    return { k, dBytes: a.bytes - b.bytes, dCount: a.count - b.count, bytes: a.bytes, count: a.count };
  });
  rows.sort((x, y) => Math.abs(y.dBytes) - Math.abs(x.dBytes));
  process.stdout.write('   change KiB   change count     now KiB   now count  group\n');
  for (const r of rows.slice(0, top)) {
    process.stdout.write(`${(r.dBytes / 1024).toFixed(1).padStart(13)} ${String(r.dCount).padStart(14)} ${(r.bytes / 1024).toFixed(0).padStart(11)} ${String(r.count).padStart(11)}  ${r.k}\n`);
  }
  process.stdout.write(`\nlargest objects in ${afterPath}:\n${largest(after, afterPath, Math.min(top, 15)).join('\n')}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`heap-diff: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
