// Type-checked in the empty project of release.mjs, against the packed .d.ts files: Var's methods come
// from module augmentation in @slope/autograd's methods/, which its main entry's .d.ts must bring in.
import { type Var, noGrad, param } from "@slope/autograd";
import { type Tensor, tensor } from "@slope/core";

const x = param(
  tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "float64" },
  ),
);
const W = param(
  tensor(
    [
      [1, 0],
      [0, 1],
    ],
    { dtype: "float64" },
  ),
);
const loss: Var = x.matmul(W, { transposeB: true }).add(1).relu().logSumExp(1).mean();
loss.backward();
const grad: Tensor | null = x.grad;
const spread: Var = noGrad(() => x.variance(0, { correction: 0 }).add(x.std()).norm({ p: 2 }));
console.log(grad?.shape, spread.item());

// @ts-expect-error a string is not a VarLike
x.add("1");
// @ts-expect-error not an option of matmul
x.matmul(W, { transpose: true });
// @ts-expect-error backward's seed is a Tensor
loss.backward(1);
// @ts-expect-error Var has no such method
x.frobnicate();
