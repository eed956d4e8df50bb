/**
 * Switching to or from vxlan on a live cluster, in Calico's documented order.
 *
 * Calico documents one live switch: change the IPPool's encapsulation, with
 * BIRD still running (calico_backend bird; BIRD does not program a VXLAN
 * pool's routes, Felix does: confd bird_ipam.cfg.template, v3.8.9 and
 * v3.26.5). Turning BIRD off (calico_backend vxlan, no BIRD probes) is an
 * install-time option ("Switching from IP-in-IP to VXLAN",
 * getting-started/kubernetes/self-managed-onprem/config-options). So a switch
 * takes three `pulumi up`s, with network.vxlanTransition in between:
 *
 *   1. vxlanTransition: true (mode unchanged): BIRD runs, Felix has both
 *      encapsulations on (v3.8: env, calico-node rolls; v3.23+: nothing changes).
 *   2. the new network.mode: only the IPPool changes; every Felix switches at once.
 *   3. vxlanTransition removed: calico_backend and Felix env settle (a roll).
 *
 * One up that changes calico_backend and the pool's encapsulation together
 * would leave nodes without routes while calico-node rolls, so it is refused.
 * The program cannot see the live cluster in preview; a local command (the
 * guard) keeps the last applied state in its stdout and compares at `pulumi up`
 * (pulumi-command local Update passes it as PULUMI_COMMAND_STDOUT). Pure.
 */
import { NetworkMode, NETWORK_MODES } from "../settings/types";
import { Version } from "./versions";
import { felixEncapsulations } from "./sideEffects";

export type Backend = "bird" | "vxlan";
export type PoolEncapsulation = "ipip" | "vxlan" | "none";

export interface NetworkState {
    readonly backend: Backend;
    readonly pool: PoolEncapsulation;
    /** Encapsulations Felix has on regardless of the pools, or "pools" (v3.23+). */
    readonly felix: "pools" | readonly ("ipip" | "vxlan")[];
}

export const STATE_PREFIX = "f2c-network/1";

export function backendFor(mode: NetworkMode, vxlanTransition: boolean): Backend {
    return mode === "vxlan" && !vxlanTransition ? "vxlan" : "bird";
}

export function poolEncapsulation(mode: NetworkMode): PoolEncapsulation {
    return mode === "vxlan" ? "vxlan" : mode === "bgp" ? "none" : "ipip";
}

export function networkState(
    v: Pick<Version, "major" | "minor">,
    mode: NetworkMode,
    vxlanTransition: boolean,
): NetworkState {
    return {
        backend: backendFor(mode, vxlanTransition),
        pool: poolEncapsulation(mode),
        felix: felixEncapsulations(v, mode, vxlanTransition),
    };
}

export function stateText(s: NetworkState): string {
    return `${STATE_PREFIX} backend=${s.backend} pool=${s.pool} felix=${s.felix === "pools" ? "pools" : s.felix.join("+")}`;
}

const felixHas = (s: NetworkState, e: PoolEncapsulation) => e === "none" || s.felix === "pools" || s.felix.includes(e);

/** Why one `pulumi up` may not go from `prev` to `next`, with the staged procedure; undefined when it may. */
export function switchProblem(prev: NetworkState, next: NetworkState): string | undefined {
    const crossesVxlan = (prev.pool === "vxlan") !== (next.pool === "vxlan");
    const backendChanges = prev.backend !== next.backend;
    const ok =
        (!backendChanges || (prev.pool === "vxlan" && next.pool === "vxlan")) &&
        (!crossesVxlan || (prev.backend === "bird" && next.backend === "bird" && felixHas(prev, next.pool)));
    if (ok) return undefined;
    const toVxlan = next.pool === "vxlan";
    return (
        `flannel-to-calico refuses this network.mode switch ${toVxlan ? "to" : "from"} vxlan in one pulumi up ` +
        `(live: calico_backend ${prev.backend}, pool ${prev.pool}; asked: calico_backend ${next.backend}, pool ${next.pool}): ` +
        "nodes would lose their routes while calico-node rolls. Follow Calico's order, one pulumi up each: " +
        `1) keep the current network.mode and set network.vxlanTransition: true (BIRD keeps running, Felix turns both encapsulations on); ` +
        `2) set the new network.mode (only the IPPool changes; every node switches at once); ` +
        '3) remove network.vxlanTransition (calico_backend settles; calico-node rolls). See README, "Switching to or from vxlan".'
    );
}

/** Every state some setting of some supported version produces. */
export function allStates(): NetworkState[] {
    const out = new Map<string, NetworkState>();
    for (const v of [
        { major: 3, minor: 8 },
        { major: 3, minor: 26 },
    ])
        for (const mode of NETWORK_MODES)
            for (const t of [false, true]) {
                const s = networkState(v, mode, t);
                out.set(stateText(s), s);
            }
    return [...out.values()];
}

const shq = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/**
 * The guard's script: prints the state it applies; at an update, fails with
 * the procedure when the last applied state (PULUMI_COMMAND_STDOUT) may not
 * move to this one in one up. An unknown previous text is let through with a warning.
 */
export function guardScript(next: NetworkState): string {
    const arms = allStates()
        .map((prev) => ({ prev: stateText(prev), why: switchProblem(prev, next) }))
        .filter((a) => a.why !== undefined)
        .map((a) => `  ${shq(a.prev)}) echo ${shq(a.why as string)} >&2; exit 1 ;;`);
    return [
        "#!/bin/sh",
        "# flannel-to-calico: refuses a one-step switch to or from vxlan (calico/modeSwitch.ts).",
        "prev=${PULUMI_COMMAND_STDOUT:-}",
        'case "$prev" in',
        ...arms,
        `  ''|${shq(STATE_PREFIX)}*) ;;`,
        '  *) echo "flannel-to-calico: unknown previous network state, not checked: $prev" >&2 ;;',
        "esac",
        `echo ${shq(stateText(next))}`,
        "",
    ].join("\n");
}
