/**
 * The size a YAML document would have once its aliases and merge keys are expanded, measured on the
 * parsed nodes in one iterative pass (no recursion: the input may nest as deep as it likes), so a
 * file that would expand far beyond its own size is refused before it is expanded.
 */
import { isAlias, isCollection, isPair, isScalar, type Node, type Pair } from 'yaml';

export interface AstMeasure {
  /** Nodes written in the file (scalars, collections). */
  nodes: number;
  /** Nodes after expanding every alias (merge keys are aliases too) as a copy of its anchor. */
  expanded: number;
  /** Deepest nesting of collections. */
  depth: number;
  anchors: number;
  aliases: number;
  /** An alias refers to a node that contains it. */
  cyclic: boolean;
}

type Item = Node | Pair | null | undefined;
interface Frame {
  node: Item;
  depth: number;
  /** Set on the way out: the children's expanded sizes have been added. */
  exit: boolean;
}

export function measureAst(root: Item): AstMeasure {
  const m: AstMeasure = { nodes: 0, expanded: 0, depth: 0, anchors: 0, aliases: 0, cyclic: false };
  const latest = new Map<string, Node>(); // anchor name -> the last node carrying it, in document order
  const sizeOf = new Map<Node, number>(); // finished nodes' expanded sizes
  const open: number[] = []; // expanded size accumulated by each open collection
  const stack: Frame[] = [{ node: root, depth: 0, exit: false }];
  while (stack.length) {
    const f = stack.pop()!;
    const n = f.node;
    if (!n) continue;
    if (f.exit) {
      const size = 1 + open.pop()!;
      sizeOf.set(n as Node, size);
      add(open, size);
      continue;
    }
    if (isPair(n)) {
      stack.push({ node: n.value as Item, depth: f.depth, exit: false }, { node: n.key as Item, depth: f.depth, exit: false });
      continue;
    }
    const node = n as Node;
    if ('anchor' in node && typeof node.anchor === 'string' && node.anchor) {
      m.anchors++;
      latest.set(node.anchor, node);
    }
    if (isAlias(node)) {
      m.aliases++;
      const target = latest.get(node.source);
      const size = target === undefined ? 0 : sizeOf.get(target);
      if (size === undefined) m.cyclic = true;
      add(open, size ?? 0);
      continue;
    }
    m.nodes++;
    if (isScalar(node)) {
      sizeOf.set(node, 1);
      add(open, 1);
    } else if (isCollection(node)) {
      m.depth = Math.max(m.depth, f.depth + 1);
      open.push(0);
      stack.push({ node, depth: f.depth, exit: true });
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i] as Item, depth: f.depth + 1, exit: false });
    }
  }
  m.expanded = sizeOf.get(root as Node) ?? (isAlias(root) ? 0 : m.nodes);
  return m;
}

function add(open: number[], size: number): void {
  if (open.length) open[open.length - 1] += size;
}
