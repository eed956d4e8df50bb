/** summary.md says what the live cluster gets: identity, MTU, autodetection, bounds, order and side effects. */
import * as assert from "assert";
import { renderSummary } from "../../plan/summary";
import { RawConfig } from "../../settings";
import { build } from "../helpers/mocks";
import { tutorialRaw } from "../helpers/config";

async function summaryOf(raw: RawConfig): Promise<string> {
    const { settings, migration } = await build(raw);
    return renderSummary(settings, migration.outputs, {
        kubernetesObjects: 0,
        nodeScripts: 0,
        scriptFiles: 0,
        notes: migration.notes,
    });
}

describe("summary.md for the live cluster", () => {
    it("names the cluster identity, the MTU and IP autodetection with why, and the bounds", async () => {
        const md = await summaryOf(tutorialRaw({ cluster: { id: "dc1-tutorial" } }));
        assert.match(md, /\| Cluster identity \| provider clusterIdentifier `dc1-tutorial` \(from cluster\.id\)/);
        assert.match(md, /\| MTU \| 1440: the v3\.8 manifest's default veth_mtu \(network\.mtu unset\)/);
        assert.match(md, /\| IP autodetection \| first-found: network\.ipAutodetectionMethod is unset/);
        assert.match(
            md,
            /\| calico-node await \| create 780 s \(every node at once\); update 1800 s \(10 step\(s\) of 1 node/,
        );
        assert.match(md, /\| pulumi up bound \| 97 min/);
        assert.match(md, /\| Network state \| `f2c-network\/1 backend=bird pool=ipip felix=ipip` \|/);
    });
    it("says how the pool migrates and what the guard refuses", async () => {
        const md = await summaryOf(tutorialRaw());
        assert.match(md, /default-ipv4-ippool as it is currently marked for protection/);
        assert.match(md, /add a pool with the new cidr, set disabled: true on default-ipv4-ippool, recreate every pod/);
        assert.match(md, /a one-step switch is refused at pulumi up by the calico-network-guard command/);
    });
    it("v3.8 with Typha: says Typha gets v3.26's tolerations, and lists v3.8's side effects", async () => {
        const md = await summaryOf(tutorialRaw({ typha: { enabled: true } }));
        assert.match(
            md,
            /v3\.8's Typha tolerates only CriticalAddonsOnly upstream: it gets v3\.26's NoSchedule\/NoExecute/,
        );
        assert.match(
            md,
            /- \*\*felix-encapsulation-v3\.8\*\*: calico-node gets FELIX_IPINIPENABLED and FELIX_VXLANENABLED/,
        );
        assert.doesNotMatch(md, /felix-encapsulation-from-pools/);
    });
    it("v3.26 in transition: auto MTU, the transition named, Felix following the pools", async () => {
        const md = await summaryOf(
            tutorialRaw({
                cluster: { kubernetesVersion: "1.28.4" },
                calico: { version: "v3.26.5" },
                network: { mode: "vxlan", vxlanTransition: true },
            }),
        );
        assert.match(md, /\| MTU \| auto: veth_mtu 0/);
        assert.match(md, /backend=bird pool=vxlan felix=pools` \(network\.vxlanTransition: a switch to or from vxlan/);
        assert.match(md, /- \*\*felix-encapsulation-from-pools\*\*/);
    });
});
