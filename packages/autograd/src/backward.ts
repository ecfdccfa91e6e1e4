import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { add } from "./ops/add.js";
import { Var, constant, param, withRecording } from "./var.js";

/** Raised when a graph is used in a way it cannot be: backward through a freed graph, a non-scalar root without a seed. */
export class GraphError extends core.SlopeError {}

/** Options of `backward` and `gradients`. */
export interface BackwardOptions {
  /** Record the backward pass as a graph of its own, so the gradients can be differentiated again. */
  createGraph?: boolean;
  /** Keep the graph's saved values so backward can run through it again (implied by createGraph). */
  retainGraph?: boolean;
}

/**
 * The nodes that gradients flow through, inputs before the nodes made from them (a reverse
 * post-order walk without recursion, so a 100,000-node chain is fine).
 */
export function topologicalOrder(root: Var): Var[] {
  const order: Var[] = [];
  const visited = new Set<Var>();
  const stack: { node: Var; next: number }[] = [{ node: root, next: 0 }];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.node.inputs;
    if (top.next < inputs.length) {
      const child = inputs[top.next++]!;
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push({ node: child, next: 0 });
      }
    } else {
      order.push(top.node);
      stack.pop();
    }
  }
  return order;
}

function checkSeed(root: Var, seed: core.Tensor | undefined): core.Tensor {
  if (seed !== undefined && !(seed instanceof core.Tensor)) {
    const looksLikeOptions =
      typeof seed === "object" && seed !== null && ("retainGraph" in seed || "createGraph" in seed);
    throw new core.ValueError(
      looksLikeOptions
        ? "backward: the first argument is the seed gradient (a Tensor); options come second: " +
            "backward(undefined, { retainGraph: true })"
        : `backward: the seed must be a Tensor of the output's shape ${core.formatShape(root.shape)}, ` +
            `got ${seed === null ? "null" : typeof seed}`,
    );
  }
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new GraphError(
        `backward: the output has shape ${core.formatShape(root.shape)}; pass a seed gradient of that shape, or reduce it to a scalar first`,
      );
    }
    return core.onesLike(root.value);
  }
  if (!core.sameShape(seed.shape, root.shape)) {
    throw new core.ShapeError(
      `backward: seed has shape ${core.formatShape(seed.shape)}, expected the output's ${core.formatShape(root.shape)}`,
    );
  }
  if (seed.dtype !== root.dtype)
    throw new core.DTypeError(`backward: seed is ${seed.dtype}, the output is ${root.dtype}`);
  return seed;
}

/**
 * Runs the chain rule from `root` back through the graph: ∂root/∂node for every node that
 * requires a gradient, as Vars (with graphs of their own when `createGraph`).
 */
export function gradients(root: Var, seed?: core.Tensor, options: BackwardOptions = {}): Map<Var, Var> {
  internal.checkOptions(options, ["createGraph", "retainGraph"], "backward");
  const createGraph = options.createGraph ?? false;
  const retain = createGraph || (options.retainGraph ?? false);
  if (typeof createGraph !== "boolean" || typeof retain !== "boolean") {
    throw new core.ValueError(
      `backward: createGraph and retainGraph must be booleans, got ${String(options.createGraph)} ` +
        `and ${String(options.retainGraph)}`,
    );
  }
  const grads = new Map<Var, Var>();
  if (!root.requiresGrad) {
    throw new GraphError(
      `backward: the output (op "${root.op}") does not depend on any parameter; wrap inputs with param() to differentiate`,
    );
  }
  grads.set(root, constant(checkSeed(root, seed)));
  const order = topologicalOrder(root);
  withRecording(createGraph, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i]!;
      const g = grads.get(node);
      if (node.freed) {
        throw new GraphError(
          `backward: node "${node.op}" (id ${node.id}) belongs to a graph whose saved values were freed by an earlier backward(); pass { retainGraph: true } to that call to run backward twice`,
        );
      }
      if (!g || !node.vjp) continue;
      const needs = node.inputs.map((x) => x.requiresGrad);
      const inputGrads = node.vjp(g, node, needs);
      node.inputs.forEach((input, k) => {
        const contribution = inputGrads[k];
        if (!needs[k] || !contribution) return;
        const previous = grads.get(input);
        grads.set(input, previous ? add(previous, contribution) : contribution);
      });
    }
  });
  if (!retain) {
    for (const node of order) {
      if (node.vjp) {
        node.vjp = null;
        node.inputs = [];
        node.freed = true;
      }
    }
  }
  return grads;
}

/**
 * Accumulates ∂root/∂p into `p.grad` for every parameter p the root depends on (PyTorch's
 * loss.backward()). The graph is freed afterwards unless `retainGraph`.
 */
export function backward(root: Var, seed?: core.Tensor, options: BackwardOptions = {}): void {
  const grads = gradients(root, seed, options);
  for (const [node, g] of grads) {
    if (node.isLeaf) node.accumulateGrad(g.value);
  }
}

/**
 * ∇f as a function: grad(f)(x) is ∂f/∂x at x, a Var of x's shape that is itself differentiable, so
 * grad(grad(f)) is the second derivative. f must return a scalar. Parameters' .grad is untouched.
 */
export function grad(f: (x: Var) => Var): (x: Var | core.Tensor) => Var {
  if (typeof f !== "function") {
    throw new core.ValueError(`grad: f must be a function of one Var, got ${f === null ? "null" : typeof f}`);
  }
  return (x) => {
    if (!(x instanceof core.Tensor) && !(x instanceof Var)) {
      throw new core.ValueError(`grad: the point must be a Tensor or a Var, got ${x === null ? "null" : typeof x}`);
    }
    const input = x instanceof core.Tensor ? param(x) : x.requiresGrad ? x : param(x.value);
    // grad asks for a derivative explicitly, so it records even inside noGrad.
    const output = withRecording(true, () => f(input));
    if (output.size !== 1) {
      throw new GraphError(
        `grad: f must return a scalar, got shape ${core.formatShape(output.shape)} (sum it, or take a vector-Jacobian product with backward(seed))`,
      );
    }
    if (!output.requiresGrad) return constant(core.zerosLike(input.value));
    const g = gradients(output, undefined, { createGraph: true }).get(input);
    return g ?? constant(core.zerosLike(input.value));
  };
}
