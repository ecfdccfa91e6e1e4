// Installs every method of Var (see var.ts): each import below is one file of this folder, which
// declares the method's type on Var and puts it on Var.prototype, as TensorFlow.js's
// register_all_chained_ops.ts does for its chained ops. The package's index.ts imports this file, so
// importing @slope/autograd installs them all; package.json lists this folder under "sideEffects", so
// that bundlers keep these imports although they import no name.
import "./abs.js";
import "./add.js";
import "./backward.js";
import "./cast.js";
import "./clip.js";
import "./cos.js";
import "./div.js";
import "./erf.js";
import "./exp.js";
import "./expm1.js";
import "./gather.js";
import "./log-softmax.js";
import "./log-sum-exp.js";
import "./log.js";
import "./log1p.js";
import "./matmul.js";
import "./max.js";
import "./maximum.js";
import "./mean.js";
import "./min.js";
import "./minimum.js";
import "./mul.js";
import "./neg.js";
import "./norm.js";
import "./pow.js";
import "./reciprocal.js";
import "./relu.js";
import "./reshape.js";
import "./sigmoid.js";
import "./sin.js";
import "./slice.js";
import "./softmax.js";
import "./sqrt.js";
import "./square.js";
import "./std.js";
import "./sub.js";
import "./sum.js";
import "./tanh.js";
import "./transpose.js";
import "./variance.js";
