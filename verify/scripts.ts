/**
 * The probe and checker programs (verify/scripts/*.sh) as the containers run them: pure, no Pulumi.
 * The text returned is exactly what `sh -c` gets in the pod (and what the tests run in namespaces).
 */
import * as fs from "fs";
import * as path from "path";

const read = (name: string): string => fs.readFileSync(path.join(__dirname, "scripts", `${name}.sh`), "utf8");
const SOURCES = { probe: read("probe"), api: read("api"), check: read("check") };

/** The probe DaemonSet's program. */
export function probeProgram(): string {
    return SOURCES.probe;
}

/** The checker Job's program: the probe's functions (F2C_LIB=1 in its env), the API calls, the checks. */
export function checkerProgram(): string {
    return [SOURCES.probe, SOURCES.api, SOURCES.check].join("\n");
}
