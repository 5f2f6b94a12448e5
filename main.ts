import { App } from 'cdk8s';
import { DoitChart } from './lib';

const app = new App();
new DoitChart(app, 'doit');
app.synth();
