/** deploy/k8s manifests parse and agree with what the code needs (RBAC verbs, agent wiring, dynamic allocation off). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadAllYaml } from '@kubernetes/client-node';
import { DEFAULT_AGENT_PORT } from './target.ts';

type Doc = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };
const load = (name: string): Doc[] => loadAllYaml(readFileSync(new URL(`../../../deploy/k8s/${name}`, import.meta.url), 'utf8')) as Doc[];

test('RBAC: the controller may get, watch and patch sparkapplications in its namespace, nothing cluster-wide', () => {
  const docs = load('rbac.yaml');
  const role = docs.find((d) => d.kind === 'Role') as Doc & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
  const rule = role.rules.find((r) => r.apiGroups.includes('sparkoperator.k8s.io'))!;
  assert.deepEqual(rule.resources, ['sparkapplications']);
  for (const verb of ['get', 'watch', 'patch']) assert.ok(rule.verbs.includes(verb), verb);
  assert.ok(!rule.verbs.includes('delete') && !rule.verbs.includes('update'));
  const binding = docs.find((d) => d.kind === 'RoleBinding') as Doc & { subjects: Array<{ name: string }>; roleRef: { name: string } };
  assert.equal(binding.roleRef.name, role.metadata.name);
  assert.equal(binding.subjects[0]!.name, docs.find((d) => d.kind === 'ServiceAccount')!.metadata.name);
  assert.ok(!docs.some((d) => d.kind.startsWith('Cluster')));
});

test('controller and SparkApplication agree: agent port, token secret, target flags, dynamic allocation off', () => {
  const ctl = load('controller.yaml');
  const dep = ctl.find((d) => d.kind === 'Deployment') as Doc & { spec: { template: { spec: { serviceAccountName: string; containers: Array<{ args: string[]; env: Array<{ name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }> }> } } } };
  const pod = dep.spec.template.spec;
  assert.equal(pod.serviceAccountName, 'edgepilot-controller');
  const args = pod.containers[0]!.args;
  for (const a of ['serve', '--target=spark-k8s', '--namespace=streaming', '--app=orders-stream', `--agent-port=${DEFAULT_AGENT_PORT}`]) assert.ok(args.includes(a), a);
  const secretRef = pod.containers[0]!.env.find((e) => e.name === 'EDGEPILOT_AGENT_TOKEN')!.valueFrom!.secretKeyRef;
  const secret = load('agent-secret.yaml')[0]!;
  assert.equal(secretRef.name, secret.metadata.name);
  const app = load('sparkapplication.yaml')[0] as Doc & { apiVersion: string; spec: { dynamicAllocation: { enabled: boolean }; driver: { env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string } } }> } } };
  assert.equal(app.apiVersion, 'sparkoperator.k8s.io/v1beta2');
  assert.equal(app.metadata.name, 'orders-stream');
  assert.equal(app.spec.dynamicAllocation.enabled, false);
  const env = Object.fromEntries(app.spec.driver.env.map((e) => [e.name, e]));
  assert.equal(env.EDGEPILOT_CONTROLLER_URL!.value, `http://edgepilot-controller.streaming.svc:${DEFAULT_AGENT_PORT}`);
  assert.equal(env.EDGEPILOT_AGENT_TOKEN!.valueFrom!.secretKeyRef.name, secret.metadata.name);
});
