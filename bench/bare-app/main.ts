// The reference point of `npm run bench`: what `cdk8s init typescript-app` gives, plus one
// Deployment, synthesized the way that template does it (`npx ts-node main.ts`, which
// type-checks on every run).
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';

class MyChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new kplus.Deployment(this, 'web', {
      replicas: 1,
      containers: [{ image: 'nginx:1.27', portNumber: 80 }],
    });
  }
}

const app = new App();
new MyChart(app, 'bare');
app.synth();
