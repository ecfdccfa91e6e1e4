export { type NumericalGradientOptions, numericalGradient, partialDerivative } from "./numerical-gradient.js";
export { relError } from "./rel-error.js";
export { type GradCheckOptions, type GradCheckResult, type GradCheckWorst, gradCheck } from "./grad-check.js";
export { type GradCheckSparseOptions, type SparseCheck, gradCheckSparse } from "./grad-check-sparse.js";
