/** Stack keys issue 11 adds or tightens: validation and where each lands in the plan. */
import * as assert from "assert";
import { loadSettings, RawConfig } from "../../settings";
import { tutorialRaw } from "../helpers/config";

const problems = (raw: RawConfig) => {
    const r = loadSettings(raw, { stack: "t", dryRun: true });
    return r.ok ? [] : r.problems;
};

describe("stack keys", () => {
    it("typha.replicas outside 1..20 is an error even when Typha is off", () => {
        for (const enabled of [false, "auto"])
            for (const replicas of [0, 21, 2.5]) {
                const p = problems(tutorialRaw({ typha: { enabled, replicas } }));
                assert.match(
                    p.join("\n"),
                    /typha\.replicas is .*: it must be a whole number from 1 to 20/,
                    `${enabled} ${replicas}`,
                );
            }
        assert.deepStrictEqual(problems(tutorialRaw({ typha: { enabled: false, replicas: 20 } })), []);
    });
});
