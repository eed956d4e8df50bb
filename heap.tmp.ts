import { requireSettings } from "./stacks/settings";
import { generatedRaw } from "./test/helpers/config";
import { writePlan } from "./tools/planner";
(async () => {
    const s = requireSettings(generatedRaw(300), { stack: "heap", dryRun: true });
    let peak = 0; const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 5);
    await writePlan(s, "/tmp/heapplan");
    clearInterval(t); console.log("peak heapUsed MiB", Math.round(peak / 1048576));
})();
