/**
 * The policy pack: `pulumi preview --policy-pack policy` and `pulumi up
 * --policy-pack policy` run these mandatory policies for real (after
 * `npm ci --prefix policy`). The rules are in rules.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./rules";

new PolicyPack("flannel-to-calico", { policies: POLICIES });
