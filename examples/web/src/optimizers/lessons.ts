// What each surface is for: a one-line caption saying what to notice, and the learning rates that show it
// (the surface's own working rates from @slope/optim, changed where the lesson needs another).
import type { Surface } from "@slope/optim";

export interface Lesson {
  caption: string;
  learningRates: Partial<Surface["learningRates"]>;
}

export const LESSONS: Record<string, Lesson> = {
  "quadratic-bowl": {
    caption:
      "Steep across, shallow along: SGD zig-zags across and crawls along, momentum overshoots and swings back, " +
      "AdaGrad's steps shrink until it stalls, Adam steps as far in x as in y.",
    // SGD at lr > 1/2 flips y's sign each step (1 − 2·lr < 0); AdaGrad at 0.3 stalls short of the minimum.
    learningRates: { SGD: 0.95, AdaGrad: 0.3 },
  },
  rosenbrock: {
    caption:
      "A curved valley: every method drops to the floor at once, then crawls along it toward (1, 1); " +
      "Adam gets farthest in the steps given.",
    learningRates: {},
  },
  beale: {
    caption: "Flat plateaus beside steep walls: momentum swings far below the valley before it settles at (3, ½).",
    learningRates: {},
  },
  saddle: {
    caption:
      "Zero gradient at the origin, yet no minimum: SGD creeps off the ridge, momentum and the adaptive " +
      "methods escape it fast. The loss falls below 0, so its chart is linear.",
    learningRates: {},
  },
  himmelblau: {
    caption: "Four minima, all of value 0: from (0, 0) every method finds (3, 2); start elsewhere to land in another.",
    learningRates: {},
  },
  "two-minima": {
    caption:
      "A shallow well on the right, a deeper one on the left: plain and adaptive descent settle in the nearer, " +
      "shallower well; momentum carries over the ridge into the deeper one.",
    learningRates: {},
  },
};

/** The learning rate the page starts `name` at on `surface`. */
export function defaultLearningRate(surface: Surface, name: keyof Surface["learningRates"]): number {
  return LESSONS[surface.name]?.learningRates[name] ?? surface.learningRates[name];
}
