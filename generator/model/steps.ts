/** `steps` + `mappings` → OrchestrationModel, using the adapter's own input lookup for each call step. */
import type { ConsumesModel, OrchestrationModel, StepModel } from './ir.js';
import { buildBindings, resolveCall, type Lookup } from './exposed.js';
import { child, items, str, type Node, type Reporter } from './spec-access.js';

export interface StepsContext {
  readonly report: Reporter;
  readonly consumes: readonly ConsumesModel[];
  readonly isBindRef: (name: string) => boolean;
  /** Records an unsupported construct (script steps). */
  readonly unsupported: (node: Node, construct: string) => void;
}

export function buildOrchestration(node: Node, namespace: string, lookup: Lookup, ctx: StepsContext): OrchestrationModel | undefined {
  const steps: StepModel[] = [];
  const names: string[] = [];
  // `{{step.field}}` in a later step's `with` reads an earlier step's output, not a caller input.
  const isStepOrBind = (name: string): boolean => ctx.isBindRef(name) || names.includes(name.split('.')[0]!);
  let ok = true;
  for (const step of items(child(node, 'steps'))) {
    const name = str(child(step, 'name')) ?? `step${steps.length + 1}`;
    const type = str(child(step, 'type')) ?? 'call';
    if (type === 'call') {
      const target = resolveCall(child(step, 'call'), ctx.consumes, ctx.report);
      if (!target) {
        ok = false;
        continue;
      }
      steps.push({ kind: 'call', name, call: buildBindings(target, child(step, 'with'), namespace, lookup, isStepOrBind, ctx.report) });
    } else if (type === 'lookup') {
      const index = str(child(step, 'index')) ?? '';
      if (!names.includes(index)) {
        ctx.report.error(child(step, 'index'), 'unknown-step', `lookup step "${name}" reads step "${index}", which does not run before it`, `earlier steps: ${names.join(', ') || 'none'}`);
        ok = false;
      }
      steps.push({
        kind: 'lookup',
        name,
        index,
        match: str(child(step, 'match')) ?? '',
        lookupValue: str(child(step, 'lookupValue')) ?? '',
        fields: items(child(step, 'outputParameters')).map((f) => str(f) ?? '').filter(Boolean),
      });
    } else {
      ctx.unsupported(child(step, 'type'), `${type} steps`);
      ok = false;
    }
    names.push(name);
  }
  const mappings = items(child(node, 'mappings')).map((m) => ({ targetName: str(child(m, 'targetName')) ?? '', value: str(child(m, 'value')) ?? '' }));
  return ok ? { steps, mappings } : undefined;
}
