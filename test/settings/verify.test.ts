import * as assert from "assert";
import { loadSettings, RawConfig } from "../../settings";
import { DEFAULT_CHECK_IMAGE, imageParts } from "../../settings/verify";
import { tutorialRaw } from "../helpers/config";

const ctx = { stack: "t", dryRun: true };
const load = (raw: RawConfig) => loadSettings(raw, ctx);
function problems(raw: RawConfig): string[] {
    const r = load(raw);
    assert.ok(!r.ok, "expected the config to be rejected");
    return [...r.problems];
}

describe("verify settings", () => {
    it("defaults: on, busybox 1.36.1, cluster.local, nothing outside, no policy acknowledged", () => {
        const r = load(tutorialRaw());
        assert.ok(r.ok);
        assert.deepStrictEqual(r.settings.verify, {
            enabled: true,
            image: DEFAULT_CHECK_IMAGE,
            clusterDomain: "cluster.local",
            acknowledgeNetworkPolicies: [],
        });
        assert.strictEqual(DEFAULT_CHECK_IMAGE, "docker.io/library/busybox:1.36.1");
    });
    it("takes an image pinned by tag or by digest, and refuses latest or no tag", () => {
        const digest = `busybox:1.36.1@sha256:${"a".repeat(64)}`;
        for (const image of [digest, "registry.local:5000/tools/busybox:1.37.0"]) {
            const r = load(tutorialRaw({ verify: { image } }));
            assert.ok(r.ok && r.settings.verify.image === image, image);
        }
        for (const image of ["busybox", "busybox:latest", "registry.local:5000/busybox"])
            assert.match(problems(tutorialRaw({ verify: { image } })).join("\n"), /verify\.image .*pin it/, image);
        assert.match(problems(tutorialRaw({ verify: { image: "Busy Box" } })).join(), /verify\.image/);
        assert.deepStrictEqual(imageParts("registry.local:5000/busybox"), {});
        assert.deepStrictEqual(imageParts(digest), { tag: "1.36.1", digest: `sha256:${"a".repeat(64)}` });
    });
    it("checks the outside address only with natOutgoing, and says so when it is off", () => {
        const on = load(tutorialRaw({ verify: { outsideAddress: "192.0.2.10:443" } }));
        assert.ok(on.ok);
        assert.deepStrictEqual(on.settings.verify.outsideAddress, {
            host: "192.0.2.10",
            port: 443,
            text: "192.0.2.10:443",
        });
        const off = load(
            tutorialRaw({ network: { natOutgoing: false }, verify: { outsideAddress: "192.0.2.10:443" } }),
        );
        assert.ok(off.ok);
        assert.strictEqual(off.settings.verify.outsideAddress, undefined);
        assert.ok(off.settings.warnings.some((w) => /verify\.outsideAddress 192\.0\.2\.10:443 is not checked/.test(w)));
        for (const bad of ["192.0.2.10", "192.0.2.10:0", "http://x:80", "a b:1"])
            assert.match(
                problems(tutorialRaw({ verify: { outsideAddress: bad } })).join(),
                /verify\.outsideAddress/,
                bad,
            );
    });
    it("acknowledges NetworkPolicies as namespace/name, namespace/* or *", () => {
        const r = load(tutorialRaw({ verify: { acknowledgeNetworkPolicies: ["prod/deny-all", "staging/*", "*"] } }));
        assert.ok(r.ok);
        assert.deepStrictEqual(r.settings.verify.acknowledgeNetworkPolicies, ["prod/deny-all", "staging/*", "*"]);
        const ps = problems(tutorialRaw({ verify: { acknowledgeNetworkPolicies: ["prod", "Prod/x", "a/b/c", 3] } }));
        assert.strictEqual(ps.filter((p) => p.includes("verify.acknowledgeNetworkPolicies[")).length, 4, ps.join("\n"));
    });
    it("warns loudly when the check is turned off", () => {
        const r = load(tutorialRaw({ verify: { enabled: false } }));
        assert.ok(r.ok);
        assert.ok(r.settings.warnings.some((w) => /verify\.enabled is false: pulumi up checks no pod traffic/.test(w)));
    });
    it("rejects unknown keys and a bad cluster domain", () => {
        assert.match(problems(tutorialRaw({ verify: { imag: "x" } })).join(), /verify\.imag is "x": unknown key/);
        assert.match(
            problems(tutorialRaw({ verify: { clusterDomain: "Cluster_Local" } })).join(),
            /verify\.clusterDomain/,
        );
    });
});
