/** Node-preparation command names are `<node>-<step>`: this splits them. Pure. */
import { STEPS } from "../components/nodeSteps";

export function nodeStepOf(name: string): { node: string; step: number; stepName: string } | undefined {
    for (let i = 0; i < STEPS.length; i++) {
        const suffix = `-${STEPS[i]}`;
        if (name.endsWith(suffix)) return { node: name.slice(0, -suffix.length), step: i + 1, stepName: STEPS[i] };
    }
    return undefined;
}
