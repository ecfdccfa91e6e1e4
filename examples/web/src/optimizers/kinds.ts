// The playground's optimizers, each built by @slope/optim from the settings in its table row.
import { AdaGrad, Adam, Momentum, Nesterov, type Optimizer, type Parameter, RMSProp, SGD } from "@slope/optim";

/** A marker shape, so optimizers are told apart by shape as well as colour. */
export type Marker = "circle" | "square" | "triangle" | "diamond" | "down" | "star";

/** A setting beside the learning rate: its key in the optimizer's options, its label and default. */
export interface ExtraOption {
  key: string;
  label: string;
  value: number;
}

/** One optimizer of the race: its name (as @slope/optim spells it), colour, marker and constructor. */
export interface Kind {
  name: "SGD" | "Momentum" | "Nesterov" | "AdaGrad" | "RMSProp" | "Adam";
  colour: string;
  marker: Marker;
  extras: ExtraOption[];
  make(params: Parameter[], lr: number, extras: Record<string, number>, biasCorrection: boolean): Optimizer;
}

// Colours dark enough for text on white (contrast ≥ 4.5).
export const KINDS: Kind[] = [
  { name: "SGD", colour: "#2563eb", marker: "circle", extras: [], make: (p, lr) => new SGD(p, { lr }) },
  {
    name: "Momentum",
    colour: "#c2410c",
    marker: "square",
    extras: [{ key: "momentum", label: "μ", value: 0.9 }],
    make: (p, lr, e) => new Momentum(p, { lr, momentum: e.momentum! }),
  },
  {
    name: "Nesterov",
    colour: "#be185d",
    marker: "triangle",
    extras: [{ key: "momentum", label: "μ", value: 0.9 }],
    make: (p, lr, e) => new Nesterov(p, { lr, momentum: e.momentum! }),
  },
  { name: "AdaGrad", colour: "#0f766e", marker: "diamond", extras: [], make: (p, lr) => new AdaGrad(p, { lr }) },
  {
    name: "RMSProp",
    colour: "#854d0e",
    marker: "down",
    extras: [{ key: "decayRate", label: "ρ", value: 0.99 }],
    make: (p, lr, e) => new RMSProp(p, { lr, decayRate: e.decayRate! }),
  },
  {
    name: "Adam",
    colour: "#7c3aed",
    marker: "star",
    extras: [
      { key: "beta1", label: "β₁", value: 0.9 },
      { key: "beta2", label: "β₂", value: 0.999 },
      { key: "eps", label: "ε", value: 1e-8 },
    ],
    make: (p, lr, e, biasCorrection) =>
      new Adam(p, { lr, beta1: e.beta1!, beta2: e.beta2!, eps: e.eps!, biasCorrection }),
  },
];
