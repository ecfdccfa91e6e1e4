import * as core from "@slope/core";
import { describe, expect, it } from "vitest";
import { graphToJSON, toDot } from "./graph-export.js";
import { l2, linear, softmaxCrossEntropy } from "./losses/index.js";
import { add, mul } from "./ops/index.js";
import { constant, param } from "./var.js";

describe("graph export", () => {
  const rng = new core.Rng(0);
  const x = constant(core.randn([4, 6], { rng }));
  const W = param(core.randn([6, 3], { rng, std: 1e-4 }));
  const b = param(core.zeros([3]));
  const loss = add(softmaxCrossEntropy(linear(x, W, b), [0, 1, 2, 0]), mul(l2(W), 0.5));

  it("toDot writes every node with its op and shape, and an edge per input", () => {
    const dot = toDot(loss);
    expect(dot.startsWith('digraph "slope" {')).toBe(true);
    for (const op of ["linear", "softmaxCrossEntropy", "l2", "mul", "add", "param", "constant"])
      expect(dot).toContain(op);
    expect(dot).toContain("[4, 6] float32");
    expect(dot).toContain(`n${W.id} -> n`);
    expect(dot.match(/->/g)!.length).toBe(9); // linear 3, softmax 1, l2 1, mul 2, add 2
  });

  it("graphToJSON lists nodes inputs-first with ids that link them", () => {
    const json = graphToJSON(loss);
    expect(json.root).toBe(loss.id);
    expect(json.nodes.map((n) => n.op)).toEqual([
      "constant",
      "param",
      "param",
      "linear",
      "softmaxCrossEntropy",
      "l2",
      "constant",
      "mul",
      "add",
    ]);
    const linearNode = json.nodes.find((n) => n.op === "linear")!;
    expect(linearNode.inputs).toEqual([x.id, W.id, b.id]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
