/** The shim's `k6/metrics`: Counter, Gauge, Rate, Trend; samples go to the runner, which evaluates thresholds. */
import { addSample, type Sample } from './bridge.ts';

class Metric {
  constructor(
    readonly name: string,
    private readonly type: Sample['type'],
  ) {}

  add(value: number | boolean, tags: Record<string, string> = {}): void {
    addSample({ metric: this.name, type: this.type, value: Number(value), tags });
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter');
  }
}
export class Gauge extends Metric {
  constructor(name: string) {
    super(name, 'gauge');
  }
}
export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate');
  }
}
export class Trend extends Metric {
  constructor(name: string) {
    super(name, 'trend');
  }
}

export default { Counter, Gauge, Rate, Trend };
