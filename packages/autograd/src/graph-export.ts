import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import type { Var } from "./var.js";

/** One node of an exported graph. */
export interface GraphNode {
  /** The Var's id, unique in the graph. */
  id: number;
  /** The op that made the node ("param", "matmul", "svmLoss", …). */
  op: string;
  /** The value's shape. */
  shape: number[];
  /** The value's dtype. */
  dtype: core.DType;
  /** Whether gradients flow to the node. */
  requiresGrad: boolean;
  /** The ids of the node's inputs, in order. */
  inputs: number[];
  /** Extra attributes the op recorded (axis, delta, …). */
  attributes: Record<string, unknown>;
}

/** Every node reachable from `root` through inputs, each once, inputs first. */
function reachable(root: Var): Var[] {
  const seen = new Set<Var>([root]);
  const stack = [root];
  while (stack.length > 0) {
    for (const input of stack.pop()!.inputs) {
      if (!seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/** The graph below `root` as plain JSON: nodes (inputs first) with their op, shape, dtype and input ids. */
export function graphToJSON(root: Var): {
  /** The id of the root. */
  root: number;
  /** Every node reachable from the root, each once, inputs before the nodes that use them. */
  nodes: GraphNode[];
} {
  return {
    root: root.id,
    nodes: reachable(root).map((node) => ({
      id: node.id,
      op: node.op,
      shape: [...node.shape],
      dtype: node.dtype,
      requiresGrad: node.requiresGrad,
      inputs: node.inputs.map((x) => x.id),
      attributes: JSON.parse(JSON.stringify(node.attributes)) as Record<string, unknown>,
    })),
  };
}

/**
 * The graph below `root` in Graphviz's dot language: one box per node with its op and shape,
 * parameters shaded, edges from inputs to the nodes made from them. `dot -Tsvg` draws it.
 */
export function toDot(root: Var, options: { name?: string; labels?: Map<Var, string> } = {}): string {
  internal.checkOptions(options, ["name", "labels"], "toDot");
  const quote = (s: string) => JSON.stringify(s);
  const lines = [
    `digraph ${quote(options.name ?? "slope")} {`,
    "  rankdir=LR;",
    '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];',
  ];
  for (const node of reachable(root)) {
    const name = options.labels?.get(node);
    const label = `${name ? `${name}: ` : ""}${node.op}\\n${core.formatShape(node.shape)} ${node.dtype}`;
    const fill =
      node.op === "param" ? "#dbeafe" : node === root ? "#fde68a" : node.inputs.length === 0 ? "#f3f4f6" : "white";
    lines.push(`  n${node.id} [label="${label.replace(/"/g, '\\"')}", fillcolor=${quote(fill)}];`);
    for (const input of node.inputs) lines.push(`  n${input.id} -> n${node.id};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
