// A first look at @slope/core: a linear score function s = Wx + b on random data.
import { Rng, add, argmax, matmul, randn, sum, zeros } from "@slope/core";

const rng = new Rng(0);
const X = randn([4, 3072], { rng });
const W = randn([3072, 10], { rng, std: 1e-4 });
const b = zeros([10]);
const scores = add(matmul(X, W), b);
console.log("scores", String(scores));
console.log("predicted classes", String(argmax(scores, 1)));
console.log("row sums", String(sum(scores, 1)));
