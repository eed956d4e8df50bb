/** Calico selector grammar (libcalico-go lib/selector tokenizer.go and parser.go, v3.26). */
import * as assert from "assert";
import { selectorProblem } from "../../settings/selector";
import { settingsOf } from "../helpers/config";
import { loadSettings } from "../../settings";
import { tutorialRaw } from "../helpers/config";

describe("Calico selectors", () => {
    const valid = [
        "all()",
        "global()",
        "has(kubernetes.io/hostname)",
        "!has(no-calico)",
        'zone == "a"',
        "zone != 'b'",
        'rack in {"r1", "r2"}',
        "rack not in {}",
        'name contains "k8s"',
        'name starts with "bj-"',
        "name ends  with '-01'",
        '(zone == "a" || zone == "b") && !has(edge)',
        'topology.kubernetes.io/zone == "bj-1"',
    ];
    for (const s of valid) it(`accepts ${s}`, () => assert.strictEqual(selectorProblem(s), undefined));
    const invalid: [string, RegExp][] = [
        ["zone = 'a'", /unexpected characters|expected/],
        ['zone == "a', /unterminated string/],
        ["zone == a", /expected string/],
        ["has(zone", /no closing \)/],
        ["all", /expected an operator/],
        ['zone == "a" &&', /expected a label/],
        ['(zone == "a"', /expected \)/],
        ['rack in {"r1" "r2"}', /expected \}/],
        ["zone like 'a'", /expected an operator/],
    ];
    for (const [s, why] of invalid) it(`refuses ${s}`, () => assert.match(selectorProblem(s) ?? "accepted", why));

    it("a bad network.poolNodeSelector or peer nodeSelector is a config problem naming the key", () => {
        const r = loadSettings(
            tutorialRaw({
                network: {
                    mode: "bgp",
                    poolNodeSelector: "zone = 'a'",
                    bgp: { peers: [{ name: "tor", peerIP: "10.0.0.1", asNumber: 64600, nodeSelector: "rack in {" }] },
                },
            }),
            { stack: "t", dryRun: true },
        );
        assert.ok(!r.ok);
        assert.ok(
            r.problems.some((p) =>
                p.startsWith(`flannel-to-calico:network.poolNodeSelector is "zone = 'a'": not a Calico selector`),
            ),
        );
        assert.ok(r.problems.some((p) => p.startsWith("flannel-to-calico:network.bgp.peers[0].nodeSelector is")));
        assert.strictEqual(
            settingsOf({ network: { poolNodeSelector: "!has(edge)" } }).network.poolNodeSelector,
            "!has(edge)",
        );
    });
});
