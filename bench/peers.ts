import type { Mode, SectionResult } from './lib/section.js';
import { unavailable } from './lib/section.js';
export async function run(_mode: Mode): Promise<SectionResult> { return unavailable('peers', 'todo'); }
