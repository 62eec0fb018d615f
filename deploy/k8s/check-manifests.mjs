// Validates Kubernetes manifests against the API's OpenAPI schemas (types, required fields, enums) with the npm
// package kubernetes-models, offline and with no cluster: `node check-manifests.mjs FILE...` from a folder where
// kubernetes-models and js-yaml are installed (deploy/k8s/check-manifests.sh does that). Unknown keys pass.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8")).filter(Boolean)) {
    const name = `${file}: ${doc.kind}/${doc.metadata?.name}`;
    try {
      const module = await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`);
      new module[doc.kind](doc).validate();
      console.log(`check-manifests: ok ${name}`);
    } catch (e) {
      failed++;
      console.log(`check-manifests: FAILED ${name}: ${e.message.split("\n").slice(0, 3).join(" ")}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
